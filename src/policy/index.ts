import type { CameraRecord } from '../model/camera-records.js';
import type { ProfileSet } from '../profiles/types.js';
import { BUILTIN_REVISION } from './builtin-pack.js';
import { activePack, evaluateRecords } from './evaluate.js';

export { BUILTIN_REVISION, builtinPack } from './builtin-pack.js';
export { classifyZone, type ZoneClassification } from './classify-zone.js';
export { activePack, evaluateRecords } from './evaluate.js';
export { holdDecisions } from './hold-decisions.js';
export { createVendorMatcher } from './match-vendor.js';

/**
 * A one-shot scan's decide function under a loaded profile set (agent/active-profile-set.ts), or under the
 * built-in cn-2025 pack with revision `builtin-cn-2025` when there is none.
 */
export function decisionsFor(profiles: ProfileSet | undefined): {
  decide: (records: CameraRecord[]) => CameraRecord[];
  revision: string;
  rule: string;
} {
  return {
    decide: (records) => evaluateRecords(records, profiles, { now: new Date() }),
    revision: profiles?.revision ?? BUILTIN_REVISION,
    rule: activePack(profiles).id,
  };
}
