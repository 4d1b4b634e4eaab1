import { setMaxListeners } from 'node:events';
import type { Config } from '../config/schema.js';
import type { ScopeLimits } from '../discovery/scope-limits.js';
import { expandTargets } from '../discovery/targets.js';
import { type DiscoverOptions, type DiscoverResult, discover } from '../discovery/ws-discovery.js';
import type { CameraRecord, DeviceReport, DiscoveredDevice, ScanResult } from '../model/camera-records.js';
import { type InterrogateOptions, interrogateDevice } from '../onvif/interrogate.js';
import { ErrorCode, UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { buildRecords, recordId } from './build-records.js';
import { type CredentialScope, chooseCredentials, credentialScope } from './credentials.js';
import { idFromEndpoint } from './identity.js';
import type { IdentityContext, IdentityOutcome } from './identity-pins.js';
import { InterrogationLimit } from './interrogation-limit.js';
import { orderRecords } from './record-order.js';
import { resolveIdentities } from './resolve-identity.js';
import { type ScanBudget, scanBudget } from './scan-budget.js';

export type DecideFn = (records: CameraRecord[]) => CameraRecord[] | Promise<CameraRecord[]>;

/** The revision a scan reports when its caller decides later (an isolated scan's worker). */
const UNDECIDED_REVISION = 'undecided';

export interface ScanDeps {
  config: Config;
  /** Extra unicast targets (e.g. `--target`), on top of config.discovery.probeTargets. */
  targets?: readonly string[];
  /** Known device service URLs (`--device`), on top of config.discovery.devices. */
  devices?: readonly string[];
  /**
   * Device service URLs announced by Hello since the last scan (untrusted): interrogated directly while they fit
   * discovery.helloMaxPending and the target cap; past that they are dropped and counted, never failing the scan.
   * They are hints, never the operator's targets: they do not widen the credential scope.
   */
  announced?: readonly string[];
  /** Pins and held addresses from the data dir: who owns which id (resolve-identity.ts). Default: none. */
  identity?: IdentityContext;
  /** Receives the pins this scan created or changed and the identity events, for the caller to persist. */
  onIdentity?: (outcome: IdentityOutcome) => void;
  /** Overrides config.discovery.multicast (`--no-multicast`). */
  multicast?: boolean;
  /** Upper bound of the whole scan, ms (`--timeout`). */
  timeoutMs?: number;
  /** Classifies zones and decides; injected (policy/, or the parent of an isolated scan). */
  decide: DecideFn;
  /** Revision of the policy behind `decide`; an isolated scan's parent sets it when it decides. */
  policyRevision?: string;
  logger?: Logger;
  now?: () => Date;
  /** Test seams. */
  discoverFn?: (opts: DiscoverOptions) => Promise<DiscoverResult>;
  interrogateFn?: (device: DiscoveredDevice, opts: InterrogateOptions) => Promise<DeviceReport>;
  /** WS-Discovery destination port (tests); default 3702. */
  probePort?: number;
}

/** `--device URL` → a manual DiscoveredDevice; throws UsageError naming the flag. */
export function manualDevice(url: string, flag = '--device', via: 'manual' | 'hello' = 'manual'): DiscoveredDevice {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${flag}: not a URL: ${JSON.stringify(url)}`, ErrorCode.BadUsage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${flag}: ${url}: only http:// and https:// device service URLs are supported`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError(`${flag}: ${url}: put credentials in CAMWARDEN_ONVIF_USERNAME/PASSWORD, not in the URL`);
  }
  return { endpoint: '', address: parsed.hostname, xaddrs: [parsed.href], scopes: [], types: [], via };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function sameDevice(manual: DiscoveredDevice, found: DiscoveredDevice): boolean {
  const m = new URL(manual.xaddrs[0] ?? 'http://invalid/');
  return (
    found.address === manual.address &&
    found.xaddrs.some((x) => {
      try {
        const u = new URL(x);
        return u.port === m.port && u.protocol === m.protocol;
      } catch {
        return false;
      }
    })
  );
}

export interface ScanPlan {
  unicastTargets: string[];
  manual: DiscoveredDevice[];
  /** Hello-announced devices that fit the bounds: interrogated like manual ones, credentials only inside the scope. */
  announced: DiscoveredDevice[];
  multicast: boolean;
  budget: ScanBudget;
  /** What the plan had to leave out (Hello-announced devices over the caps), as scan errors. */
  errors: ScanResult['errors'];
  /** Where the default credentials may go: the operator's targets, hosts and discovery subnets. */
  scope: CredentialScope;
}

/** Validates everything the scan was asked to do before any packet leaves (bad input → UsageError). */
export function planScan(deps: ScanDeps): ScanPlan {
  const { config } = deps;
  const manual = [
    ...config.discovery.devices.map((u) => manualDevice(u, 'discovery.devices')),
    ...(deps.devices ?? []).map((u) => manualDevice(u)),
  ];
  const configured = expandTargets(
    config.discovery.probeTargets,
    config.discovery.maxTargets,
    'CAMWARDEN_PROBE_TARGETS',
  );
  const flagged = expandTargets(deps.targets ?? [], config.discovery.maxTargets, '--target');
  // Manual hosts are probed too, so their EndpointReference (stable id) is learned when they answer.
  const manualHosts = manual.map((m) => m.address).filter((a) => IPV4.test(a));
  const unicastTargets = [...new Set([...configured, ...flagged, ...manualHosts])];
  if (unicastTargets.length > config.discovery.maxTargets) {
    throw new UsageError(
      `--target: ${unicastTargets.length} probe targets, over the cap of ${config.discovery.maxTargets}`,
    );
  }
  const multicast = deps.multicast ?? config.discovery.multicast;
  // The credential scope is the operator's targets alone: announced hosts are probed too (planAnnounced adds them
  // to the targets), but never widen it.
  const scope = credentialScope(config, {
    targets: [...unicastTargets],
    hosts: manual.map((m) => m.address),
    multicast,
  });
  const announced = planAnnounced(deps.announced ?? [], unicastTargets, config);
  return {
    unicastTargets,
    manual,
    announced: announced.devices,
    multicast,
    budget: scanBudget(config, deps.timeoutMs),
    errors: announced.errors,
    scope,
  };
}

/**
 * Hello-announced devices join the scan only while they fit: at most discovery.helloMaxPending of them, at most
 * discovery.maxDevicesPerAddress per host (as in discovery), and their hosts only while the unicast targets stay
 * within discovery.maxTargets (adds to `targets`). A URL announced twice is asked once. What does not fit is
 * dropped and counted: an announcement is a hint from an unauthenticated sender and must never fail the scan.
 */
function planAnnounced(
  urls: readonly string[],
  targets: string[],
  config: Config,
): { devices: DiscoveredDevice[]; errors: ScanResult['errors'] } {
  const devices: DiscoveredDevice[] = [];
  const present = new Set(targets);
  const asked = new Set<string>();
  const perHost = new Map<string, number>();
  let dropped = 0;
  let invalid = 0;
  for (const url of urls) {
    let device: DiscoveredDevice;
    try {
      device = manualDevice(url, 'hello', 'hello');
    } catch {
      invalid++;
      continue;
    }
    const href = device.xaddrs[0] ?? '';
    if (asked.has(href)) continue;
    const newHost = IPV4.test(device.address) && !present.has(device.address);
    const fromHost = perHost.get(device.address) ?? 0;
    if (
      devices.length >= config.discovery.helloMaxPending ||
      fromHost >= config.discovery.maxDevicesPerAddress ||
      (newHost && present.size >= config.discovery.maxTargets)
    ) {
      dropped++;
      continue;
    }
    if (newHost) {
      present.add(device.address);
      targets.push(device.address);
    }
    asked.add(href);
    perHost.set(device.address, fromHost + 1);
    devices.push(device);
  }
  const errors: ScanResult['errors'] = [];
  if (dropped > 0) {
    errors.push({
      source: 'hello',
      code: ErrorCode.HelloDropped,
      message: `${dropped} Hello-announced devices over discovery.helloMaxPending, discovery.maxDevicesPerAddress or discovery.maxTargets not interrogated directly (scheduled discovery still probes for them)`,
    });
  }
  if (invalid > 0) {
    errors.push({
      source: 'hello',
      code: ErrorCode.HelloDropped,
      message: `${invalid} Hello-announced XAddrs were not usable device service URLs`,
    });
  }
  return { devices, errors };
}

/**
 * Interrogates devices as they are found, bounded by an InterrogationLimit and the scan deadline. Every distinct
 * (EndpointReference, address) pair is interrogated: which of several claimants owns an id is decided afterwards
 * (resolve-identity.ts), never by which answer came first.
 */
export class Interrogator {
  private readonly limit: InterrogationLimit;
  private readonly pending: Array<Promise<DeviceReport>> = [];
  /** (EndpointReference, address) pairs already queued: one EndpointReference at two addresses is asked twice. */
  private readonly pairs = new Set<string>();

  constructor(
    private readonly deps: ScanDeps,
    private readonly budget: ScanBudget,
    private readonly signal: AbortSignal,
    private readonly scope: CredentialScope,
  ) {
    this.limit = new InterrogationLimit({ max: deps.config.onvif.concurrency });
  }

  add(device: DiscoveredDevice): void {
    if (device.endpoint !== '') {
      const pair = `${device.endpoint}\n${device.address}`;
      if (this.pairs.has(pair)) return;
      this.pairs.add(pair);
      this.addPinnedOwner(device);
    }
    const { config } = this.deps;
    const fn = this.deps.interrogateFn ?? interrogateDevice;
    const choice = chooseCredentials(config, device, this.scope, this.deps.identity?.pins ?? []);
    const opts: InterrogateOptions = {
      credentials: choice.credentials,
      ...(choice.withheld === undefined ? {} : { credentialsWithheld: choice.withheld }),
      callTimeoutMs: this.budget.callTimeoutMs,
      deviceTimeoutMs: this.budget.deviceTimeoutMs,
      maxResponseBytes: config.onvif.maxResponseBytes,
      maxResponseElements: config.onvif.maxResponseElements,
      maxClockSkewS: config.onvif.maxClockSkewS,
      scopeLimits: scopeLimitsOf(config),
      signal: this.signal,
      ...(this.deps.logger ? { logger: this.deps.logger } : {}),
    };
    this.pending.push(this.limit.run(() => fn(device, opts)));
  }

  /**
   * A device claiming a pinned camera's EndpointReference from another address: the pinned address is asked too, so
   * the camera is heard even when discovery kept only the first answer for that EndpointReference.
   */
  private addPinnedOwner(claimant: DiscoveredDevice): void {
    const id = idFromEndpoint(claimant.endpoint);
    const pin = this.deps.identity?.pins.find((p) => p.id === id);
    if (!pin?.xaddr || pin.address === claimant.address || pin.endpoint !== claimant.endpoint) return;
    let host: string;
    try {
      host = new URL(pin.xaddr).hostname;
    } catch {
      return;
    }
    if (host !== pin.address) return;
    this.add({
      endpoint: pin.endpoint,
      address: pin.address,
      xaddrs: [pin.xaddr],
      scopes: [],
      types: [],
      via: 'manual',
    });
  }

  all(): Promise<DeviceReport[]> {
    return Promise.all(this.pending);
  }
}

export function scopeLimitsOf(config: Config): ScopeLimits {
  return { maxScopes: config.discovery.maxScopesPerDevice, maxScopeLength: config.discovery.maxScopeLength };
}

/** Drops duplicate records (same id at the same address), keeping the first. */
export function uniqueById(records: CameraRecord[]): CameraRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.id}\n${r.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * One scan pass: discovery (multicast + unicast targets) and `--device` URLs → interrogation (started as soon as a
 * device is found) → records → decide(records) → ScanResult (docs/scan-json.md). Changes nothing on devices.
 */
export async function runScan(deps: ScanDeps): Promise<ScanResult> {
  const log = deps.logger ?? silentLogger();
  const plan = planScan(deps);
  const started = Date.now();
  const scannedAt = (deps.now ?? (() => new Date()))().toISOString();
  const deadline = new AbortController();
  setMaxListeners(0, deadline.signal); // one listener per in-flight interrogation, by design
  // Leave room to decide and print before the limit.
  const timer = setTimeout(() => deadline.abort(), Math.max(100, plan.budget.scanTimeoutMs - 250));
  const interrogator = new Interrogator(deps, plan.budget, deadline.signal, plan.scope);
  const errors: ScanResult['errors'] = [...plan.errors];
  try {
    let discovered: DiscoveredDevice[] = [];
    if (plan.multicast || plan.unicastTargets.length > 0) {
      const result = await (deps.discoverFn ?? discover)({
        multicast: plan.multicast,
        unicastTargets: plan.unicastTargets,
        interfaces: deps.config.discovery.interfaces,
        repeats: deps.config.discovery.probeRepeats,
        timeoutMs: plan.budget.discoveryTimeoutMs,
        maxDevices: deps.config.discovery.maxDevices,
        maxPerSender: deps.config.discovery.maxDevicesPerAddress,
        scopeLimits: scopeLimitsOf(deps.config),
        signal: deadline.signal,
        logger: log,
        onDevice: (d) => interrogator.add(d),
        ...(deps.probePort === undefined ? {} : { port: deps.probePort }),
      });
      discovered = result.devices;
      for (const d of discovered) interrogator.add(d); // no-op for those already streamed
      errors.push(...result.errors);
    }
    for (const m of [...plan.manual, ...plan.announced]) {
      if (!discovered.some((d) => sameDevice(m, d))) interrogator.add(m);
    }
    const reports = await interrogator.all();
    const { claims, outcome } = resolveIdentities(
      reports,
      recordId,
      deps.identity ?? { pins: [] },
      (deps.now ?? (() => new Date()))(),
    );
    deps.onIdentity?.(outcome);
    const records = uniqueById(reports.flatMap((r) => buildRecords(r, claims.get(r))));
    const decided = await deps.decide(records);
    orderRecords(decided);
    log.info({ cameras: decided.length, ms: Date.now() - started }, 'scan finished');
    return {
      site: deps.config.site.id,
      gateway: deps.config.site.gatewayId,
      scannedAt,
      policyRevision: deps.policyRevision ?? UNDECIDED_REVISION,
      cameras: decided,
      errors,
    };
  } finally {
    clearTimeout(timer);
  }
}
