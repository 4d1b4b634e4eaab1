import type { AuditSink } from '../audit/audit-sink.js';
import type { Config } from '../config/schema.js';
import type { CameraRecord } from '../inventory/types.js';
import { BUILTIN_REVISION, evaluateRecords } from '../policy/index.js';
import { loadProfileSet, ProfileValidationError } from '../profiles/index.js';
import type { ProfileSet } from '../profiles/types.js';
import type { EventSink } from '../reporting/event-sink.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { PolicyPort } from './ports.js';

export interface ProfilePolicy extends PolicyPort {
  onChange(listener: () => void): void;
  recordConsent(args: {
    cameraId: string;
    reference: string;
    grantedBy?: string | undefined;
    validUntil?: string | undefined;
  }): Promise<unknown>;
  applyBundle(files: Record<string, string>, opts: { dryRun: boolean }): Promise<unknown>;
}

/**
 * Decisions from the device-profiles directory. A set that fails validation never replaces the active one:
 * the agent keeps deciding with the last good set (or the built-in cn-2025 pack before any) and says why.
 */
export function createPolicyPort(deps: {
  config: Config;
  logger: Logger;
  events: EventSink;
  audit: AuditSink;
}): ProfilePolicy {
  const { config, logger, events, audit } = deps;
  let active: ProfileSet | undefined;
  const listeners: Array<() => void> = [];
  const load = async (): Promise<{ revision: string; problems: string[] }> => {
    if (!config.profilesDir) return { revision: BUILTIN_REVISION, problems: [] };
    try {
      const next = await loadProfileSet(config.profilesDir, {
        keysFile: config.profileKeysFile,
        packId: config.site.policyPack,
      });
      const previous = active?.revision;
      active = next;
      if (previous !== next.revision) {
        await events.emit('profiles.applied', {
          revision: next.revision,
          previous: previous ?? null,
          dir: config.profilesDir,
        });
        await audit.append('profiles', { event: 'applied', revision: next.revision, previous: previous ?? null });
        if (previous !== undefined) for (const l of listeners) l();
      }
      return { revision: next.revision, problems: [] };
    } catch (err) {
      const problems = err instanceof ProfileValidationError ? err.problems : [errorMessage(err)];
      logger.error({ problems, kept: active?.revision ?? BUILTIN_REVISION }, 'device-profiles rejected');
      await events.emit('profiles.rejected', {
        dir: config.profilesDir,
        problems,
        kept: active?.revision ?? BUILTIN_REVISION,
      });
      await audit.append('profiles', { event: 'rejected', problems });
      return { revision: active?.revision ?? BUILTIN_REVISION, problems };
    }
  };
  return {
    name: 'profiles',
    start: async () => {
      await load();
    },
    stop: async () => undefined,
    current: () => active,
    revision: () => active?.revision ?? BUILTIN_REVISION,
    decide: (records: CameraRecord[], now: Date) => evaluateRecords(records, active, { now }),
    reload: load,
    onChange: (listener) => {
      listeners.push(listener);
    },
    recordConsent: async () => {
      throw new CamwardenError(ErrorCode.NotSupported, 'consent/record: add the record to the site profile instead');
    },
    applyBundle: async () => {
      throw new CamwardenError(ErrorCode.NotSupported, 'profiles/apply: not available on this gateway');
    },
  };
}
