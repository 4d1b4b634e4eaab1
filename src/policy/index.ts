import type { CameraRecord } from '../model/camera-records.js';
import type { ProfileSet } from '../profiles/types.js';
import { BUILTIN_REVISION } from './builtin-pack.js';
import { activePack, evaluateRecords } from './evaluate.js';

export { type PolicyPack, policyPackSchema, type ZoneRule, zoneRuleSchema } from '../profiles/pack-schema.js';
export { BUILTIN_REVISION, builtinPack } from './builtin-pack.js';
export { type ClassifyOptions, classifyZone, type ZoneClassification } from './classify-zone.js';
export { activePack, type EvaluateOptions, evaluateRecords, siteAssignmentFor } from './evaluate.js';
export { distanceToFence, fencesNear, haversineMeters } from './geofence.js';
export { type HoldOptions, holdDecisions } from './hold-decisions.js';
export { createVendorMatcher, matchVendor } from './match-vendor.js';
export { ZONE_IDS, type ZoneId } from './vocabulary/zone-ids.js';

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
