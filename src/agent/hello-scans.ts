import type { Config } from '../config/schema.js';
import type { AgentModule } from '../model/agent-module.js';
import type { DiscoveredDevice } from '../model/camera-records.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export interface HelloSource {
  start(): Promise<void>;
  stop(): void | Promise<void>;
  on(event: 'hello', listener: (device: DiscoveredDevice) => void): unknown;
  /** Its own counters (received, dropped by reason), shown on /metrics. */
  health?(): Record<string, number>;
}

/** Hello-triggered scans wait this long after the first announcement, so a burst of them leads to one scan. */
const HELLO_DEBOUNCE_MS = 2000;

/**
 * Hello announcements (unauthenticated) trigger a scan soon that also interrogates the announced devices directly,
 * within bounds: at most discovery.helloMaxPending devices wait, at most discovery.maxDevicesPerAddress of them from
 * one sender so a single host announcing many EndpointReferences cannot crowd out other cameras' Hellos (more are
 * dropped and counted; the scan still finds them by discovery), and Hello-triggered scans start at most once per
 * discovery.helloScanIntervalS.
 */
export class HelloScans {
  /** (EndpointReference, address) → device service URL, at most discovery.helloMaxPending entries. */
  private readonly pending = new Map<string, string>();
  /** Sender (source address) → its entries in `pending`; only admitted senders, so never larger than `pending`. */
  private readonly pendingPerSender = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastScan = Number.NEGATIVE_INFINITY;
  /** pendingDropped counts every Hello left out; pendingDroppedSender those over their sender's share. */
  private readonly stats = { pendingDropped: 0, pendingDroppedSender: 0, scansTriggered: 0 };

  constructor(
    private readonly discovery: Config['discovery'],
    private readonly scanSoon: () => void,
    private readonly logger: Logger,
  ) {}

  /** The device service URLs announced since the last scan; the next scan takes them. */
  take(): string[] {
    const announced = [...this.pending.values()];
    this.pending.clear();
    this.pendingPerSender.clear();
    return announced;
  }

  /** No Hello-triggered scan starts after this. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The listener as a module of the agent: started and stopped with it, its counters in health. */
  module(hello: HelloSource): AgentModule {
    return {
      name: 'hello-listener',
      health: () => ({ ...(hello.health?.() ?? {}), pending: this.pending.size, ...this.stats }),
      start: async () => {
        hello.on('hello', (device) => this.onHello(device));
        try {
          await hello.start();
        } catch (err) {
          // Port 3702 may be taken by another discovery client; scheduled scans still find everything.
          this.logger.warn({ err: errorMessage(err) }, 'Hello/Bye listener unavailable');
        }
      },
      stop: async () => {
        await hello.stop();
      },
    };
  }

  private onHello(device: DiscoveredDevice): void {
    const xaddr = device.xaddrs[0];
    if (!xaddr) return;
    const key = `${device.endpoint}\n${device.address}`;
    if (!this.pending.has(key)) {
      const fromSender = this.pendingPerSender.get(device.address) ?? 0;
      if (fromSender >= this.discovery.maxDevicesPerAddress) {
        this.stats.pendingDropped++;
        this.stats.pendingDroppedSender++;
        return;
      }
      if (this.pending.size >= this.discovery.helloMaxPending) {
        this.stats.pendingDropped++;
        return;
      }
      this.pendingPerSender.set(device.address, fromSender + 1);
    }
    this.pending.set(key, xaddr);
    if (this.timer) return;
    const intervalMs = this.discovery.helloScanIntervalS * 1000;
    const due = Math.max(Date.now() + HELLO_DEBOUNCE_MS, this.lastScan + intervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastScan = Date.now();
      this.stats.scansTriggered++;
      this.scanSoon();
    }, due - Date.now());
  }
}
