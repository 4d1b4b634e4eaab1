export { buildRecords, isUnverified, recordId } from './build-records.js';
export { idFromEndpoint, idFromSerialAndMac, macFromScopes } from './identity.js';
export { channelTags, locationTagsFromScopes } from './location-tags.js';
export { PRELIMINARY_POLICY_REVISION, preliminaryDecide, preliminaryDecision } from './preliminary-decide.js';
export {
  credentialsFor,
  type DecideFn,
  Interrogator,
  manualDevice,
  planScan,
  runScan,
  type ScanBudget,
  type ScanDeps,
  type ScanPlan,
  scanBudget,
  uniqueById,
} from './scan.js';
export type * from './types.js';
