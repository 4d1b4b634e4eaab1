import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { DiscoveredDevice } from '../model/camera-records.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { MAX_DATAGRAM_BYTES, WSD_MULTICAST_ADDRESS, WSD_PORT } from './constants.js';
import { listIpv4Interfaces } from './interfaces.js';
import { deviceFromEntry, isOnvifEntry, parseDiscoveryMessage } from './messages.js';
import { RateWindow } from './rate-window.js';
import { DEFAULT_SCOPE_LIMITS, type ScopeLimits } from './scope-limits.js';

export interface HelloListenerOptions {
  interfaces?: readonly string[];
  port?: number;
  logger?: Logger;
  /** Datagrams parsed per second over all senders and per sender (config discovery.helloPerSecond, …PerSender…). */
  perSecond?: number;
  perSenderPerSecond?: number;
  scopeLimits?: ScopeLimits;
  /** Clock of the rate windows (tests). */
  now?: () => number;
}

/** What the listener saw, for /metrics: every datagram is counted once, as accepted or under one drop reason. */
export interface HelloCounters {
  received: number;
  hello: number;
  bye: number;
  droppedRate: number;
  droppedSenderRate: number;
  droppedOversize: number;
  droppedUnparsable: number;
  droppedOther: number;
}

/** A drop summary is logged at most this often, so a flood cannot flood the log too. */
const LOG_EVERY_MS = 60_000;

export interface HelloListenerEvents {
  hello: [DiscoveredDevice];
  bye: [{ endpoint: string; address: string }];
}

/**
 * Passive detection for `run`: listens on UDP 3702 for Hello/Bye, joined to the multicast group on each interface.
 * Never answers anything (the gateway is a discovery client only). start()/stop() lifecycle, no work in the constructor.
 */
export class HelloListener extends EventEmitter<HelloListenerEvents> {
  private socket: Socket | undefined;
  private readonly log: Logger;
  private readonly rate: RateWindow;
  private readonly now: () => number;
  readonly counters: HelloCounters = {
    received: 0,
    hello: 0,
    bye: 0,
    droppedRate: 0,
    droppedSenderRate: 0,
    droppedOversize: 0,
    droppedUnparsable: 0,
    droppedOther: 0,
  };
  private lastLog = 0;
  private droppedAtLastLog = 0;

  constructor(private readonly opts: HelloListenerOptions = {}) {
    super();
    this.log = opts.logger ?? silentLogger();
    this.now = opts.now ?? Date.now;
    this.rate = new RateWindow(opts.perSecond ?? 20, opts.perSenderPerSecond ?? 4, this.now);
  }

  /** Counters for /metrics (numbers only). */
  health(): Record<string, number> {
    return { ...this.counters, dropped: this.dropped() };
  }

  private dropped(): number {
    const c = this.counters;
    return c.droppedRate + c.droppedSenderRate + c.droppedOversize + c.droppedUnparsable + c.droppedOther;
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('error', (err) => this.log.warn({ err }, 'hello listener socket error'));
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(this.opts.port ?? WSD_PORT, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      for (const iface of listIpv4Interfaces(this.opts.interfaces ?? [])) {
        try {
          socket.addMembership(WSD_MULTICAST_ADDRESS, iface.address);
        } catch (err) {
          this.log.warn({ err, iface: iface.name }, 'cannot join WS-Discovery group');
        }
      }
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  stop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  /**
   * Unauthenticated datagrams: the rate check comes first and costs a map lookup, so a flood is dropped unread;
   * only admitted datagrams (at most helloPerSecond) are parsed, each ≤ 64 KiB.
   */
  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const c = this.counters;
    c.received++;
    try {
      const verdict = this.rate.admit(rinfo.address);
      if (verdict === 'over-total') c.droppedRate++;
      else if (verdict === 'over-sender') c.droppedSenderRate++;
      else if (msg.length > MAX_DATAGRAM_BYTES) c.droppedOversize++;
      else {
        const parsed = parseDiscoveryMessage(msg, this.opts.scopeLimits ?? DEFAULT_SCOPE_LIMITS);
        if (parsed.kind === 'hello' && isOnvifEntry(parsed.entry) && parsed.entry.endpoint !== '') {
          c.hello++;
          this.emit('hello', deviceFromEntry(parsed.entry, rinfo.address, 'hello'));
        } else if (parsed.kind === 'bye' && parsed.endpoint !== '') {
          c.bye++;
          this.emit('bye', { endpoint: parsed.endpoint, address: rinfo.address });
        } else c.droppedOther++;
      }
    } catch (err) {
      c.droppedUnparsable++;
      this.log.debug(
        { from: rinfo.address, reason: err instanceof Error ? err.message : String(err) },
        'hello dropped',
      );
    }
    this.logDrops();
  }

  private logDrops(): void {
    const dropped = this.dropped();
    const t = this.now();
    if (dropped === this.droppedAtLastLog || t - this.lastLog < LOG_EVERY_MS) return;
    this.log.warn(
      { hello: this.health(), droppedSinceLastLog: dropped - this.droppedAtLastLog },
      'Hello/Bye datagrams dropped',
    );
    this.lastLog = t;
    this.droppedAtLastLog = dropped;
  }
}
