export { APPLIED_DIR, activeProfilesDir, checkBundlePaths } from './applied-bundles.js';
export { type BundleManifest, signBundle, verifyBundle } from './bundle.js';
export { LKG_DIR } from './last-known-good.js';
export {
  DEFAULT_PACK_ID,
  type LoadProfileOptions,
  loadProfileSet,
  ProfileValidationError,
  profileRevision,
  validateProfileDir,
} from './load-profile-set.js';
export { ProfileStore, type ProfileStoreDeps, type ReloadResult } from './profile-store.js';
export {
  ConsentRecordStore,
  type ConsentRequest,
  consentRequestSchema,
  mergeConsents,
} from './record-store.js';
export type * from './types.js';
