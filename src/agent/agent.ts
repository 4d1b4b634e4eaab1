import type { Config } from '../config/schema.js';
import {
  type IdentityContext,
  type IdentityOutcome,
  identityContext,
  mergePins,
  type PinnedIdentity,
  readIdentityPins,
  writeIdentityPins,
} from '../inventory/identity-pins.js';
import type { AgentModule } from '../model/agent-module.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { CameraRecord, ScanResult } from '../model/camera-records.js';
import { activePack } from '../policy/evaluate.js';
import { holdDecisions } from '../policy/hold-decisions.js';
import { diffInventories } from '../reporting/inventory-diff.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { SerialQueue } from '../util/serial-queue.js';
import { carryOverMissing } from './carry-over.js';
import { Controller } from './controller.js';
import { DataDirLock } from './data-dir-lock.js';
import { HealthServer } from './health-server.js';
import { HelloScans, type HelloSource } from './hello-scans.js';
import { readInventory, writeInventory } from './inventory-file.js';
import { blocksWithoutRecord } from './lost-blocks.js';
import type { EnforcementPort, PolicyPort, ReportingPort, RetentionPort, SweepSummary } from './ports.js';
import { ScheduledJob } from './scheduled-job.js';

export type ScanFn = (opts: {
  decide: (records: CameraRecord[]) => CameraRecord[];
  policyRevision: string;
  /** Device service URLs announced by Hello since the last scan (bounded: helloMaxPending, maxDevicesPerAddress each). */
  announced: string[];
  /** Aborted when the agent stops: a scan in flight is given up, not waited for. */
  signal: AbortSignal;
  /** Who owns which id (pins from the data dir); the scan reports what it pinned or found through onIdentity. */
  identity: IdentityContext;
  onIdentity: (outcome: IdentityOutcome) => void;
}) => Promise<ScanResult>;

/** A signed operator request lifting the sticky block of one camera (`block/release`). */
export interface BlockRelease {
  cameraId: string;
  reason: string;
  unit: string;
  name: string;
  keyId: string;
  transaction: string;
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
  private readonly helloScans: HelloScans;
  private pins: PinnedIdentity[] = [];
  /** Released by an operator, waiting for their next decision. */
  private readonly releases = new Set<string>();
  /** Blocked by the enforcement state with no record in the inventory (lost-blocks.ts): held until they have one. */
  private lostBlocks = new Set<string>();
  /** Scan errors and camera errors per bound code, summed over the scans of this process. */
  private readonly boundCounts: Record<string, number> = Object.fromEntries(BOUND_CODES.map((c) => [c, 0]));
  /**
   * Deciding, holding and adopting an inventory (a scan's, a re-decision's) run one at a time, so each starts
   * from the inventory the one before left and enforcement gets them in that order: a re-decision never
   * overwrites a newer scan, and a scan never overwrites a newer decision with its older one.
   */
  private readonly decisions = new SerialQueue();
  /** Counts the re-decisions: a scan that ran across one is decided again before it is adopted. */
  private redecisions = 0;
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
    this.helloScans = new HelloScans(config.discovery, () => void this.scanJob.runNow().catch(() => undefined), logger);
    const modules: AgentModule[] = [opts.reporting, opts.audit, opts.policy, opts.enforcement];
    if (opts.hello) modules.push(this.helloScans.module(opts.hello));
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

  /** The identities pinned so far (levers use them to choose per-device credentials). */
  pinnedIdentities(): readonly PinnedIdentity[] {
    return this.pins;
  }

  async start(): Promise<void> {
    // first: a second agent on this data dir must not touch its outbox, audit log or state
    this.lock = await DataDirLock.acquire(this.opts.config.dataDir, 'agent');
    this.scanAbort = new AbortController();
    // A corrupt pin file stops the start (named in the error) rather than be read as "nothing pinned".
    this.pins = await readIdentityPins(this.opts.config.dataDir);
    this.inventory = await readInventory(this.opts.config.dataDir);
    this.lostBlocks = await blocksWithoutRecord(this.opts.config.dataDir, this.inventory);
    if (this.lostBlocks.size > 0) {
      this.opts.logger.warn(
        { cameras: [...this.lostBlocks] },
        'enforcement in force for cameras the inventory has no record of (inventory.json lost?): held as block',
      );
    }
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
    this.helloScans.cancel();
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
    const announced = this.helloScans.take();
    const revision = policy.revision();
    const redecisions = this.redecisions;
    let identity: IdentityOutcome | undefined;
    const scanned = await this.opts.scan({
      decide: (records) => policy.decide(records, now),
      policyRevision: revision,
      announced,
      signal: this.scanAbort.signal,
      identity: identityContext(this.pins, this.inventory?.cameras),
      onIdentity: (outcome) => {
        identity = outcome;
      },
    });
    if (identity) await this.applyIdentity(identity);
    this.countBounds(scanned);
    const { result, enforced } = await this.decisions.run(async () => {
      // The profiles changed while the scan ran (their re-decision is adopted already): decide it under the new
      // ones, or its older decisions would undo theirs.
      const stale = policy.revision() !== revision || this.redecisions !== redecisions;
      const decided = stale
        ? { ...scanned, policyRevision: policy.revision(), cameras: policy.decide(scanned.cameras, this.clock()) }
        : scanned;
      const previous = this.inventory; // as it is now: a release may have re-decided it while the scan ran
      const carried = carryOverMissing(previous, decided);
      const result: ScanResult = { ...carried, cameras: this.hold(carried.cameras, previous) };
      await this.adopt(result);
      await reporting.events.emit('scan.completed', {
        cameras: result.cameras.length,
        errors: result.errors.length,
        policyRevision: result.policyRevision,
      });
      this.opts.onScan?.(result);
      // queued here, in adoption order; waited for outside, so the next decision need not wait for the devices
      const enforced = enforcement.reconcile(result.cameras, policy.current()).then(
        () => undefined,
        (err: unknown) => {
          logger.error({ err: errorMessage(err) }, 'enforcement reconcile failed');
        },
      );
      return { result, enforced };
    });
    await enforced;
    return result;
  }

  /**
   * A signed operator request lifts the sticky block of one camera: its next decision applies at once (re-decided
   * now; `flag` while it cannot be verified). The audit entry names the key, reason, unit and name.
   */
  async releaseBlock(release: BlockRelease): Promise<{ cameraId: string; previousAction: string; action: string }> {
    const camera = this.inventory?.cameras.find((c) => c.id === release.cameraId);
    if (!camera) {
      throw new CamwardenError(ErrorCode.InvalidRequest, `no camera ${JSON.stringify(release.cameraId)} is known`);
    }
    if (camera.decision.action !== 'block') {
      throw new CamwardenError(
        ErrorCode.InvalidRequest,
        `camera ${release.cameraId} is not blocked (${camera.decision.action}): nothing to release`,
      );
    }
    const entry = { ...release, address: camera.address, previousAction: 'block' as const };
    await this.opts.audit.append('block-release', entry);
    await this.opts.reporting.events.emit('block.released', entry);
    this.releases.add(release.cameraId);
    const { cameraId, reason, unit, name, keyId } = release;
    this.opts.enforcement.authorizeRelease?.(cameraId, { reason, unit, name, keyId });
    await this.redecide();
    const action = this.inventory?.cameras.find((c) => c.id === release.cameraId)?.decision.action ?? 'block';
    // Re-verified as prohibited: the block stands, and the footage it keeps in quarantine is not this operator's to
    // release later (the register would name them for a release they did not make).
    if (action === 'block') this.opts.enforcement.forgetRelease?.(cameraId);
    return { cameraId: release.cameraId, previousAction: 'block', action };
  }

  /** Persists what a scan pinned (before anything depends on it) and reports conflicts and moves. */
  private async applyIdentity(outcome: IdentityOutcome): Promise<void> {
    if (outcome.pins.length > 0) {
      this.pins = mergePins(this.pins, outcome.pins);
      await writeIdentityPins(this.opts.config.dataDir, this.pins);
    }
    for (const event of outcome.events) {
      if (event.type === 'identity.conflict' && this.alreadyInConflict(event.data.claimantId)) continue;
      await this.opts.reporting.events.emit(event.type, event.data);
      await this.opts.audit.append('identity', { event: event.type, ...event.data });
    }
  }

  /** A conflict already reported by the last scan is not an event again (it stays on the claimant's record). */
  private alreadyInConflict(claimantId: string): boolean {
    const last = this.inventory?.cameras.find((c) => c.id === claimantId);
    return last?.errors.some((e) => e.code === ErrorCode.IdentityConflict) === true;
  }

  /** Sticky blocks and claimants (policy/hold-decisions.ts); consumes the pending releases. */
  private hold(records: CameraRecord[], previous: ScanResult | undefined): CameraRecord[] {
    const released = new Set(this.releases);
    this.releases.clear();
    return holdDecisions(records, {
      previous: previous?.cameras,
      blockedWithoutRecord: this.lostBlocks,
      released,
      rule: activePack(this.opts.policy.current()).id,
    });
  }

  async sweepNow(dryRun = false): Promise<SweepSummary | undefined> {
    return this.opts.retention?.run({ dryRun });
  }

  /** Re-evaluates the last inventory under the active profiles (after a profile change) and enforces it. */
  async redecide(): Promise<void> {
    const { enforced } = await this.decisions.run(async () => {
      this.redecisions++;
      if (!this.inventory) return { enforced: undefined };
      const now = this.clock();
      const redecided: ScanResult = {
        ...this.inventory,
        policyRevision: this.opts.policy.revision(),
        cameras: this.hold(this.opts.policy.decide(this.inventory.cameras, now), this.inventory),
      };
      await this.adopt(redecided);
      return { enforced: this.opts.enforcement.reconcile(redecided.cameras, this.opts.policy.current()) };
    });
    await enforced;
  }

  /**
   * Makes `next` the inventory: its decision changes go to the audit trail (the reporter emits the
   * camera.added/removed/decision.changed events), then it is kept, written and published.
   */
  private async adopt(next: ScanResult): Promise<void> {
    for (const change of diffInventories(this.inventory?.cameras, next.cameras)) {
      if (change.type === 'decision.changed') await this.opts.audit.append('decision', change.data);
    }
    this.inventory = next;
    // A held record is in the inventory now: its block holds from there (or it was lifted).
    for (const c of next.cameras) this.lostBlocks.delete(c.id);
    await writeInventory(this.opts.config.dataDir, next);
    await this.opts.reporting.publishInventory(next);
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
}
