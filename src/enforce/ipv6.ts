import { canonicalIpv6 } from '../util/ipv6.js';

/** True only for an address already in canonical form: the only IPv6 text ever written into a ruleset. */
export function isCanonicalIpv6(value: string): boolean {
  return canonicalIpv6(value) === value;
}

/**
 * Why an IPv6 address must not be isolated, or undefined when it may. Unspecified, loopback, multicast and
 * IPv4-mapped addresses would cut the gateway off from itself or its LAN (or stand for an IPv4 host) instead of
 * isolating one camera. Link-local addresses are isolated: the input chain still keeps a blocked camera from
 * opening connections to the gateway over them.
 */
export function unsafeIpv6Reason(address: string): string | undefined {
  const canonical = canonicalIpv6(address);
  if (canonical === undefined) return `address ${JSON.stringify(address)} is not an IPv6 address`;
  if (canonical === '::') return 'address :: is unspecified';
  if (canonical === '::1') return 'address ::1 is loopback: isolating it would cut the gateway off from itself';
  if (canonical.startsWith('ff')) return `address ${canonical} is multicast`;
  if (canonical.startsWith('::ffff:')) return `address ${canonical} is IPv4-mapped`;
  return undefined;
}
