import type { OnvifSession } from '../../onvif/session.js';
import type { ActionSpec } from '../types.js';

/** An ONVIF lever: apply returns the device state it changed (stored), revert puts that state back. */
export interface Lever {
  apply(session: OnvifSession, spec: ActionSpec): Promise<Record<string, unknown>>;
  revert(session: OnvifSession, spec: ActionSpec, prior: Record<string, unknown>): Promise<void>;
}
