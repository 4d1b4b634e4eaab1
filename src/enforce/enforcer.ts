import { networkInterfaces } from 'node:os';
import type { EnforceConfig } from '../config/schema.js';
import type { AgentModule } from '../model/agent-module.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { CameraRecord } from '../model/camera-records.js';
import type { EventSink } from '../model/event-sink.js';
import type { OnvifCredentials, OpenSession } from '../onvif/session.js';
import type { ProfileSet } from '../profiles/types.js';
import { errorCodeOf, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { SerialQueue } from '../util/serial-queue.js';
import { ActionExecutor, isLeverAction, type LeverPriors } from './action-executor.js';
import { AppliedState } from './applied-state.js';
import { computeDesired } from './desired-state.js';
import { describe, EnforcementReports } from './enforcement-reports.js';
import { IsolationSet } from './isolation-set.js';
import { createLinkViewSource, type LinkViewSource } from './link-view.js';
import { createNftRunner } from './nft-runner.js';
import { NftablesBackend } from './nftables-backend.js';
import { planEnforcement } from './plan.js';
import { RetryBook } from './retry-book.js';
import type {
  ActionFailure,
  ActionSpec,
  AppliedAction,
  FootageQuarantine,
  HookRunner,
  NftRunner,
  ReconcileResult,
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

/**
 * Makes `block` decisions take effect and undoes them when they change. reconcile() is idempotent and
 * serialised; the applied state lives in the state file (levers' prior device state, hooks, quarantine) and, for
 * isolation, in the live nftables set, which is read back on every pass so nothing lingers or goes missing.
 * This file runs the passes (plan, attempt, retry); carrying out an action, syncing the isolation set, keeping
 * the state file and reporting are each their own module.
 */
export class Enforcer implements AgentModule {
  readonly name = 'enforce';
  private readonly queue = new SerialQueue();
  private started = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  /** The newest decisions handed to reconcile() (set when queued, not when run): what timer passes enforce. */
  private last: { records: readonly CameraRecord[]; profiles: ProfileSet | undefined } | undefined;
  private lastResult: ReconcileResult | undefined;
  private readonly clock: () => Date;
  private readonly state: AppliedState;
  /** Where the levers keep a device's prior state across a crash: the applied state. */
  private readonly priors: LeverPriors;
  private readonly isolation: IsolationSet;
  private readonly executor: ActionExecutor;
  private readonly reports: EnforcementReports;
  private readonly retries: RetryBook;

  constructor(private readonly deps: EnforcerDeps) {
    this.clock = deps.clock ?? (() => new Date());
    const runner = deps.nft ?? createNftRunner({ nftPath: deps.config.nftables.nftPath });
    const nft = new NftablesBackend(runner, deps.config.nftables.table);
    this.state = new AppliedState(deps.stateFile, this.clock);
    this.priors = {
      pending: (key) => this.state.pendingPrior(key),
      save: (spec, prior) => this.state.savePending(spec, prior),
    };
    this.isolation = new IsolationSet(nft, deps.linkView ?? createLinkViewSource(), this.clock, deps.logger);
    this.executor = new ActionExecutor({
      nft,
      openSession: deps.openSession,
      credentialsFor: deps.credentialsFor,
      quarantine: deps.quarantine,
      runHook: deps.runHook,
    });
    this.reports = new EnforcementReports(deps.events, deps.audit, this.clock, deps.logger);
    this.retries = new RetryBook({ baseMs: deps.config.retryBaseMs, maxMs: deps.config.retryMaxMs });
  }

  /** Records who released a camera's block (`block/release`): its quarantine release names them and why. */
  authorizeRelease(cameraId: string, by: ReleaseAuthority): void {
    this.executor.authorizeRelease(cameraId, by);
  }

  forgetRelease(cameraId: string): void {
    this.executor.forgetRelease(cameraId);
  }

  async start(): Promise<void> {
    this.started = true;
    const every = this.deps.config.reconcileIntervalMs ?? 0;
    if (every > 0 && !this.interval) {
      // Between scans, someone may flush the ruleset or reset a device: re-apply the last decisions.
      this.interval = setInterval(() => {
        if (!this.last || this.deps.config.mode !== 'on') return;
        this.reconcileLatest().catch((err: unknown) => {
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
    await this.queue.idle();
  }

  health(): Record<string, number | string | boolean> {
    return {
      mode: this.deps.config.mode,
      appliedActions: this.state.size(),
      failingActions: this.retries.size,
    };
  }

  /** Actions in effect (after the last reconcile), for reports. */
  appliedActions(): AppliedAction[] {
    return this.state.list();
  }

  /** The last reconcile's result (for health and the run command). */
  lastReconcile(): ReconcileResult | undefined {
    return this.lastResult;
  }

  /** Compares what the decisions require with what is in effect and closes the gap (per `enforce.mode`). */
  reconcile(records: readonly CameraRecord[], profiles: ProfileSet | undefined): Promise<ReconcileResult> {
    this.last = { records, profiles };
    return this.queue.run(() => this.reconcileNow(records, profiles));
  }

  /**
   * A pass of the retry timer or the periodic re-check: with the newest decisions when it runs, never those of
   * when it was due, or a pass queued behind newer decisions would undo the blocks they added.
   */
  private reconcileLatest(): Promise<ReconcileResult | undefined> {
    return this.queue.run(async () => {
      const last = this.last;
      return last ? this.reconcileNow(last.records, last.profiles) : undefined;
    });
  }

  private async reconcileNow(
    records: readonly CameraRecord[],
    profiles: ProfileSet | undefined,
  ): Promise<ReconcileResult> {
    const cfg = this.deps.config;
    // Dry-run and off read only the state file: no nft command, no device call, no write.
    const known = cfg.mode === 'on' ? await this.loadState() : await this.state.readFile();
    const ipv6 = await this.isolation.ipv6Addresses(records, known, cfg.nftables.enabled);
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
      if (cfg.mode === 'dry-run') await this.reports.emitPlanned(result.plan);
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

    const isolateError = await this.syncLiveSet(known);
    const plan = planEnforcement(desired, known);
    result.plan = plan;
    await this.state.refreshOwners(desired.actions);
    await this.reports.reportSkips(desired.skipped);

    const now = this.clock().getTime();
    const batched = isolateError
      ? new Set<string>()
      : await this.isolation.changeInOneTransaction(plan, (key, op) => !this.retries.waiting(key, op, now));
    const done = async (): Promise<undefined> => undefined;
    const inPlan = new Set<string>();
    for (const action of plan.revert) {
      const key = action.spec.key;
      inPlan.add(key);
      await this.attempt(
        result,
        'revert',
        action.spec,
        batched.has(key) ? done : () => this.executor.revert(action, isolateError),
      );
    }
    for (const spec of plan.apply) {
      inPlan.add(spec.key);
      await this.attempt(
        result,
        'apply',
        spec,
        batched.has(spec.key) ? done : () => this.executor.apply(spec, isolateError, this.priors),
      );
    }
    await this.state.flush();
    this.retries.keepOnly(inPlan);
    this.scheduleRetry();
    this.lastResult = result;
    return result;
  }

  private async loadState(): Promise<Map<string, AppliedAction>> {
    try {
      return await this.state.load();
    } catch (err) {
      await this.reports.report('enforcement.failed', {
        key: 'state',
        op: 'load',
        error: errorMessage(err),
        code: errorCodeOf(err),
      });
      throw err;
    }
  }

  /** Returns the error that makes isolation impossible now, if any (isolation-set.ts). */
  private async syncLiveSet(state: Map<string, AppliedAction>): Promise<Error | undefined> {
    const wantsNft = this.deps.config.nftables.enabled || [...state.values()].some((a) => a.spec.kind === 'isolate');
    if (!wantsNft) return undefined;
    const { changed, error } = await this.isolation.sync(state);
    if (changed) await this.state.save();
    return error;
  }

  private async attempt(
    result: ReconcileResult,
    op: 'apply' | 'revert',
    spec: ActionSpec,
    run: () => Promise<Record<string, unknown> | undefined>,
  ): Promise<void> {
    const now = this.clock().getTime();
    if (this.retries.waiting(spec.key, op, now)) {
      result.deferred.push(spec.key);
      return;
    }
    try {
      const prior = await run();
      this.retries.succeeded(spec.key);
      if (op === 'apply') result.applied.push(spec.key);
      else result.reverted.push(spec.key);
      // Lever priors are saved at once; the rest is cheap to redo after a crash, so saves are coalesced.
      await this.state.record(
        spec,
        op === 'apply' ? { applied: true, prior } : { applied: false },
        isLeverAction(spec.kind),
      );
      await this.reports.report(op === 'apply' ? 'enforcement.applied' : 'enforcement.reverted', {
        op,
        ...describe(spec),
        ...(prior ? { prior } : {}),
      });
    } catch (err) {
      const { attempt, delayMs } = this.retries.failed(spec.key, op, now);
      const entry: ActionFailure = {
        key: spec.key,
        op,
        attempt,
        code: errorCodeOf(err),
        error: errorMessage(err),
        nextRetryMs: delayMs,
      };
      result.failed.push(entry);
      this.deps.logger?.warn({ enforcement: entry }, 'enforcement action failed; will retry');
      await this.reports.report('enforcement.failed', { ...describe(spec), ...entry });
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const next = this.retries.nextDue();
    if (!this.started || next === undefined || !this.last) return;
    const delay = Math.max(0, next - this.clock().getTime());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.started) return;
      this.reconcileLatest().catch((err: unknown) => {
        this.deps.logger?.error({ err: errorMessage(err) }, 'enforcement retry failed');
      });
    }, delay);
    this.retryTimer.unref();
  }
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}
