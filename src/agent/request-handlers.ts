import type { RequestHandlers } from '../reporting/requests/schemas.js';
import type { HoldStore } from '../retention/hold-store.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Agent } from './agent.js';
import type { ProfilePolicy } from './profile-policy.js';

/** What each signed remote op (docs/mqtt.md) does to the running agent, its policy and its legal holds. */
export function requestHandlers(agent: Agent, policy: ProfilePolicy, holds: HoldStore): RequestHandlers {
  return {
    scan: async () => {
      const result = await agent.scanJob.runNow();
      return { cameras: result.cameras.length, errors: result.errors.length, scannedAt: result.scannedAt };
    },
    sweep: async (args) => {
      const result = await agent.sweepNow(args.dryRun === true);
      if (!result)
        throw new CamwardenError(ErrorCode.NotSupported, 'retention is off: CAMWARDEN_RECORDINGS_DIR is unset');
      return result;
    },
    status: async () => ({ cameras: agent.counts(), policyRevision: policy.revision(), health: agent.health() }),
    'reload-profiles': async () => policy.reload(),
    'legal-hold/add': async ({ cameraId, ...hold }) => holds.addHold({ ...hold, camera: cameraId }),
    'legal-hold/remove': async (args) => {
      const removed = await holds.removeHold(args.id);
      if (!removed) throw new CamwardenError(ErrorCode.InvalidRequest, `no legal hold ${JSON.stringify(args.id)}`);
      return { removed: args.id };
    },
    'consent/record': async (args) => policy.recordConsent(args),
    'profiles/apply': async (args) => policy.applyBundle(args.files, { dryRun: args.dryRun === true }),
    'block/release': async (args, request) =>
      agent.releaseBlock({ ...args, keyId: request.keyId, transaction: request.transaction }),
  };
}
