export type * from '../model/camera-records.js';
export { buildRecords, isUnverified, recordId } from './build-records.js';
export { channelId, idFromEndpoint, idFromSerialAndMac, macFromScopes } from './identity.js';
export * from './identity-pins.js';
export { channelTags, locationTagsFromScopes } from './location-tags.js';
export { PRELIMINARY_POLICY_REVISION, preliminaryDecide, preliminaryDecision } from './preliminary-decide.js';
export {
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
