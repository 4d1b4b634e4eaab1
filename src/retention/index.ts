export { type FootageQuarantine, TreeFootageQuarantine } from './footage-quarantine.js';
export { HoldStore, holdStorePath, legalHoldSchema, mergedHolds } from './hold-store.js';
export { recordingLayoutSchema } from './layout-schema.js';
export { BUILTIN_LAYOUTS, compileLayout } from './layouts.js';
export { resolveLayout } from './load-layout.js';
export { isoDurationDays, type RetentionMismatch, retentionMismatches } from './mismatch.js';
export {
  type CameraRetentionFacts,
  configuredDays,
  DEFAULT_RETENTION_POLICY,
  effectiveRetentionDays,
  factsFromScan,
  floorDays,
  retentionFactsFor,
} from './policy.js';
export { type SweepOptions, type SweepResult, sweep } from './sweep.js';
export { Sweeper, type SweeperDeps } from './sweeper.js';
