import type { RequestArgs, RequestContext } from '../reporting/requests/schemas.js';
import type { HoldStore } from '../retention/hold-store.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Agent } from './agent.js';
import type { createPolicyPort } from './profile-policy.js';

/** What each signed remote op (docs/mqtt.md) does to the running agent, its policy and its legal holds. */
export function requestHandlers(agent: Agent, policy: ReturnType<typeof createPolicyPort>, holds: HoldStore) {
  return {
    scan: async () => {
      const result = await agent.scanJob.runNow();
      return { cameras: result.cameras.length, errors: result.errors.length, scannedAt: result.scannedAt };
    },
    sweep: async (args: { dryRun?: boolean | undefined }) => {
      const result = await agent.sweepNow(args.dryRun === true);
      if (!result)
        throw new CamwardenError(ErrorCode.NotSupported, 'retention is off: CAMWARDEN_RECORDINGS_DIR is unset');
      return result;
    },
    status: async () => ({ cameras: agent.counts(), policyRevision: policy.revision(), health: agent.health() }),
    'reload-profiles': async () => policy.reload(),
    'legal-hold/add': async ({ cameraId, ...hold }: RequestArgs<'legal-hold/add'>) =>
      holds.addHold({ ...hold, camera: cameraId }),
    'legal-hold/remove': async (args: { id: string }) => {
      const removed = await holds.removeHold(args.id);
      if (!removed) throw new CamwardenError(ErrorCode.InvalidRequest, `no legal hold ${JSON.stringify(args.id)}`);
      return { removed: args.id };
    },
    'consent/record': async (args: {
      cameraId: string;
      reference: string;
      grantedBy?: string | undefined;
      unitKind: string;
      geofence?: string | undefined;
      validUntil?: string | undefined;
    }) => policy.recordConsent(args),
    'profiles/apply': async (args: {
      files: Record<string, string>;
      revision?: string | undefined;
      dryRun?: boolean | undefined;
    }) => policy.applyBundle(args.files, { dryRun: args.dryRun === true }),
    'block/release': async (
      args: { cameraId: string; reason: string; unit: string; name: string },
      request: RequestContext,
    ) => agent.releaseBlock({ ...args, keyId: request.keyId, transaction: request.transaction }),
  };
}
