import type { Config } from '../config/schema.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { CameraRecord } from '../model/camera-records.js';
import type { EventSink } from '../model/event-sink.js';
import { BUILTIN_REVISION, evaluateRecords } from '../policy/index.js';
import { ProfileStore } from '../profiles/profile-store.js';
import { ConsentRecordStore } from '../profiles/record-store.js';
import type { ProfileSet } from '../profiles/types.js';
import type { Logger } from '../util/logger.js';
import { profileSource } from './active-profile-set.js';
import type { PolicyPort } from './ports.js';
import { followProfileHolds } from './profile-holds.js';

export interface ProfilePolicy extends PolicyPort {
  onChange(listener: () => void): void;
  recordConsent(args: unknown): Promise<unknown>;
  applyBundle(files: Record<string, string>, opts: { dryRun: boolean }): Promise<unknown>;
}

/**
 * Decisions from the live device-profiles set: watched, validated whole and swapped atomically; an invalid set
 * keeps the last-known-good one (persisted in the data dir), before any set the built-in cn-2025 pack.
 */
export function createPolicyPort(deps: {
  config: Config;
  logger: Logger;
  events: EventSink;
  audit: AuditSink;
}): ProfilePolicy {
  const { config } = deps;
  const store = new ProfileStore({
    // The same source every command loads the active set from (active-profile-set.ts), kept live here.
    ...profileSource(config),
    events: deps.events,
    audit: deps.audit,
    logger: deps.logger,
    consents: new ConsentRecordStore(config.dataDir),
  });
  const holdsInForce = followProfileHolds(store);
  return {
    name: 'profiles',
    start: () => store.start(),
    stop: () => store.stop(),
    current: (): ProfileSet | undefined => store.current(),
    revision: () => store.revision() ?? BUILTIN_REVISION,
    decide: (records: CameraRecord[], now: Date) => evaluateRecords(records, store.current(), { now }),
    reload: async () => {
      const result = await store.reload();
      await holdsInForce(); // a hold the new set adds: answered once no sweep deletes what it covers
      return { revision: result.revision ?? BUILTIN_REVISION, problems: result.problems };
    },
    onChange: (listener) => {
      store.onChange(() => listener());
    },
    recordConsent: (args) => store.recordConsent(args),
    applyBundle: async (files, opts) => {
      const result = await store.applyBundle(files, opts);
      await holdsInForce();
      return result;
    },
  };
}
