export { signBundle } from './bundle.js';
export { loadProfileSet, ProfileValidationError, validateProfileDir } from './load-profile-set.js';
export { ProfileStore } from './profile-store.js';
export { ConsentRecordStore } from './record-store.js';
