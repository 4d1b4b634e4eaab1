import { backoffDelay } from '../util/backoff.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Database } from './database.js';
import type { IngestItem } from './ingest-item.js';
import type { RejectCounter } from './reject-counter.js';
import { type CommitSummary, writeBatch } from './write-batch.js';

export interface IngestQueueOptions {
  db: Database;
  logger: Logger;
  rejects: RejectCounter;
  /** Messages per transaction. */
  maxBatch?: number;
  /** How long the first message of a batch waits for company. */
  lingerMs?: number;
  /** Above this many queued messages, offer() returns a promise: the MQTT reader waits (TCP backpressure). */
  highWater?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface IngestStats {
  queued: number;
  stored: number;
  batches: number;
  retries: number;
}

/**
 * A database error that a retry can cure (connection lost, deadlock, serialization, shutdown) as opposed to
 * one in the data, which would fail again: those batches are split to find and refuse the one bad message.
 */
function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|40|53|57|58)/.test(code);
  if (typeof code === 'string' && code.startsWith('E')) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT…
  return /connect|terminated|timeout|closed/i.test(errorMessage(err));
}

/** A queued message and what to call once it is settled: committed, or refused for good. */
interface Queued {
  item: IngestItem;
  settle: () => void;
}

/**
 * Validated messages wait here briefly and are stored in batches, one transaction each. Each is settled (the
 * broker gets its PUBACK) only once its batch is committed, so a registry killed with messages queued loses
 * none: the broker delivers them again, and the stores are idempotent (events de-duplicate on id).
 */
export class IngestQueue {
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private attempt = 0;
  private waiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly listeners = new Set<(s: CommitSummary) => void>();
  private readonly counters = { stored: 0, batches: 0, retries: 0 };
  private readonly maxBatch: number;
  private readonly highWater: number;

  constructor(private readonly opts: IngestQueueOptions) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.highWater = opts.highWater ?? 20_000;
  }

  /**
   * Queues one message; `settle` is called once it is committed (or refused for good). Returns a promise only
   * when the queue is full (resolves when there is room again).
   */
  offer(item: IngestItem, settle: () => void = () => undefined): Promise<void> | undefined {
    this.queue.push({ item, settle });
    this.schedule();
    if (this.queue.length < this.highWater) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  onCommit(listener: (s: CommitSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): IngestStats {
    return { queued: this.queue.length, ...this.counters };
  }

  /** Resolves true once everything queued is stored, false if `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0 && !this.running) return true;
    this.schedule(0);
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Stops retrying; whatever is still queued stays unstored (the caller drains first). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  private schedule(delayMs?: number): void {
    if (this.running || this.stopped || this.queue.length === 0) return;
    const delay = delayMs ?? (this.queue.length >= this.maxBatch ? 0 : (this.opts.lingerMs ?? 10));
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().finally(() => {
        this.running = undefined;
        if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        else this.schedule();
      });
    }, delay);
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await this.writeOrIsolate(batch);
      } catch (err) {
        // transient: keep the batch at the head of the queue and try again after a backoff
        this.counters.retries++;
        const delay = backoffDelay(this.attempt++, {
          baseMs: this.opts.retryBaseMs ?? 200,
          maxMs: this.opts.retryMaxMs ?? 30_000,
          jitter: 'full',
        });
        this.opts.logger.error(
          { err: errorMessage(err), queued: this.queue.length, retryInMs: delay },
          'registry: database write failed; will retry',
        );
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      this.attempt = 0;
      if (this.queue.length < this.highWater) for (const w of this.waiters.splice(0)) w();
    }
  }

  /**
   * `batch` is the head of the queue; each part is taken off the queue as soon as it is committed (or refused),
   * so a transient failure half-way through a split retries only what is left.
   */
  private async writeOrIsolate(batch: Queued[]): Promise<void> {
    let summary: CommitSummary;
    try {
      const items = batch.map((q) => q.item);
      summary = await this.opts.db.transaction((tx) => writeBatch(tx, items));
    } catch (err) {
      if (isTransientDbError(err)) throw err;
      if (batch.length === 1) {
        const item = batch[0]?.item;
        this.opts.rejects.count('store-failed', {
          detail: `${item?.kind} from ${item?.site}/${item?.gateway}: ${errorMessage(err)}`,
        });
        // refused for good: acknowledged, or the broker would deliver it again and again
        for (const q of this.queue.splice(0, 1)) q.settle();
        return;
      }
      const mid = Math.ceil(batch.length / 2);
      await this.writeOrIsolate(batch.slice(0, mid));
      await this.writeOrIsolate(batch.slice(mid));
      return;
    }
    for (const q of this.queue.splice(0, batch.length)) q.settle();
    this.counters.stored += batch.length;
    this.counters.batches++;
    for (const listener of this.listeners) {
      try {
        listener(summary);
      } catch (err) {
        this.opts.logger.warn({ err: errorMessage(err) }, 'registry: commit listener failed');
      }
    }
  }
}
