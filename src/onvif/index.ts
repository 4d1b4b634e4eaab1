export { createGuardedAgent, type GuardedAgent, type ResponseLimits } from './bounded-agent.js';
export { CamClient, type CamClientOptions, type RawReply } from './cam-client.js';
export {
  emptyReport,
  type InterrogateOptions,
  interrogateDevice,
  looksLikeRecorder,
  pickXaddr,
} from './interrogate.js';
export { createOpenSession, type SessionLimits } from './open-session.js';
export * from './responses.js';
export { Semaphore } from './semaphore.js';
export type { OnvifCredentials, OnvifService, OnvifSession, OpenSession } from './session.js';
