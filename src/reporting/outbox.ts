import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmitOptions, EventSink, EventType } from '../model/event-sink.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** One event as published on `<base>/events`. */
export interface OutboxEvent {
  id: string;
  bootId: string;
  seq: number;
  ts: string;
  type: EventType;
  replayed?: true;
  [key: string]: unknown;
}

interface StoredRecord {
  /** Position in the outbox, monotonic across boots: the ack pointer compares against it. */
  pos: number;
  critical?: true;
  ev: OutboxEvent;
}

interface QueuedRecord extends StoredRecord {
  /** Sent before (an earlier connection) or written by an earlier boot: published with `replayed: true`. */
  replay: boolean;
}

export interface OutboxOptions {
  dataDir: string;
  logger: Logger;
  /** Depth at which `outbox.alarm` is raised (config mqtt.outboxAlarmEvents). */
  alarmEvents: number;
  /** Depth beyond which non-critical events are dropped (config mqtt.outboxMaxEvents). */
  maxEvents: number;
  /** Records per segment file before rotating. */
  segmentRecords?: number;
  now?: () => Date;
  bootId?: string;
}

export interface OutboxStats {
  depth: number;
  oldestAgeS: number;
  dropped: number;
  alarm: boolean;
}

/** Publishes one event and resolves on PUBACK; rejects when the connection is lost. */
export type PublishFn = (ev: OutboxEvent) => Promise<void>;

const SEGMENT_RE = /^seg-(\d{12})\.jsonl$/;
const CRITICAL_PREFIXES = ['enforcement.', 'audit.', 'retention.', 'request.refused', 'decision.changed', 'outbox.'];

/**
 * The durable source of truth for events: append-only JSONL segments, fsync'd before `emit` resolves
 * (group commit: concurrent emits share one fdatasync). An event leaves only when the broker PUBACKed it:
 * the contiguous acked position is persisted in `acked` (write-temp + rename) and fully acked segments are
 * deleted. A torn last line after SIGKILL was never confirmed to its caller and is cut off at open.
 */
export class Outbox implements EventSink {
  readonly bootId: string;
  private readonly dir: string;
  private readonly now: () => Date;
  private readonly segmentRecords: number;
  private seq = 0;
  private nextPos = 1;
  private ackedPos = 0;
  /** Unacked records are `queue[head..]`; shifting a 100k array per ack would be quadratic. */
  private queue: QueuedRecord[] = [];
  private head = 0;
  /** Offset from `head` of the next record to send on the current connection. */
  private sendIdx = 0;
  private segments: Array<{ num: number; lastPos: number }> = [];
  private fh: FileHandle | undefined;
  private currentRecords = 0;
  private pendingLines: string[] = [];
  private pendingWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing: Promise<void> | undefined;
  private dropped = 0;
  private alarmRaised = false;
  private started = false;
  private ackTimer: NodeJS.Timeout | undefined;
  private ackChain: Promise<void> = Promise.resolve();
  private ackDirty = false;
  private changeListeners = new Set<() => void>();
  private drainGen = 0;

  constructor(private readonly opts: OutboxOptions) {
    this.bootId = opts.bootId ?? randomUUID();
    this.dir = join(opts.dataDir, 'outbox');
    this.now = opts.now ?? (() => new Date());
    this.segmentRecords = opts.segmentRecords ?? 5000;
  }

  async start(): Promise<void> {
    if (this.started) return;
    await mkdir(this.dir, { recursive: true });
    this.ackedPos = await this.readAcked();
    const files = (await readdir(this.dir))
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
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
        let rec: StoredRecord;
        try {
          rec = JSON.parse(line) as StoredRecord;
        } catch {
          this.opts.logger.warn({ segment: path }, 'outbox: unreadable record skipped');
          continue;
        }
        lastPos = rec.pos;
        this.nextPos = Math.max(this.nextPos, rec.pos + 1);
        if (rec.pos > this.ackedPos) this.queue.push({ ...rec, replay: true });
      }
      if (torn) {
        const h = await open(path, 'r+');
        await h.truncate(Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
        await h.sync();
        await h.close();
      }
      this.segments.push({ num, lastPos });
    }
    this.nextPos = Math.max(this.nextPos, this.ackedPos + 1);
    this.queue.sort((a, b) => a.pos - b.pos);
    await this.compact();
    await this.openSegment(lastNum + 1);
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.flushWrites();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    await this.persistAck();
    await this.fh?.close();
    this.fh = undefined;
    this.started = false;
  }

  async emit(type: EventType, data: Record<string, unknown>, opts?: EmitOptions): Promise<void> {
    if (!this.started) throw new CamwardenError(ErrorCode.Internal, 'outbox not started');
    const critical = opts?.critical === true || CRITICAL_PREFIXES.some((p) => type.startsWith(p));
    const depth = this.depth();
    if (depth >= this.opts.alarmEvents && !this.alarmRaised && type !== 'outbox.alarm') {
      this.alarmRaised = true;
      this.opts.logger.error({ depth }, 'outbox: alarm threshold reached');
      await this.emit('outbox.alarm', { depth, alarmEvents: this.opts.alarmEvents, maxEvents: this.opts.maxEvents });
    }
    if (!critical && depth >= this.opts.maxEvents) {
      this.dropped++;
      return;
    }
    this.seq++;
    const ev: OutboxEvent = {
      ...data,
      id: `${this.bootId}-${this.seq}`,
      bootId: this.bootId,
      seq: this.seq,
      ts: (opts?.ts ?? this.now()).toISOString(),
      type,
    };
    const rec: StoredRecord = critical ? { pos: this.nextPos++, critical: true, ev } : { pos: this.nextPos++, ev };
    this.queue.push({ ...rec, replay: false });
    await this.append(JSON.stringify(rec));
    this.notify();
  }

  stats(): OutboxStats {
    const oldest = this.queue[this.head];
    const oldestAgeS = oldest ? Math.max(0, (this.now().getTime() - Date.parse(oldest.ev.ts)) / 1000) : 0;
    return {
      depth: this.depth(),
      oldestAgeS: Math.round(oldestAgeS),
      dropped: this.dropped,
      alarm: this.alarmRaised,
    };
  }

  /** Resolves once every event written so far is acked (or the timeout passes); true when empty. */
  async waitEmpty(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.depth() > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.persistAck();
    return this.depth() === 0;
  }

  private depth(): number {
    return this.queue.length - this.head;
  }

  /**
   * Sends the queue in order with at most `maxInflight` unacked publishes, until `signal` aborts
   * (connection lost). Unacked events are resent (replayed) by the next drain.
   */
  async drain(publish: PublishFn, maxInflight: number, signal: AbortSignal): Promise<void> {
    const gen = ++this.drainGen;
    this.sendIdx = 0;
    let inflight = 0;
    let wake: (() => void) | undefined;
    const settled = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    signal.addEventListener('abort', settled, { once: true });
    let failed = false;
    while (!signal.aborted && !failed && this.started) {
      if (this.sendIdx >= this.depth() || inflight >= maxInflight) {
        if (inflight === 0 && this.sendIdx >= this.depth()) {
          await this.waitChange(signal);
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
        continue;
      }
      const rec = this.queue[this.head + this.sendIdx++];
      if (!rec) continue;
      const ev = rec.replay ? { ...rec.ev, replayed: true as const } : rec.ev;
      rec.replay = true;
      inflight++;
      publish(ev).then(
        () => {
          inflight--;
          if (gen === this.drainGen) this.ack(rec.pos);
          settled();
        },
        () => {
          inflight--;
          failed = true;
          settled();
        },
      );
    }
    signal.removeEventListener('abort', settled);
  }

  private ack(pos: number): void {
    // QoS 1 on one connection acks in order, so this is nearly always the head
    const headRec = this.queue[this.head];
    if (!headRec || headRec.pos !== pos) {
      const idx = this.queue.findIndex((r, i) => i >= this.head && r.pos === pos);
      if (idx > this.head) {
        this.queue.splice(idx, 1);
        this.sendIdx = Math.max(0, this.sendIdx - 1);
      }
      return;
    }
    this.head++;
    this.sendIdx = Math.max(0, this.sendIdx - 1);
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const next = this.queue[this.head];
    this.ackedPos = next ? next.pos - 1 : this.nextPos - 1;
    if (this.alarmRaised && this.depth() < this.opts.alarmEvents * 0.9) this.alarmRaised = false;
    this.scheduleAckPersist();
  }

  private scheduleAckPersist(): void {
    this.ackDirty = true;
    if (this.ackTimer) return;
    // batch pointer writes: losing the last 50 ms of acks only means a few at-least-once replays
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      void this.persistAck();
    }, 50);
  }

  /** Serialised: concurrent writers would race on acked.tmp. */
  private persistAck(): Promise<void> {
    this.ackChain = this.ackChain
      .then(() => this.writeAck())
      .catch((err: unknown) => {
        this.ackDirty = true;
        this.opts.logger.error({ err: String(err) }, 'outbox: cannot persist ack pointer');
      });
    return this.ackChain;
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

  private async openSegment(num: number): Promise<void> {
    await this.fh?.close();
    this.fh = await open(this.segPath(num), 'a');
    this.currentRecords = 0;
    this.segments.push({ num, lastPos: this.nextPos - 1 });
    // make the new directory entry durable
    const d = await open(this.dir, 'r');
    await d.sync().catch(() => undefined);
    await d.close();
  }

  private append(line: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingLines.push(line);
      this.pendingWaiters.push({ resolve, reject });
      this.writing ??= this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.pendingLines.length > 0) {
        const lines = this.pendingLines;
        const waiters = this.pendingWaiters;
        this.pendingLines = [];
        this.pendingWaiters = [];
        try {
          if (this.currentRecords >= this.segmentRecords) {
            const last = this.segments.at(-1);
            await this.openSegment((last?.num ?? 0) + 1);
          }
          const fh = this.fh;
          if (!fh) throw new CamwardenError(ErrorCode.Aborted, 'outbox closed');
          await fh.write(`${lines.join('\n')}\n`);
          await fh.datasync();
          this.currentRecords += lines.length;
          const seg = this.segments.at(-1);
          if (seg) seg.lastPos = this.nextPos - 1;
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async flushWrites(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private segPath(num: number): string {
    return join(this.dir, `seg-${String(num).padStart(12, '0')}.jsonl`);
  }

  private notify(): void {
    for (const l of this.changeListeners) l();
  }

  private waitChange(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.changeListeners.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.changeListeners.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
