import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EmitOptions, EventData, EventSink, EventType } from '../model/event-sink.js';
import { isCriticalEvent } from '../model/event-types.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { OutboxLog, type StoredRecord } from './outbox-log.js';

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

interface QueuedRecord extends StoredRecord<OutboxEvent> {
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

/**
 * The durable source of truth for events (the EventSink every module gets): `emit` resolves once the event is on
 * disk (outbox-log.ts). An event leaves only when the broker PUBACKed it; past `maxEvents` non-critical events
 * (model/event-types.ts says which) are dropped and counted. This file owns the queue and its delivery (drain, acks); the files are the log's.
 */
export class Outbox implements EventSink {
  readonly bootId: string;
  private readonly log: OutboxLog<OutboxEvent>;
  private readonly now: () => Date;
  private seq = 0;
  private nextPos = 1;
  /** Unacked records are `queue[head..]`; shifting a 100k array per ack would be quadratic. */
  private queue: QueuedRecord[] = [];
  private head = 0;
  /** Offset from `head` of the next record to send on the current connection. */
  private sendIdx = 0;
  private dropped = 0;
  private alarmRaised = false;
  private started = false;
  private changeListeners = new Set<() => void>();
  private drainGen = 0;

  constructor(private readonly opts: OutboxOptions) {
    this.bootId = opts.bootId ?? randomUUID();
    this.log = new OutboxLog(join(opts.dataDir, 'outbox'), opts.logger, opts.segmentRecords ?? 5000);
    this.now = opts.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    if (this.started) return;
    const { unacked, nextPos } = await this.log.open();
    this.queue = unacked.map((rec) => ({ ...rec, replay: true }));
    this.head = 0;
    this.nextPos = nextPos;
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.log.close();
    this.started = false;
  }

  async emit<T extends EventType>(type: T, data: EventData<T>, opts?: EmitOptions): Promise<void> {
    if (!this.started) throw new CamwardenError(ErrorCode.Internal, 'outbox not started');
    const critical = isCriticalEvent(type);
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
    const rec: StoredRecord<OutboxEvent> = { pos: this.nextPos++, ev };
    this.queue.push({ ...rec, replay: false });
    await this.log.append(rec);
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
    await this.log.flushAck();
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
    this.log.acked(next ? next.pos - 1 : this.nextPos - 1);
    if (this.alarmRaised && this.depth() < this.opts.alarmEvents * 0.9) this.alarmRaised = false;
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
