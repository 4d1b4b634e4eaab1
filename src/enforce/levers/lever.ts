import type { OnvifSession } from '../../onvif/session.js';
import type { ActionSpec } from '../types.js';

export interface LeverContext {
  /** Prior state saved by an attempt that did not complete: use it instead of reading the device again. */
  pendingPrior: Record<string, unknown> | undefined;
  /** Persists the prior state BEFORE the device is changed, so a crash never loses what to restore. */
  savePrior(prior: Record<string, unknown>): Promise<void>;
}

/** An ONVIF lever: apply returns the device state it changed (stored), revert puts that state back. */
export interface Lever {
  apply(session: OnvifSession, spec: ActionSpec, ctx: LeverContext): Promise<Record<string, unknown>>;
  revert(session: OnvifSession, spec: ActionSpec, prior: Record<string, unknown>): Promise<void>;
}

/** A list read from saved prior state (JSON from the state file, so of unknown shape): absent is empty. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
