/** Exponential backoff: base, 2·base, 4·base … capped at max. `attempt` counts from 1. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(attempt - 1, 30);
  return Math.min(maxMs, baseMs * 2 ** exp);
}
