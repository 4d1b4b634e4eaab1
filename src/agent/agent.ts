import type { AuditSink } from '../audit/audit-sink.js';
import type { Config } from '../config/schema.js';
import type { CameraRecord, DiscoveredDevice, ScanResult } from '../inventory/types.js';
import { diffInventories } from '../reporting/inventory-diff.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { AgentModule } from './agent-module.js';
import { carryOverMissing } from './carry-over.js';
import { Controller } from './controller.js';
import { DataDirLock } from './data-dir-lock.js';
import { HealthServer } from './health-server.js';
import { readInventory, writeInventory } from './inventory-file.js';
import type { EnforcementPort, PolicyPort, ReportingPort, RetentionPort, SweepSummary } from './ports.js';
import { ScheduledJob } from './scheduled-job.js';

export type ScanFn = (opts: {
  decide: (records: CameraRecord[]) => CameraRecord[];
  policyRevision: string;
  extraDevices: string[];
  /** Aborted when the agent stops: a scan in flight is given up, not waited for. */
  signal: AbortSignal;
}) => Promise<ScanResult>;

export interface HelloSource {
  start(): Promise<void>;
  stop(): void | Promise<void>;
  on(event: 'hello', listener: (device: DiscoveredDevice) => void): unknown;
}

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
  private helloDevices = new Map<string, string>();
  private helloTimer: NodeJS.Timeout | undefined;
  private ready = false;
  private scanAbort = new AbortController();
  private readonly clock: () => Date;
  private lock: DataDirLock | undefined;
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
    // first: a second agent on this data dir must not touch its outbox, audit log or state
    this.lock = await DataDirLock.acquire(this.opts.config.dataDir, 'agent');
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
    if (!this.lock) return; // never started (the data dir was another's): nothing of ours to stop
    await this.opts.reporting.events.emit('agent.stopping', {}).catch(() => undefined);
    await this.controller.stop();
    await this.lock.release();
    this.lock = undefined;
  }

  /** One scan: discover and interrogate, decide, report changes, persist, enforce. */
  async scanCycle(): Promise<ScanResult> {
    const { policy, reporting, enforcement, logger } = this.opts;
    const now = this.clock();
    const extraDevices = [...this.helloDevices.values()];
    this.helloDevices.clear();
    const scanned = await this.opts.scan({
      decide: (records) => policy.decide(records, now),
      policyRevision: policy.revision(),
      extraDevices,
      signal: this.scanAbort.signal,
    });
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
    };
  }

  /** Hello announcements trigger a scan soon (debounced) that also interrogates the announced device directly. */
  private helloModule(hello: HelloSource): AgentModule {
    return {
      name: 'hello-listener',
      start: async () => {
        hello.on('hello', (device) => {
          const xaddr = device.xaddrs[0];
          if (!xaddr) return;
          this.helloDevices.set(device.endpoint || device.address, xaddr);
          if (this.helloTimer) return;
          this.helloTimer = setTimeout(() => {
            this.helloTimer = undefined;
            void this.scanJob.runNow().catch(() => undefined);
          }, 2000);
        });
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
