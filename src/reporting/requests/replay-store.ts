import type { FileHandle } from 'node:fs/promises';
import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { CamwardenError, ErrorCode } from '../../util/errors.js';

/**
 * Transactions already accepted, persisted (`seen-requests.jsonl`, fsync'd before the handler runs) so a
 * replay is refused across restarts too. Entries are dropped once their request would be expired anyway.
 */
export class ReplayStore {
  private readonly seen = new Map<string, number>();
  private fh: FileHandle | undefined;

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
    const nowMs = this.now().getTime();
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { transaction: string; expiresAt: string };
        const exp = Date.parse(e.expiresAt);
        if (typeof e.transaction === 'string' && exp > nowMs) this.seen.set(e.transaction, exp);
      } catch {
        // torn line after a crash: the request it belonged to never got past this store
      }
    }
    // prune: rewrite only live entries
    const live = [...this.seen].map(
      ([t, e]) => `${JSON.stringify({ transaction: t, expiresAt: new Date(e).toISOString() })}\n`,
    );
    await writeFileAtomic(this.path, live.join(''));
    this.fh = await open(this.path, 'a');
  }

  async stop(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
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
    this.seen.set(transaction, Date.parse(expiresAt));
    if (!this.fh) throw new CamwardenError(ErrorCode.Internal, 'replay store not started');
    await this.fh.write(`${JSON.stringify({ transaction, expiresAt })}\n`);
    await this.fh.sync();
  }
}
