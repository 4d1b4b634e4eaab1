import type { EnforceConfig } from '../config/schema.js';
import type { ActionKind } from '../model/event-types.js';
import type { RecorderHook } from '../profiles/types.js';
import type { FootageQuarantine, ReleaseAuthority } from '../retention/quarantine.js';

/**
 * The footage quarantine of a blocked camera, with its release register (retention/quarantine.ts), and the kinds
 * of reversible thing enforcement does for a blocked camera (listed with the events that report them).
 */
export type { ActionKind, FootageQuarantine, ReleaseAuthority };

export interface ActionSpec {
  /** `<kind>:<subject>`: `isolate:<IPv4 or IPv6>`, otherwise `<kind>:<camera id>`. Unique in a desired state. */
  key: string;
  kind: ActionKind;
  /** Camera record ids whose `block` decision requires this action (several may share one address). */
  cameras: string[];
  /** The subject camera record (levers, hook, quarantine). */
  cameraId?: string;
  /** isolate: the address dropped; hook: its `{address}`. */
  address?: string;
  /** Levers: the device service URL of the camera or of the recorder owning the channel. */
  xaddr?: string;
  /** Levers on a recorder channel: the source token (absent: the whole device). */
  channel?: string;
  /** recorder-hook: the hooks as configured when the action was applied. */
  hook?: { stop: RecorderHook; start?: RecorderHook };
}

/** An action in effect, with what is needed to undo it (the state before it). */
export interface AppliedAction {
  spec: ActionSpec;
  appliedAt: string;
  prior?: Record<string, unknown>;
  /**
   * The prior state was saved but the change may not have completed (crash in between): the action is applied
   * again, reusing this prior (the device now may already show the changed state, which is not the prior).
   */
  pending?: true;
}

/** Block decisions that cannot be fully enforced: the camera, the action left out, and why. */
export type Skipped = Array<{ cameraId: string; action: ActionKind; reason: string }>;

export interface DesiredState {
  actions: ActionSpec[];
  /** Every camera id present in the records (an applied action of an absent camera stays in force). */
  cameras: string[];
  /** Block decisions that cannot be fully enforced, and why (reported as enforcement.failed once). */
  skipped: Skipped;
}

export interface EnforcementPlan {
  apply: ActionSpec[];
  revert: AppliedAction[];
  /** Keys already in effect and still desired. */
  keep: string[];
  /** Applied actions of cameras absent from the records: kept in force, not reverted. */
  retained: AppliedAction[];
}

export interface NftResult {
  stdout: string;
  stderr: string;
}

/** Runs `nft <args>` with optional stdin; rejects with NftError on a missing binary, no permission or exit ≠ 0. */
export type NftRunner = (args: string[], stdin?: string) => Promise<NftResult>;

export type HookRunner = (
  hook: RecorderHook,
  vars: { camera: string; address: string; action: string },
) => Promise<void>;

/** One failed attempt at an action or its undo, as reported. */
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
  skipped: Skipped;
}
