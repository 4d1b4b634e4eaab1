import type { Action, Reason } from '../model/camera-records.js';
import type { ConsentUnitKind } from '../profiles/types.js';

/** One reason of a decision with its action, before consents apply. */
export interface Finding {
  action: Action;
  reason: Reason;
  /** Art 10: the consent that clears it (the unit's kind, and the geofence when the flag comes from one). */
  consent?: { unitKind: ConsentUnitKind; geofence?: string };
}
