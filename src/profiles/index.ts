export { type BundleManifest, signBundle, verifyBundle } from './bundle.js';
export {
  DEFAULT_PACK_ID,
  type LoadProfileOptions,
  loadProfileSet,
  ProfileValidationError,
  profileRevision,
  validateProfileDir,
} from './load-profile-set.js';
export {
  APPLIED_DIR,
  activeProfilesDir,
  checkBundlePaths,
  LKG_DIR,
  ProfileStore,
  type ProfileStoreDeps,
  type ReloadResult,
} from './profile-store.js';
export {
  ConsentRecordStore,
  type ConsentRequest,
  consentRequestSchema,
  mergeConsents,
} from './record-store.js';
export type * from './types.js';
