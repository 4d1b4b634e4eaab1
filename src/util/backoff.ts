export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /**
   * `full`: a uniform delay in [0, ceiling), for many clients retrying one server (MQTT reconnects after a
   * broker restart must not arrive all at once). `none`: the ceiling itself, for local retries whose timing
   * is reported (enforcement).
   */
  jitter: 'full' | 'none';
  random?: () => number;
}

/** Exponential backoff: the ceiling is min(max, base · 2^retry), `retry` counting from 0 for the first retry. */
export function backoffDelay(retry: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(Math.max(retry, 0), 30));
  return opts.jitter === 'full' ? Math.floor((opts.random ?? Math.random)() * ceiling) : ceiling;
}
