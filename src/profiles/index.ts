export { type BundleManifest, loadProfileKeys, signBundle, verifyBundle } from './bundle.js';
export {
  DEFAULT_PACK_ID,
  type LoadProfileOptions,
  loadProfileSet,
  ProfileValidationError,
  profileRevision,
  validateProfileDir,
} from './load-profile-set.js';
export type * from './types.js';
