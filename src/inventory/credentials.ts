/**
 * Which credentials a device gets. The device controls everything it says (EndpointReference, serial, scopes), so
 * none of that alone ever chooses credentials: per-device credentials follow the address they are configured for or
 * the identity pinned at that address, and the site-wide defaults go only to addresses the operator pointed discovery
 * at (probe targets, `--target`, `--device`, and with multicast on, the subnets of the discovery interfaces).
 */
import type { Config } from '../config/schema.js';
import { listIpv4Interfaces } from '../discovery/interfaces.js';
import { expandTargets, parseIpv4 } from '../discovery/targets.js';
import type { OnvifCredentials } from '../onvif/session.js';
import type { PinnedIdentity } from './identity-pins.js';

export type DeviceCredentialsEntry = Config['onvif']['devices'][number];

/** Where the site-wide default credentials may go. */
export interface CredentialScope {
  contains(address: string): boolean;
}

export interface CredentialChoice {
  credentials: OnvifCredentials | undefined;
  /** Why none were sent although some are configured (becomes the record's `credentials-withheld` error). */
  withheld?: string;
}

interface Subnet {
  network: number;
  mask: number;
}

/** The operator's targets and hosts, plus the subnets of the discovery interfaces (when multicast is on). */
export function credentialScope(
  config: Config,
  opts: { targets: readonly string[]; hosts: readonly string[]; multicast: boolean },
  interfaces = opts.multicast ? listIpv4Interfaces(config.discovery.interfaces) : [],
): CredentialScope {
  const exact = new Set([...opts.targets, ...opts.hosts]);
  const subnets: Subnet[] = [];
  for (const iface of interfaces) {
    const address = parseIpv4(iface.address);
    const mask = parseIpv4(iface.netmask);
    if (address === undefined || mask === undefined) continue;
    subnets.push({ network: (address & mask) >>> 0, mask });
  }
  return {
    contains(address: string): boolean {
      if (exact.has(address)) return true;
      const n = parseIpv4(address);
      return n !== undefined && subnets.some((s) => (n & s.mask) >>> 0 === s.network);
    },
  };
}

/** The scope of the configuration alone (no command-line targets): for the daemon's lever calls. */
export function configuredScope(config: Config): CredentialScope {
  let targets: string[] = [];
  try {
    targets = expandTargets(config.discovery.probeTargets, config.discovery.maxTargets, 'discovery.probeTargets');
  } catch {
    // bad targets fail every scan with a usage error; here they simply widen nothing
  }
  const hosts = config.discovery.devices.flatMap((u) => {
    try {
      return [new URL(u).hostname];
    } catch {
      return [];
    }
  });
  return credentialScope(config, { targets, hosts, multicast: config.discovery.multicast });
}

/** The pin of the device at this address (and of this EndpointReference, when it told one). */
function pinAt(pins: readonly PinnedIdentity[], device: { address: string; endpoint: string }) {
  return pins.find((p) => p.address === device.address && (device.endpoint === '' || p.endpoint === device.endpoint));
}

function pinAgrees(entry: DeviceCredentialsEntry, pin: PinnedIdentity): boolean {
  return (
    (entry.serial === undefined || pin.serial === entry.serial) &&
    (entry.endpoint === undefined || pin.endpoint === entry.endpoint)
  );
}

/**
 * The addresses of the identity an entry names, as pinned first. A serial is the device's word, so a look-alike
 * pinned later with the same serial (it took the defaults and reported it) never draws the entry to its address.
 * Empty when nothing agreeing is pinned; several when they were pinned in the same scan (nobody was first).
 */
function firstPinnedAt(entry: DeviceCredentialsEntry, pins: readonly PinnedIdentity[]): Set<string> {
  let first: string | undefined;
  let addresses = new Set<string>();
  for (const p of pins) {
    if (!pinAgrees(entry, p)) continue;
    if (first === undefined || p.pinnedAt < first) {
      first = p.pinnedAt;
      addresses = new Set([p.address]);
    } else if (p.pinnedAt === first) addresses.add(p.address);
  }
  return addresses;
}

/**
 * An entry with an `address` applies at that address (narrowed by `endpoint`/`serial` once the device there is
 * pinned, and left behind once the identity it names is pinned first elsewhere: that camera moved); an entry without
 * one applies only where the identity it names was pinned first, never to whatever claims it.
 */
function entryApplies(
  entry: DeviceCredentialsEntry,
  device: { address: string; endpoint: string },
  pins: readonly PinnedIdentity[],
): boolean {
  const pin = pinAt(pins, device);
  if (entry.address !== undefined) {
    if (entry.address !== device.address) return false;
    if (entry.endpoint !== undefined && device.endpoint !== '' && device.endpoint !== entry.endpoint) return false;
    if (pin !== undefined && !pinAgrees(entry, pin)) return false;
    if (entry.serial === undefined && entry.endpoint === undefined) return true;
    const first = firstPinnedAt(entry, pins);
    return first.size === 0 || first.has(device.address);
  }
  if (pin === undefined || !pinAgrees(entry, pin)) return false;
  const first = firstPinnedAt(entry, pins);
  return first.size === 1 && first.has(device.address);
}

export function chooseCredentials(
  config: Config,
  device: { address: string; endpoint: string },
  scope: CredentialScope,
  pins: readonly PinnedIdentity[],
): CredentialChoice {
  const specific = config.onvif.devices.find((entry) => entryApplies(entry, device, pins));
  if (specific) return { credentials: { username: specific.username, password: specific.password } };
  if (!config.onvif.username) return { credentials: undefined };
  if (scope.contains(device.address)) {
    return { credentials: { username: config.onvif.username, password: config.onvif.password ?? '' } };
  }
  return {
    credentials: undefined,
    withheld:
      `no credentials sent: ${device.address} is outside the configured probe targets and discovery interfaces, ` +
      'and no per-device credentials are bound to it',
  };
}
