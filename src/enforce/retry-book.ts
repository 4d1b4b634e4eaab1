import { type BackoffOptions, backoffDelay } from '../util/backoff.js';

type Op = 'apply' | 'revert';

interface FailureRecord {
  op: Op;
  attempts: number;
  nextAt: number;
}

/** Failed actions and when each may be tried again (exponential backoff, no jitter: docs/enforcement.md). */
export class RetryBook {
  private readonly failures = new Map<string, FailureRecord>();
  private readonly backoff: BackoffOptions;

  constructor(backoff: { baseMs: number; maxMs: number }) {
    this.backoff = { ...backoff, jitter: 'none' };
  }

  get size(): number {
    return this.failures.size;
  }

  /** True while the same operation on `key` failed and its backoff has not expired. */
  waiting(key: string, op: Op, now: number): boolean {
    const f = this.failures.get(key);
    return f !== undefined && f.op === op && f.nextAt > now;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Counts the attempt and returns its number and the delay before the next one. */
  failed(key: string, op: Op, now: number): { attempt: number; delayMs: number } {
    const previous = this.failures.get(key);
    const attempt = previous && previous.op === op ? previous.attempts + 1 : 1;
    const delayMs = backoffDelay(attempt - 1, this.backoff);
    this.failures.set(key, { op, attempts: attempt, nextAt: now + delayMs });
    return { attempt, delayMs };
  }

  /** Forgets failures of actions no longer in the plan (done elsewhere, or no longer wanted). */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of [...this.failures.keys()]) if (!keys.has(key)) this.failures.delete(key);
  }

  /** When the earliest retry is due (epoch ms), if any. */
  nextDue(): number | undefined {
    if (this.failures.size === 0) return undefined;
    return Math.min(...[...this.failures.values()].map((f) => f.nextAt));
  }
}
