import type { AuditSink } from '../audit/audit-sink.js';
import type { Config } from '../config/schema.js';
import { lazyOpenSession } from '../onvif/lazy-open-session.js';
import type { OnvifCredentials, OpenSession } from '../onvif/session.js';
import type { EventSink } from '../reporting/event-sink.js';
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
    credentialsFor: ({ xaddr }) => credentialsForXaddr(config, xaddr),
    events: opts.events,
    audit: opts.audit,
    ...(opts.quarantine ? { quarantine: opts.quarantine } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...opts.overrides,
  });
}

/** Per-device credentials by address (host of the xaddr), else the default ones. */
export function credentialsForXaddr(config: Config, xaddr: string): OnvifCredentials | undefined {
  let host = '';
  try {
    host = new URL(xaddr).hostname;
  } catch {
    return undefined;
  }
  const device = config.onvif.devices.find((d) => d.address === host);
  if (device) return { username: device.username, password: device.password };
  if (config.onvif.username) return { username: config.onvif.username, password: config.onvif.password ?? '' };
  return undefined;
}
