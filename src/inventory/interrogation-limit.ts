import { type EventLoopUtilization, performance } from 'node:perf_hooks';

/** What the limit starts at: on a CPU-bound scan (devices that answer at once) more at a time is slower. */
export const START_LIMIT = 32;
/** How often, while devices wait, the limit looks at how busy the event loop was. */
const INTERVAL_MS = 100;
/** Below this share of busy time, the scan is waiting on devices, not on its own CPU: more at a time will help. */
const WIDEN_BELOW_UTILIZATION = 0.8;

export interface InterrogationLimitOptions {
  /** The most devices at once (`onvif.concurrency`). */
  max: number;
  /** Share of the time since its last call that the event loop was busy, 0 to 1 (tests give their own). */
  utilization?: () => number;
  intervalMs?: number;
}

/** Event-loop utilization since the previous call, from Node's own counters. */
function eventLoopUtilization(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/**
 * Bounds how many devices are interrogated at once. It starts at START_LIMIT (or `max`, if lower). While devices
 * wait, it checks every interval how busy the event loop was: when it was idle for more than a fifth of the time,
 * the scan is waiting on slow devices rather than on its own CPU, and the limit doubles, up to `max`. It never
 * narrows within a scan: a scan is short, and a limit that once had idle time to spare is not the bottleneck.
 * Figures: docs/architecture.md ("Scan speed").
 */
export class InterrogationLimit {
  private active = 0;
  private limit: number;
  private readonly waiting: Array<() => void> = [];
  private readonly max: number;
  private readonly utilization: () => number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: InterrogationLimitOptions) {
    this.max = opts.max;
    this.limit = Math.min(START_LIMIT, opts.max);
    this.utilization = opts.utilization ?? eventLoopUtilization();
    this.intervalMs = opts.intervalMs ?? INTERVAL_MS;
  }

  /** The current limit (devices at once). */
  get current(): number {
    return this.limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    // Wait for a slot; release() counts it as taken before it wakes this task.
    else await new Promise<void>((resolve) => this.wait(resolve));
    try {
      return await task();
    } finally {
      this.active--;
      this.release();
    }
  }

  private wait(resolve: () => void): void {
    this.waiting.push(resolve);
    this.watch();
  }

  private release(): void {
    while (this.active < this.limit) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      this.active++;
      next();
    }
    if (this.waiting.length === 0) this.stopWatching();
  }

  private watch(): void {
    if (this.timer !== undefined || this.limit >= this.max) return;
    this.utilization(); // start the first interval now
    this.timer = setInterval(() => {
      if (this.utilization() < WIDEN_BELOW_UTILIZATION) {
        this.limit = Math.min(this.max, this.limit * 2);
        this.release();
      }
      if (this.limit >= this.max) this.stopWatching();
    }, this.intervalMs);
    this.timer.unref();
  }

  private stopWatching(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
