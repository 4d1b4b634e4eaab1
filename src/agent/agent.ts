import type { AuditSink } from '../audit/audit-sink.js';
import type { Config } from '../config/schema.js';
import type { CameraRecord, DiscoveredDevice, ScanResult } from '../inventory/types.js';
import { diffInventories } from '../reporting/inventory-diff.js';
import { ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { AgentModule } from './agent-module.js';
import { carryOverMissing } from './carry-over.js';
import { Controller } from './controller.js';
import { HealthServer } from './health-server.js';
import { readInventory, writeInventory } from './inventory-file.js';
import type { EnforcementPort, PolicyPort, ReportingPort, RetentionPort, SweepSummary } from './ports.js';
import { ScheduledJob } from './scheduled-job.js';

export type ScanFn = (opts: {
  decide: (records: CameraRecord[]) => CameraRecord[];
  policyRevision: string;
  /** Device service URLs announced by Hello since the last scan (bounded: discovery.helloMaxPending). */
  announced: string[];
  /** Aborted when the agent stops: a scan in flight is given up, not waited for. */
  signal: AbortSignal;
}) => Promise<ScanResult>;

export interface HelloSource {
  start(): Promise<void>;
  stop(): void | Promise<void>;
  on(event: 'hello', listener: (device: DiscoveredDevice) => void): unknown;
  /** Its own counters (received, dropped by reason), shown on /metrics. */
  health?(): Record<string, number>;
}

/** Scan error codes that mean a bound on untrusted input was hit; counted for /metrics (docs/discovery.md). */
const BOUND_CODES: readonly string[] = [
  ErrorCode.DeviceLimit,
  ErrorCode.MissingRelatesTo,
  ErrorCode.UnrelatedReply,
  ErrorCode.HelloDropped,
  ErrorCode.ScopesDropped,
  ErrorCode.DuplicateEndpoint,
];

/** Hello-triggered scans wait this long after the first announcement, so a burst of them leads to one scan. */
const HELLO_DEBOUNCE_MS = 2000;

export interface AgentOptions {
  config: Config;
  logger: Logger;
  audit: AgentModule & AuditSink;
  reporting: ReportingPort;
  policy: PolicyPort;
  enforcement: EnforcementPort;
  retention: RetentionPort | undefined;
  scan: ScanFn;
  hello?: HelloSource;
  clock?: () => Date;
  /** Called with every scan's result once it is decided, persisted and published (the demo's live table). */
  onScan?: (result: ScanResult) => void;
}

/**
 * The daemon's data flow, once per scan: devices → inventory → decisions → enforcement and reports.
 * Modules start in dependency order (reporting first, so everything else can emit) and stop in reverse.
 */
export class Agent {
  readonly scanJob: ScheduledJob<ScanResult>;
  private readonly controller: Controller;
  private inventory: ScanResult | undefined;
  /** (EndpointReference, address) → device service URL, at most discovery.helloMaxPending entries. */
  private readonly helloDevices = new Map<string, string>();
  private helloTimer: NodeJS.Timeout | undefined;
  private lastHelloScan = Number.NEGATIVE_INFINITY;
  private readonly helloStats = { pendingDropped: 0, scansTriggered: 0 };
  /** Scan errors and camera errors per bound code, summed over the scans of this process. */
  private readonly boundCounts: Record<string, number> = Object.fromEntries(BOUND_CODES.map((c) => [c, 0]));
  private ready = false;
  private scanAbort = new AbortController();
  private readonly clock: () => Date;
  readonly healthServer: HealthServer | undefined;

  constructor(private readonly opts: AgentOptions) {
    this.clock = opts.clock ?? (() => new Date());
    const { config, logger } = opts;
    this.scanJob = new ScheduledJob('scan', config.schedule.scan, () => this.scanCycle(), logger, {
      runOnStart: false,
    });
    const modules: AgentModule[] = [opts.reporting, opts.audit, opts.policy, opts.enforcement];
    if (opts.hello) modules.push(this.helloModule(opts.hello));
    modules.push(this.scanJob);
    if (opts.retention) modules.push(opts.retention);
    if (config.http.listen) {
      this.healthServer = new HealthServer(config.http.listen, { health: () => this.health() }, () => this.ready);
      modules.push(this.healthServer);
    }
    this.controller = new Controller(modules, logger);
  }

  get lastInventory(): ScanResult | undefined {
    return this.inventory;
  }

  async start(): Promise<void> {
    this.scanAbort = new AbortController();
    this.inventory = await readInventory(this.opts.config.dataDir);
    if (this.inventory) this.opts.reporting.seedInventory(this.inventory);
    await this.controller.start();
    await this.opts.reporting.events.emit('agent.started', { policyRevision: this.opts.policy.revision() });
    if (this.inventory) {
      // Reconcile from the last known decisions at once, so a restart never leaves a gap in enforcement.
      await this.opts.enforcement.reconcile(this.inventory.cameras, this.opts.policy.current());
    }
    // First pass right away: scan, then (once decisions and zones are known) a retention sweep.
    void this.scanJob
      .runNow()
      .then(() => this.opts.retention?.run())
      .catch(() => undefined)
      .finally(() => {
        this.ready = true;
      });
  }

  async stop(): Promise<void> {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.scanAbort.abort();
    await this.opts.reporting.events.emit('agent.stopping', {}).catch(() => undefined);
    await this.controller.stop();
  }

  /** One scan: discover and interrogate, decide, report changes, persist, enforce. */
  async scanCycle(): Promise<ScanResult> {
    const { policy, reporting, enforcement, logger } = this.opts;
    const now = this.clock();
    const announced = [...this.helloDevices.values()];
    this.helloDevices.clear();
    const scanned = await this.opts.scan({
      decide: (records) => policy.decide(records, now),
      policyRevision: policy.revision(),
      announced,
      signal: this.scanAbort.signal,
    });
    this.countBounds(scanned);
    const result = carryOverMissing(this.inventory, scanned);
    // The reporter emits camera.added/removed/decision.changed events; decisions also go to the audit trail.
    for (const change of diffInventories(this.inventory?.cameras, result.cameras)) {
      if (change.type === 'decision.changed') await this.opts.audit.append('decision', change.data);
    }
    this.inventory = result;
    await writeInventory(this.opts.config.dataDir, result);
    await reporting.publishInventory(result);
    await reporting.events.emit('scan.completed', {
      cameras: result.cameras.length,
      errors: result.errors.length,
      policyRevision: result.policyRevision,
    });
    this.opts.onScan?.(result);
    try {
      await enforcement.reconcile(result.cameras, policy.current());
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'enforcement reconcile failed');
    }
    return result;
  }

  async sweepNow(dryRun = false): Promise<SweepSummary | undefined> {
    return this.opts.retention?.run({ dryRun });
  }

  /** Re-evaluates the last inventory under the active profiles (after a profile change) and enforces it. */
  async redecide(): Promise<void> {
    if (!this.inventory) return;
    const now = this.clock();
    const redecided: ScanResult = {
      ...this.inventory,
      policyRevision: this.opts.policy.revision(),
      cameras: this.opts.policy.decide(this.inventory.cameras, now),
    };
    for (const change of diffInventories(this.inventory.cameras, redecided.cameras)) {
      if (change.type === 'decision.changed') await this.opts.audit.append('decision', change.data);
    }
    this.inventory = redecided;
    await writeInventory(this.opts.config.dataDir, redecided);
    await this.opts.reporting.publishInventory(redecided);
    await this.opts.enforcement.reconcile(redecided.cameras, this.opts.policy.current());
  }

  private countBounds(scanned: ScanResult): void {
    const hits: Record<string, number> = {};
    const count = (code: string): void => {
      if (code in this.boundCounts) hits[code] = (hits[code] ?? 0) + 1;
    };
    for (const e of scanned.errors) count(e.code);
    for (const c of scanned.cameras) for (const e of c.errors) count(e.code);
    for (const [code, n] of Object.entries(hits)) this.boundCounts[code] = (this.boundCounts[code] ?? 0) + n;
    if (Object.keys(hits).length > 0)
      this.opts.logger.warn({ bounds: hits }, 'scan dropped untrusted input over its bounds');
  }

  counts(): { total: number; allow: number; flag: number; block: number } {
    const cameras = this.inventory?.cameras ?? [];
    return {
      total: cameras.length,
      allow: cameras.filter((c) => c.decision.action === 'allow').length,
      flag: cameras.filter((c) => c.decision.action === 'flag').length,
      block: cameras.filter((c) => c.decision.action === 'block').length,
    };
  }

  health(): Record<string, Record<string, number | string | boolean>> {
    return {
      ...this.controller.health(),
      cameras: this.counts(),
      outbox: { depth: this.opts.reporting.outboxDepth() },
      discovery_bounds: { ...this.boundCounts },
    };
  }

  /**
   * Hello announcements (unauthenticated) trigger a scan soon that also interrogates the announced devices directly,
   * within bounds: at most discovery.helloMaxPending devices wait (more are dropped and counted; the scan still
   * finds them by discovery), and Hello-triggered scans start at most once per discovery.helloScanIntervalS.
   */
  private onHello(device: DiscoveredDevice): void {
    const xaddr = device.xaddrs[0];
    if (!xaddr) return;
    const key = `${device.endpoint}\n${device.address}`;
    if (!this.helloDevices.has(key) && this.helloDevices.size >= this.opts.config.discovery.helloMaxPending) {
      this.helloStats.pendingDropped++;
      return;
    }
    this.helloDevices.set(key, xaddr);
    if (this.helloTimer) return;
    const intervalMs = this.opts.config.discovery.helloScanIntervalS * 1000;
    const due = Math.max(Date.now() + HELLO_DEBOUNCE_MS, this.lastHelloScan + intervalMs);
    this.helloTimer = setTimeout(() => {
      this.helloTimer = undefined;
      this.lastHelloScan = Date.now();
      this.helloStats.scansTriggered++;
      void this.scanJob.runNow().catch(() => undefined);
    }, due - Date.now());
  }

  private helloModule(hello: HelloSource): AgentModule {
    return {
      name: 'hello-listener',
      health: () => ({ ...(hello.health?.() ?? {}), pending: this.helloDevices.size, ...this.helloStats }),
      start: async () => {
        hello.on('hello', (device) => this.onHello(device));
        try {
          await hello.start();
        } catch (err) {
          // Port 3702 may be taken by another discovery client; scheduled scans still find everything.
          this.opts.logger.warn({ err: errorMessage(err) }, 'Hello/Bye listener unavailable');
        }
      },
      stop: async () => {
        await hello.stop();
      },
    };
  }
}
