import type { Config } from '../config/schema.js';
import { chooseCredentials, configuredScope } from '../inventory/credentials.js';
import type { PinnedIdentity } from '../inventory/identity-pins.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { EventSink } from '../model/event-sink.js';
import { lazyOpenSession } from '../onvif/lazy-open-session.js';
import type { OnvifCredentials, OpenSession } from '../onvif/session.js';
import type { Logger } from '../util/logger.js';
import { Enforcer, type EnforcerDeps } from './enforcer.js';
import { createNftRunner } from './nft-runner.js';
import { enforcementStatePath } from './state-file.js';
import type { FootageQuarantine } from './types.js';

export interface CreateEnforcerOptions {
  config: Config;
  events: EventSink;
  audit: AuditSink;
  logger?: Logger;
  /** Defaults to onvif/'s createOpenSession (loaded on first use) with config `onvif` limits. */
  openSession?: OpenSession;
  quarantine?: FootageQuarantine;
  /** The pinned identities (per-device credentials bound to them); default none. */
  pins?: () => readonly PinnedIdentity[];
  /** Overrides for tests or special gateways (e.g. `nft` in another network namespace). */
  overrides?: Partial<EnforcerDeps>;
}

/** The Enforcer as `run` uses it: state in `<dataDir>/enforcement-state.json`, credentials from config `onvif`. */
export function createEnforcer(opts: CreateEnforcerOptions): Enforcer {
  const { config } = opts;
  return new Enforcer({
    config: config.enforce,
    stateFile: enforcementStatePath(config.dataDir),
    nft: createNftRunner({ nftPath: config.enforce.nftables.nftPath }),
    openSession:
      opts.openSession ??
      lazyOpenSession({
        callTimeoutMs: config.onvif.callTimeoutMs,
        maxResponseBytes: config.onvif.maxResponseBytes,
        maxResponseElements: config.onvif.maxResponseElements,
      }),
    credentialsFor: ({ xaddr }) => credentialsForXaddr(config, xaddr, opts.pins?.() ?? []),
    events: opts.events,
    audit: opts.audit,
    ...(opts.quarantine ? { quarantine: opts.quarantine } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...opts.overrides,
  });
}

/**
 * The credentials a lever call to this device service URL may carry: the same rules as interrogation (per-device
 * credentials bound to the address or the identity pinned there; defaults only inside the configured scope).
 */
export function credentialsForXaddr(
  config: Config,
  xaddr: string,
  pins: readonly PinnedIdentity[] = [],
): OnvifCredentials | undefined {
  let host = '';
  try {
    host = new URL(xaddr).hostname;
  } catch {
    return undefined;
  }
  return chooseCredentials(config, { address: host, endpoint: '' }, configuredScope(config), pins).credentials;
}
