export { type CreateEnforcerOptions, createEnforcer, credentialsForXaddr } from './create-enforcer.js';
export { computeDesired, type DesiredOptions } from './desired-state.js';
export { Enforcer, type EnforcerDeps } from './enforcer.js';
export { tableRuleset } from './nft-ruleset.js';
export { createNftRunner, NftError, type NftRunnerOptions } from './nft-runner.js';
export { planEnforcement } from './plan.js';
export { runRecorderHook } from './recorder-hook.js';
export { enforcementStatePath, loadEnforcementState, STATE_FILE_NAME } from './state-file.js';
export type {
  ActionFailure,
  ActionKind,
  ActionSpec,
  AppliedAction,
  DesiredState,
  EnforcementPlan,
  FootageQuarantine,
  HookRunner,
  NftRunner,
  ReconcileResult,
  ReleaseAuthority,
} from './types.js';
