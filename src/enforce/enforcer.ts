import { networkInterfaces } from 'node:os';
import type { EnforceConfig } from '../config/schema.js';
import type { AgentModule } from '../model/agent-module.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { CameraRecord } from '../model/camera-records.js';
import type { EventSink, EventType } from '../model/event-sink.js';
import type { OnvifCredentials, OpenSession } from '../onvif/session.js';
import type { ProfileSet } from '../profiles/types.js';
import { backoffDelay } from '../util/backoff.js';
import { CamwardenError, ErrorCode, errorCodeOf, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { computeDesired } from './desired-state.js';
import type { Lever } from './levers/lever.js';
import { privacyMaskLever } from './levers/privacy-mask.js';
import { recordingJobIdleLever } from './levers/recording-job-idle.js';
import { rtspOffLever } from './levers/rtsp-off.js';
import {
  createLinkViewSource,
  ipv6AddressesOf,
  type LinkView,
  type LinkViewSource,
  MAX_IPV6_PER_CAMERA,
} from './link-view.js';
import { createNftRunner } from './nft-runner.js';
import { NftablesBackend } from './nftables-backend.js';
import { planEnforcement } from './plan.js';
import { hookUsesAction, runRecorderHook } from './recorder-hook.js';
import { loadEnforcementState, saveEnforcementState } from './state-file.js';
import type {
  ActionKind,
  ActionSpec,
  AppliedAction,
  EnforcementPlan,
  FootageQuarantine,
  HookRunner,
  NftRunner,
  ReleaseAuthority,
} from './types.js';

export interface EnforcerDeps {
  config: EnforceConfig;
  /** `<dataDir>/enforcement-state.json` (see enforcementStatePath). */
  stateFile: string;
  /** Defaults to the real `nft` (config nftPath) in the current network namespace. */
  nft?: NftRunner;
  /** ONVIF sessions for the levers; without it, a configured lever fails (reported), nothing else breaks. */
  openSession?: OpenSession;
  credentialsFor?: (target: { cameraId: string | undefined; xaddr: string }) => OnvifCredentials | undefined;
  quarantine?: FootageQuarantine;
  runHook?: HookRunner;
  events: EventSink;
  audit: AuditSink;
  logger?: Logger;
  clock?: () => Date;
  /** The gateway's own addresses (default: this host's interfaces), never isolated. */
  gatewayAddresses?: () => string[];
  /** The neighbour table and the gateway's IPv6 prefixes, to learn blocked cameras' IPv6 addresses (default: `ip`). */
  linkView?: LinkViewSource;
}

export interface ActionFailure {
  key: string;
  op: 'apply' | 'revert';
  attempt: number;
  code: string;
  error: string;
  /** When the next attempt is due (ms from now). */
  nextRetryMs: number;
}

export interface ReconcileResult {
  mode: EnforceConfig['mode'];
  plan: EnforcementPlan;
  applied: string[];
  reverted: string[];
  failed: ActionFailure[];
  /** Failed earlier and still waiting for their backoff to expire. */
  deferred: string[];
  skipped: Array<{ cameraId: string; action: ActionKind; reason: string }>;
}

interface FailureRecord {
  op: 'apply' | 'revert';
  attempts: number;
  nextAt: number;
}

const LEVERS: Partial<Record<ActionKind, Lever>> = {
  'rtsp-off': rtspOffLever,
  'privacy-mask': privacyMaskLever,
  'recording-job-idle': recordingJobIdleLever,
};

/**
 * Makes `block` decisions take effect and undoes them when they change. reconcile() is idempotent and
 * serialised; the applied state lives in the state file (levers' prior device state, hooks, quarantine) and, for
 * isolation, in the live nftables set, which is read back on every pass so nothing lingers or goes missing.
 */
export class Enforcer implements AgentModule {
  readonly name = 'enforce';
  private state: Map<string, AppliedAction> | undefined;
  private readonly failures = new Map<string, FailureRecord>();
  private readonly reportedSkips = new Set<string>();
  private tableWritten = false;
  /** Non-lever changes are saved coalesced (at most every 250 ms, and at the end of a pass). */
  private stateDirty = false;
  private lastSave = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private started = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private last: { records: readonly CameraRecord[]; profiles: ProfileSet | undefined } | undefined;
  private lastResult: ReconcileResult | undefined;
  private readonly clock: () => Date;
  private readonly nft: NftablesBackend;
  private readonly linkView: LinkViewSource;
  /** Who lifted a camera's block by a signed request: named when its footage leaves quarantine. */
  private readonly releases = new Map<string, ReleaseAuthority>();

  constructor(private readonly deps: EnforcerDeps) {
    this.clock = deps.clock ?? (() => new Date());
    const runner = deps.nft ?? createNftRunner({ nftPath: deps.config.nftables.nftPath });
    this.nft = new NftablesBackend(runner, deps.config.nftables.table);
    this.linkView = deps.linkView ?? createLinkViewSource();
  }

  /** Records who released a camera's block (`block/release`): its quarantine release names them and why. */
  authorizeRelease(cameraId: string, by: ReleaseAuthority): void {
    this.releases.set(cameraId, by);
  }

  async start(): Promise<void> {
    this.started = true;
    const every = this.deps.config.reconcileIntervalMs ?? 0;
    if (every > 0 && !this.interval) {
      // Between scans, someone may flush the ruleset or reset a device: re-apply the last decisions.
      this.interval = setInterval(() => {
        const last = this.last;
        if (!last || this.deps.config.mode !== 'on') return;
        this.reconcile(last.records, last.profiles).catch((err: unknown) => {
          this.deps.logger?.error({ err: errorMessage(err) }, 'periodic enforcement reconcile failed');
        });
      }, every);
      this.interval.unref();
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.chain.catch(() => undefined);
  }

  health(): Record<string, number | string | boolean> {
    return {
      mode: this.deps.config.mode,
      appliedActions: this.state?.size ?? 0,
      failingActions: this.failures.size,
    };
  }

  /** Actions in effect (after the last reconcile), for reports. */
  appliedActions(): AppliedAction[] {
    return [...(this.state?.values() ?? [])];
  }

  /** Compares what the decisions require with what is in effect and closes the gap (per `enforce.mode`). */
  reconcile(records: readonly CameraRecord[], profiles: ProfileSet | undefined): Promise<ReconcileResult> {
    const run = this.chain.then(() => this.reconcileNow(records, profiles));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async reconcileNow(
    records: readonly CameraRecord[],
    profiles: ProfileSet | undefined,
  ): Promise<ReconcileResult> {
    this.last = { records, profiles };
    const cfg = this.deps.config;
    // Dry-run and off read only the state file: no nft command, no device call, no write.
    const known = cfg.mode === 'on' ? await this.loadState() : await loadEnforcementState(this.deps.stateFile);
    const ipv6 = await this.ipv6Isolation(records, known);
    const desired = computeDesired(records, profiles, {
      levers: cfg.levers,
      nftables: cfg.nftables.enabled,
      quarantine: cfg.quarantineFootage && this.deps.quarantine !== undefined,
      gatewayAddresses: (this.deps.gatewayAddresses ?? localAddresses)(),
      ipv6Of: ipv6.of,
    });
    desired.skipped.push(...ipv6.skipped);
    const result: ReconcileResult = {
      mode: cfg.mode,
      plan: { apply: [], revert: [], keep: [], retained: [] },
      applied: [],
      reverted: [],
      failed: [],
      deferred: [],
      skipped: desired.skipped,
    };
    if (cfg.mode !== 'on') {
      result.plan = planEnforcement(desired, known);
      if (cfg.mode === 'dry-run') await this.emitPlanned(result.plan);
      this.deps.logger?.info(
        {
          mode: cfg.mode,
          apply: result.plan.apply.map((a) => a.key),
          revert: result.plan.revert.map((a) => a.spec.key),
        },
        'enforcement plan (nothing changed)',
      );
      this.lastResult = result;
      return result;
    }

    const state = known;
    const isolateError = await this.syncLiveSet(state);
    const plan = planEnforcement(desired, state);
    result.plan = plan;
    await this.refreshOwners(desired.actions, state);
    await this.reportSkips(desired.skipped);

    const batched = isolateError ? new Set<string>() : await this.isolateInOneTransaction(plan);
    const done = async (): Promise<undefined> => undefined;
    const inPlan = new Set<string>();
    for (const action of plan.revert) {
      const key = action.spec.key;
      inPlan.add(key);
      await this.attempt(
        result,
        'revert',
        action.spec,
        batched.has(key) ? done : () => this.revert(action, isolateError),
      );
    }
    for (const spec of plan.apply) {
      inPlan.add(spec.key);
      await this.attempt(result, 'apply', spec, batched.has(spec.key) ? done : () => this.apply(spec, isolateError));
    }
    if (this.stateDirty) await this.saveState(state);
    for (const key of [...this.failures.keys()]) if (!inPlan.has(key)) this.failures.delete(key);
    this.scheduleRetry();
    this.lastResult = result;
    return result;
  }

  /**
   * Which IPv6 addresses go with each blocked camera: what the neighbour table and the device show now
   * (link-view.ts), plus those already isolated for it, so an address the table forgot while the camera is still
   * blocked is not released (at most MAX_IPV6_PER_CAMERA). The table is read only when something is blocked; if it
   * cannot be read, the addresses already isolated stay and each blocked camera gets a skip saying so.
   */
  private async ipv6Isolation(
    records: readonly CameraRecord[],
    known: ReadonlyMap<string, AppliedAction>,
  ): Promise<{ of: (r: CameraRecord) => string[]; skipped: ReconcileResult['skipped'] }> {
    const blocked = records.filter((r) => r.decision.action === 'block' && r.parent === undefined);
    if (!this.deps.config.nftables.enabled || blocked.length === 0) return { of: () => [], skipped: [] };
    const isolated = new Map<string, string[]>();
    for (const a of known.values()) {
      if (a.spec.kind !== 'isolate' || !a.spec.address?.includes(':')) continue;
      for (const id of a.spec.cameras) isolated.set(id, [...(isolated.get(id) ?? []), a.spec.address]);
    }
    let view: LinkView | undefined;
    const skipped: ReconcileResult['skipped'] = [];
    try {
      view = await this.linkView();
    } catch (err) {
      this.deps.logger?.warn({ err: errorMessage(err) }, 'IPv6 addresses of blocked cameras cannot be learnt');
      for (const r of blocked) {
        skipped.push({ cameraId: r.id, action: 'isolate', reason: `IPv6 addresses not learnt: ${errorMessage(err)}` });
      }
    }
    const of = (r: CameraRecord): string[] => {
      const now = view ? ipv6AddressesOf(r.address, r.ipv6 ?? [], view) : [];
      return [...new Set([...now, ...(isolated.get(r.id) ?? [])])].slice(0, MAX_IPV6_PER_CAMERA);
    };
    return { of, skipped };
  }

  /** The last reconcile's result (for health and the run command). */
  lastReconcile(): ReconcileResult | undefined {
    return this.lastResult;
  }

  private async loadState(): Promise<Map<string, AppliedAction>> {
    if (!this.state) {
      try {
        this.state = await loadEnforcementState(this.deps.stateFile);
      } catch (err) {
        await this.report('enforcement.failed', {
          key: 'state',
          op: 'load',
          error: errorMessage(err),
          code: errorCodeOf(err),
        });
        throw err;
      }
    }
    return this.state;
  }

  private async saveState(state: Map<string, AppliedAction>): Promise<void> {
    await saveEnforcementState(this.deps.stateFile, state);
    this.stateDirty = false;
    this.lastSave = Date.now();
  }

  /**
   * Many address changes (first start on a big site) go to nft as one transaction instead of one process each.
   * Returns the keys it handled; on failure it handles none, and each action then runs and fails on its own,
   * so every failure is still reported per camera.
   */
  private async isolateInOneTransaction(plan: EnforcementPlan): Promise<Set<string>> {
    const now = this.clock().getTime();
    const due = (key: string, op: 'apply' | 'revert') => {
      const f = this.failures.get(key);
      return !(f && f.op === op && f.nextAt > now);
    };
    const removes = plan.revert.filter((a) => a.spec.kind === 'isolate' && a.spec.address && due(a.spec.key, 'revert'));
    const adds = plan.apply.filter((a) => a.kind === 'isolate' && a.address && due(a.key, 'apply'));
    if (removes.length + adds.length < 2) return new Set();
    try {
      await this.nft.change(
        adds.map((a) => a.address as string),
        removes.map((a) => a.spec.address as string),
      );
    } catch (err) {
      this.deps.logger?.warn({ err: errorMessage(err) }, 'batched isolation failed; retrying address by address');
      return new Set();
    }
    return new Set([...adds.map((a) => a.key), ...removes.map((a) => a.spec.key)]);
  }

  /**
   * Makes the isolate entries of `state` equal the live set: an address the state lists but the kernel lacks
   * went missing (re-applied by the plan), an address in the set that the state does not know is stale (owner
   * unknown: reverted). The table itself is rewritten (keeping the live elements) once per process and whenever
   * its chains are found altered, so its rules are exactly ours: never missing, never duplicated. Returns the error that makes isolation impossible now, if any.
   */
  private async syncLiveSet(state: Map<string, AppliedAction>): Promise<Error | undefined> {
    const wantsNft = this.deps.config.nftables.enabled || [...state.values()].some((a) => a.spec.kind === 'isolate');
    if (!wantsNft) return undefined;
    let live: string[];
    try {
      const table = await this.nft.readTable();
      if (table === undefined || !table.intact || !this.tableWritten) {
        if (table && !table.intact) this.deps.logger?.warn('camwarden nftables table was altered: rewriting it');
        await this.nft.writeTable(table?.elements ?? []);
        this.tableWritten = true;
      }
      live = table?.elements ?? [];
    } catch (err) {
      this.tableWritten = false;
      return err instanceof Error ? err : new CamwardenError(ErrorCode.EnforcementFailed, String(err));
    }
    const liveSet = new Set(live);
    let changed = false;
    for (const [key, action] of state) {
      if (action.spec.kind === 'isolate' && action.spec.address && !liveSet.has(action.spec.address)) {
        this.deps.logger?.warn({ address: action.spec.address }, 'isolation rule went missing from the live set');
        state.delete(key);
        changed = true;
      }
    }
    for (const address of live) {
      const key = `isolate:${address}`;
      if (!state.has(key)) {
        state.set(key, { spec: { key, kind: 'isolate', cameras: [], address }, appliedAt: this.clock().toISOString() });
        changed = true;
      }
    }
    if (changed) await this.saveState(state);
    return undefined;
  }

  /** Several cameras may come to need one action (a shared address): keep the owner list current. */
  private async refreshOwners(actions: readonly ActionSpec[], state: Map<string, AppliedAction>): Promise<void> {
    let changed = false;
    for (const spec of actions) {
      const applied = state.get(spec.key);
      if (applied && applied.spec.cameras.join('\n') !== spec.cameras.join('\n')) {
        applied.spec = { ...applied.spec, cameras: [...spec.cameras] };
        changed = true;
      }
    }
    if (changed) await this.saveState(state);
  }

  private async attempt(
    result: ReconcileResult,
    op: 'apply' | 'revert',
    spec: ActionSpec,
    run: () => Promise<Record<string, unknown> | undefined>,
  ): Promise<void> {
    const now = this.clock().getTime();
    const failure = this.failures.get(spec.key);
    if (failure && failure.op === op && failure.nextAt > now) {
      result.deferred.push(spec.key);
      return;
    }
    const state = this.state ?? new Map<string, AppliedAction>();
    try {
      const prior = await run();
      this.failures.delete(spec.key);
      if (op === 'apply') {
        state.set(spec.key, { spec, appliedAt: this.clock().toISOString(), ...(prior ? { prior } : {}) });
        result.applied.push(spec.key);
      } else {
        state.delete(spec.key);
        result.reverted.push(spec.key);
      }
      // Lever priors are saved at once; the rest is cheap to redo after a crash, so saves are coalesced.
      if (LEVERS[spec.kind] || Date.now() - this.lastSave > 250) await this.saveState(state);
      else this.stateDirty = true;
      await this.report(op === 'apply' ? 'enforcement.applied' : 'enforcement.reverted', {
        op,
        ...describe(spec),
        ...(prior ? { prior } : {}),
      });
    } catch (err) {
      const attempts = failure && failure.op === op ? failure.attempts + 1 : 1;
      const delay = backoffDelay(attempts - 1, {
        baseMs: this.deps.config.retryBaseMs,
        maxMs: this.deps.config.retryMaxMs,
        jitter: 'none',
      });
      this.failures.set(spec.key, { op, attempts, nextAt: now + delay });
      const entry: ActionFailure = {
        key: spec.key,
        op,
        attempt: attempts,
        code: errorCodeOf(err),
        error: errorMessage(err),
        nextRetryMs: delay,
      };
      result.failed.push(entry);
      this.deps.logger?.warn({ enforcement: entry }, 'enforcement action failed; will retry');
      await this.report('enforcement.failed', { ...describe(spec), ...entry });
    }
  }

  private async apply(spec: ActionSpec, isolateError: Error | undefined): Promise<Record<string, unknown> | undefined> {
    switch (spec.kind) {
      case 'isolate':
        if (isolateError) throw isolateError;
        await this.nft.add(required(spec.address, 'address'));
        return undefined;
      case 'rtsp-off':
      case 'privacy-mask':
      case 'recording-job-idle':
        return this.withSession(spec, (session, lever) =>
          lever.apply(session, spec, {
            pendingPrior: this.state?.get(spec.key)?.pending ? this.state.get(spec.key)?.prior : undefined,
            savePrior: async (prior) => {
              const state = this.state ?? new Map<string, AppliedAction>();
              state.set(spec.key, { spec, appliedAt: this.clock().toISOString(), prior, pending: true });
              await this.saveState(state);
            },
          }),
        );
      case 'recorder-hook': {
        const hook = required(spec.hook, 'hook');
        await this.hookRunner()(hook.stop, vars(spec, 'stop'));
        return undefined;
      }
      case 'quarantine':
        await this.quarantine().quarantine(required(spec.cameraId, 'cameraId'));
        return undefined;
    }
  }

  private async revert(action: AppliedAction, isolateError: Error | undefined): Promise<undefined> {
    const spec = action.spec;
    switch (spec.kind) {
      case 'isolate':
        if (isolateError) throw isolateError;
        await this.nft.remove(required(spec.address, 'address'));
        return undefined;
      case 'rtsp-off':
      case 'privacy-mask':
      case 'recording-job-idle':
        await this.withSession(spec, (session, lever) => lever.revert(session, spec, action.prior ?? {}));
        return undefined;
      case 'recorder-hook': {
        const hook = required(spec.hook, 'hook');
        // A stop hook that does not take {action} would stop recording again: restart only with a start hook.
        const start = hook.start ?? (hookUsesAction(hook.stop) ? hook.stop : undefined);
        if (start) await this.hookRunner()(start, vars(spec, 'start'));
        return undefined;
      }
      case 'quarantine': {
        const cameraId = required(spec.cameraId, 'cameraId');
        // without an operator's signed release, the block ended on an authenticated re-verification
        await this.quarantine().release(cameraId, this.releases.get(cameraId) ?? { reason: 'decision-changed' });
        this.releases.delete(cameraId);
        return undefined;
      }
    }
  }

  private async withSession<T>(
    spec: ActionSpec,
    fn: (session: import('../onvif/session.js').OnvifSession, lever: Lever) => Promise<T>,
  ): Promise<T> {
    const lever = LEVERS[spec.kind];
    if (!lever) throw new CamwardenError(ErrorCode.Internal, `no lever for ${spec.kind}`);
    const open = this.deps.openSession;
    if (!open)
      throw new CamwardenError(ErrorCode.EnforcementFailed, `${spec.kind}: no ONVIF session factory configured`);
    const xaddr = required(spec.xaddr, 'xaddr');
    const session = await open(xaddr, this.deps.credentialsFor?.({ cameraId: spec.cameraId, xaddr }));
    try {
      return await fn(session, lever);
    } finally {
      session.close();
    }
  }

  private hookRunner(): HookRunner {
    return this.deps.runHook ?? runRecorderHook;
  }

  private quarantine(): FootageQuarantine {
    const q = this.deps.quarantine;
    if (!q) throw new CamwardenError(ErrorCode.EnforcementFailed, 'quarantine: no footage quarantine configured');
    return q;
  }

  /** Each block decision that cannot be fully enforced is reported once (until it stops applying). */
  private async reportSkips(skipped: ReconcileResult['skipped']): Promise<void> {
    const current = new Set<string>();
    for (const s of skipped) {
      const id = `${s.cameraId}\n${s.action}\n${s.reason}`;
      current.add(id);
      if (this.reportedSkips.has(id)) continue;
      this.reportedSkips.add(id);
      await this.report('enforcement.failed', {
        op: 'apply',
        action: s.action,
        cameraId: s.cameraId,
        cameras: [s.cameraId],
        code: ErrorCode.EnforcementFailed,
        error: s.reason,
        retry: false,
      });
    }
    for (const id of [...this.reportedSkips]) if (!current.has(id)) this.reportedSkips.delete(id);
  }

  private async emitPlanned(plan: EnforcementPlan): Promise<void> {
    for (const action of plan.revert) {
      await this.deps.events.emit('enforcement.planned', { op: 'revert', dryRun: true, ...describe(action.spec) });
    }
    for (const spec of plan.apply) {
      await this.deps.events.emit('enforcement.planned', { op: 'apply', dryRun: true, ...describe(spec) });
    }
  }

  /** Every action, undo and failure is an event and an audit entry; neither failing stops enforcement. */
  private async report(type: EventType, data: Record<string, unknown>): Promise<void> {
    const ts = this.clock();
    await this.deps.events.emit(type, data, { ts, critical: true }).catch((err: unknown) => {
      this.deps.logger?.error({ type, err: errorMessage(err) }, 'enforcement event not recorded');
    });
    await this.deps.audit.append('enforcement', { event: type, ...data }).catch((err: unknown) => {
      this.deps.logger?.error({ type, err: errorMessage(err) }, 'enforcement audit entry not written');
    });
  }

  private scheduleRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (!this.started || this.failures.size === 0 || !this.last) return;
    const next = Math.min(...[...this.failures.values()].map((f) => f.nextAt));
    const delay = Math.max(0, next - this.clock().getTime());
    const { records, profiles } = this.last;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.started) return;
      this.reconcile(records, profiles).catch((err: unknown) => {
        this.deps.logger?.error({ err: errorMessage(err) }, 'enforcement retry failed');
      });
    }, delay);
    this.retryTimer.unref();
  }
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

function describe(spec: ActionSpec): Record<string, unknown> {
  return {
    key: spec.key,
    action: spec.kind,
    cameras: spec.cameras,
    ...(spec.cameraId !== undefined ? { cameraId: spec.cameraId } : {}),
    ...(spec.address !== undefined ? { address: spec.address } : {}),
    ...(spec.channel !== undefined ? { channel: spec.channel } : {}),
  };
}

function vars(spec: ActionSpec, action: string): { camera: string; address: string; action: string } {
  return { camera: spec.cameraId ?? '', address: spec.address ?? '', action };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CamwardenError(ErrorCode.Internal, `enforcement action without ${what}`);
  return value;
}
