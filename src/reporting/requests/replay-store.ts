import type { FileHandle } from 'node:fs/promises';
import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { CamwardenError, ErrorCode } from '../../util/errors.js';
import { SerialQueue } from '../../util/serial-queue.js';
import { writeAll } from '../../util/write-all.js';

/** Appends between two compactions: the file holds at most the live entries plus this many. */
const COMPACT_EVERY = 500;

/**
 * Transactions already accepted, persisted (`seen-requests.jsonl`, fsync'd before the handler runs) so a
 * replay is refused across restarts too. Entries are dropped once their request would be expired anyway, at start
 * and every COMPACT_EVERY appends while running, so neither memory nor the file grows with uptime.
 */
export class ReplayStore {
  private readonly seen = new Map<string, number>();
  private fh: FileHandle | undefined;
  private readonly queue = new SerialQueue();
  private appended = 0;

  constructor(
    private readonly path: string,
    private readonly now: () => Date,
  ) {}

  async start(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      // first boot
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { transaction: string; expiresAt: string };
        const exp = Date.parse(e.expiresAt);
        if (typeof e.transaction === 'string' && !Number.isNaN(exp)) this.seen.set(e.transaction, exp);
      } catch {
        // torn line after a crash: the request it belonged to never got past this store
      }
    }
    await this.compact();
  }

  async stop(): Promise<void> {
    await this.queue.idle();
    await this.fh?.close();
    this.fh = undefined;
  }

  /** Live entries held in memory. */
  size(): number {
    return this.seen.size;
  }

  has(transaction: string): boolean {
    const exp = this.seen.get(transaction);
    if (exp === undefined) return false;
    if (exp <= this.now().getTime()) {
      this.seen.delete(transaction);
      return false;
    }
    return true;
  }

  async add(transaction: string, expiresAt: string): Promise<void> {
    // in memory before any await: a second copy of the request arriving meanwhile is already refused
    this.seen.set(transaction, Date.parse(expiresAt));
    await this.queue.run(async () => {
      if (!this.fh) throw new CamwardenError(ErrorCode.Internal, 'replay store not started');
      await writeAll(this.fh, `${JSON.stringify({ transaction, expiresAt })}\n`, 'seen requests');
      await this.fh.sync();
      if (++this.appended < COMPACT_EVERY) return;
      // the entry is already safe on disk: a failed compaction only leaves a longer file, retried later
      await this.compact().catch(() => {
        this.appended = 0;
      });
    });
  }

  /** Forgets expired entries and rewrites the file with the live ones only (atomically: a crash keeps either). */
  private async compact(): Promise<void> {
    const nowMs = this.now().getTime();
    for (const [t, exp] of this.seen) if (exp <= nowMs) this.seen.delete(t);
    const live = [...this.seen].map(
      ([t, e]) => `${JSON.stringify({ transaction: t, expiresAt: new Date(e).toISOString() })}\n`,
    );
    await writeFileAtomic(this.path, live.join(''));
    // the new file opened before the old handle goes: appends never lack a file to go to
    const fh = await open(this.path, 'a');
    await this.fh?.close().catch(() => undefined);
    this.fh = fh;
    this.appended = 0;
  }
}
