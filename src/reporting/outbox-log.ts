import { type FileHandle, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { SerialQueue } from '../util/serial-queue.js';
import { writeAll } from '../util/write-all.js';

/** One line of a segment file. */
export interface StoredRecord<E> {
  /** Position in the outbox, monotonic across boots: the ack pointer compares against it. */
  pos: number;
  ev: E;
}

const SEGMENT_RE = /^seg-(\d{12})\.jsonl$/;
/** Batch ack-pointer writes: losing the last 50 ms of acks only means a few at-least-once replays. */
const ACK_PERSIST_DELAY_MS = 50;

/**
 * The outbox on disk (`<dataDir>/outbox/`): append-only JSONL segments, fsync'd before `append` resolves (group
 * commit: concurrent appends share one fdatasync), and the `acked` pointer (write-temp + rename) up to which
 * records were delivered. Fully acked segments are deleted. A torn last line after SIGKILL was never confirmed to
 * its caller and is cut off at open. Knows nothing of what the records mean or how they are sent.
 */
export class OutboxLog<E> {
  private segments: Array<{ num: number; lastPos: number }> = [];
  private fh: FileHandle | undefined;
  private currentRecords = 0;
  private pending: Array<{ line: string; pos: number }> = [];
  private pendingWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing: Promise<void> | undefined;
  private ackedPos = 0;
  private ackDirty = false;
  private ackTimer: NodeJS.Timeout | undefined;
  private readonly ackWrites = new SerialQueue();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    /** Records per segment file before rotating. */
    private readonly segmentRecords: number,
  ) {}

  /** Recovers the log: the records not yet acked (in position order) and the next free position. */
  async open(): Promise<{ unacked: Array<StoredRecord<E>>; nextPos: number }> {
    await mkdir(this.dir, { recursive: true });
    this.segments = [];
    this.ackedPos = await this.readAcked();
    const files = (await readdir(this.dir))
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const unacked: Array<StoredRecord<E>> = [];
    let nextPos = 1;
    let lastNum = 0;
    for (const num of files) {
      lastNum = num;
      const path = this.segPath(num);
      const text = await readFile(path, 'utf8');
      let lastPos = 0;
      const torn = text.length > 0 && !text.endsWith('\n');
      const lines = text.split('\n');
      // a torn tail was never fsync'd-and-confirmed to its caller: cut it off
      if (torn) lines.pop();
      for (const line of lines) {
        if (line.length === 0) continue;
        let rec: StoredRecord<E>;
        try {
          rec = JSON.parse(line) as StoredRecord<E>;
        } catch {
          this.logger.warn({ segment: path }, 'outbox: unreadable record skipped');
          continue;
        }
        lastPos = rec.pos;
        nextPos = Math.max(nextPos, rec.pos + 1);
        if (rec.pos > this.ackedPos) unacked.push(rec);
      }
      if (torn) {
        const h = await open(path, 'r+');
        await h.truncate(Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
        await h.sync();
        await h.close();
      }
      this.segments.push({ num, lastPos });
    }
    nextPos = Math.max(nextPos, this.ackedPos + 1);
    unacked.sort((a, b) => a.pos - b.pos);
    await this.compact();
    await this.openSegment(lastNum + 1, nextPos - 1);
    return { unacked, nextPos };
  }

  /** Waits for pending writes, persists the ack pointer and closes the segment. */
  async close(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    await this.flushAck();
    await this.fh?.close();
    this.fh = undefined;
  }

  /** Resolves once the record is on disk (fdatasync'd). Records must be appended in position order. */
  append(rec: StoredRecord<E>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: JSON.stringify(rec), pos: rec.pos });
      this.pendingWaiters.push({ resolve, reject });
      this.writing ??= this.writeLoop();
    });
  }

  /** Every record up to `pos` was delivered; persisted shortly (batched), or at once by flushAck. */
  acked(pos: number): void {
    this.ackedPos = pos;
    this.ackDirty = true;
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      void this.flushAck();
    }, ACK_PERSIST_DELAY_MS);
  }

  /** Serialised: concurrent writers would race on acked.tmp. Never rejects: a failed write is retried next time. */
  flushAck(): Promise<void> {
    return this.ackWrites.run(async () => {
      try {
        await this.writeAck();
      } catch (err) {
        this.ackDirty = true;
        this.logger.error({ err: String(err) }, 'outbox: cannot persist ack pointer');
      }
    });
  }

  private async writeAck(): Promise<void> {
    if (!this.ackDirty) return;
    this.ackDirty = false;
    const acked = this.ackedPos;
    const tmp = join(this.dir, 'acked.tmp');
    const h = await open(tmp, 'w');
    await h.writeFile(`${acked}\n`);
    await h.sync();
    await h.close();
    await rename(tmp, join(this.dir, 'acked'));
    await this.compact();
  }

  private async readAcked(): Promise<number> {
    try {
      const n = Number((await readFile(join(this.dir, 'acked'), 'utf8')).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  /** Deletes segments whose every record is acked (never the one being written). */
  private async compact(): Promise<void> {
    while (this.segments.length > 1 || (this.segments.length === 1 && !this.fh)) {
      const seg = this.segments[0];
      if (!seg || seg.lastPos > this.ackedPos) break;
      await rm(this.segPath(seg.num), { force: true });
      this.segments.shift();
    }
  }

  private async openSegment(num: number, lastPos: number): Promise<void> {
    await this.fh?.close();
    this.fh = await open(this.segPath(num), 'a');
    this.currentRecords = 0;
    this.segments.push({ num, lastPos });
    // make the new directory entry durable
    const d = await open(this.dir, 'r');
    await d.sync().catch(() => undefined);
    await d.close();
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        const waiters = this.pendingWaiters;
        this.pending = [];
        this.pendingWaiters = [];
        try {
          if (this.currentRecords >= this.segmentRecords) {
            const last = this.segments.at(-1);
            await this.openSegment((last?.num ?? 0) + 1, last?.lastPos ?? 0);
          }
          const fh = this.fh;
          if (!fh) throw new CamwardenError(ErrorCode.Aborted, 'outbox closed');
          await writeAll(fh, `${batch.map((r) => r.line).join('\n')}\n`, 'outbox');
          await fh.datasync();
          this.currentRecords += batch.length;
          const seg = this.segments.at(-1);
          const batchLast = batch.at(-1);
          if (seg && batchLast) seg.lastPos = batchLast.pos;
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private segPath(num: number): string {
    return join(this.dir, `seg-${String(num).padStart(12, '0')}.jsonl`);
  }
}
