import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { CameraRecord } from '../inventory/types.js';
import { loadProfileSet } from '../profiles/load-profile-set.js';
import { BUILTIN_REVISION } from './builtin-pack.js';
import { activePack, evaluateRecords } from './evaluate.js';

export { BUILTIN_REVISION, builtinPack } from './builtin-pack.js';
export { type ClassifyOptions, classifyZone, type ZoneClassification } from './classify-zone.js';
export { activePack, type EvaluateOptions, evaluateRecords, siteAssignmentFor } from './evaluate.js';
export { distanceToFence, fencesNear, haversineMeters } from './geofence.js';
export { type HoldOptions, holdDecisions } from './hold-decisions.js';
export { createVendorMatcher, matchVendor } from './match-vendor.js';
export { type PolicyPack, policyPackSchema, type ZoneRule, zoneRuleSchema } from './pack-schema.js';
export { ZONE_IDS, type ZoneId } from './vocabulary/zone-ids.js';

/**
 * The scan's decide function. Uses the profiles loader when a profiles dir is configured; otherwise the built-in
 * cn-2025 pack with revision `builtin-cn-2025`. Profiles are loaded once; hot reload belongs to the agent.
 */
export async function loadDecide(
  config: Config,
): Promise<{ decide: (records: CameraRecord[]) => CameraRecord[]; revision: string; rule: string }> {
  // A profiles dir that fails to load rejects here (fail closed): the caller must not decide on partial data.
  const profiles = config.profilesDir
    ? await loadProfileSet(config.profilesDir, {
        keysFile: config.profileKeysFile,
        packId: config.site?.policyPack,
        // Each scan process loads the same files again: their parsed YAML is kept in the data dir.
        yamlCacheFile: config.dataDir ? join(config.dataDir, 'profile-yaml-cache.json') : undefined,
      })
    : undefined;
  return {
    decide: (records) => evaluateRecords(records, profiles, { now: new Date() }),
    revision: profiles?.revision ?? BUILTIN_REVISION,
    rule: activePack(profiles).id,
  };
}
