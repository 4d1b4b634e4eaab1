import type { OnvifCredentials, OnvifSession, OpenSession } from '../onvif/session.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Lever } from './levers/lever.js';
import { privacyMaskLever } from './levers/privacy-mask.js';
import { recordingJobIdleLever } from './levers/recording-job-idle.js';
import { rtspOffLever } from './levers/rtsp-off.js';
import type { NftablesBackend } from './nftables-backend.js';
import { hookUsesAction, runRecorderHook } from './recorder-hook.js';
import type {
  ActionKind,
  ActionSpec,
  AppliedAction,
  FootageQuarantine,
  HookRunner,
  ReleaseAuthority,
} from './types.js';

const LEVERS: Partial<Record<ActionKind, Lever>> = {
  'rtsp-off': rtspOffLever,
  'privacy-mask': privacyMaskLever,
  'recording-job-idle': recordingJobIdleLever,
};

/** ONVIF levers change a device: their prior state must be saved at once (see docs/enforcement.md). */
export function isLeverAction(kind: ActionKind): boolean {
  return LEVERS[kind] !== undefined;
}

export interface ActionExecutorDeps {
  nft: NftablesBackend;
  openSession?: OpenSession | undefined;
  credentialsFor?:
    | ((target: { cameraId: string | undefined; xaddr: string }) => OnvifCredentials | undefined)
    | undefined;
  quarantine?: FootageQuarantine | undefined;
  runHook?: HookRunner | undefined;
}

/** How a lever's prior device state is kept across a crash between saving it and changing the device. */
export interface LeverPriors {
  /** The prior saved by an attempt that may not have completed. */
  pending(key: string): Record<string, unknown> | undefined;
  /** Persists the prior before the device is changed. */
  save(spec: ActionSpec, prior: Record<string, unknown>): Promise<void>;
}

/**
 * Carries out one action or its undo: an address into or out of the isolation set, an ONVIF lever, the recorder
 * hook, or the footage quarantine. Knows nothing of plans, retries or reports; a failure is thrown.
 */
export class ActionExecutor {
  /** Who lifted a camera's block by a signed request: named when its footage leaves quarantine. */
  private readonly releases = new Map<string, ReleaseAuthority>();

  constructor(private readonly deps: ActionExecutorDeps) {}

  authorizeRelease(cameraId: string, by: ReleaseAuthority): void {
    this.releases.set(cameraId, by);
  }

  forgetRelease(cameraId: string): void {
    this.releases.delete(cameraId);
  }

  /** Returns the prior device state a lever changed (kept to undo it), else undefined. */
  async apply(
    spec: ActionSpec,
    isolateError: Error | undefined,
    priors: LeverPriors,
  ): Promise<Record<string, unknown> | undefined> {
    switch (spec.kind) {
      case 'isolate':
        if (isolateError) throw isolateError;
        await this.deps.nft.add(required(spec.address, 'address'));
        return undefined;
      case 'rtsp-off':
      case 'privacy-mask':
      case 'recording-job-idle':
        return this.withSession(spec, (session, lever) =>
          lever.apply(session, spec, {
            pendingPrior: priors.pending(spec.key),
            savePrior: (prior) => priors.save(spec, prior),
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

  async revert(action: AppliedAction, isolateError: Error | undefined): Promise<undefined> {
    const spec = action.spec;
    switch (spec.kind) {
      case 'isolate':
        if (isolateError) throw isolateError;
        await this.deps.nft.remove(required(spec.address, 'address'));
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

  private async withSession<T>(spec: ActionSpec, fn: (session: OnvifSession, lever: Lever) => Promise<T>): Promise<T> {
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
}

function vars(spec: ActionSpec, action: string): { camera: string; address: string; action: string } {
  return { camera: spec.cameraId ?? '', address: spec.address ?? '', action };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CamwardenError(ErrorCode.Internal, `enforcement action without ${what}`);
  return value;
}
