import { isIPv6 } from 'node:net';

/**
 * The canonical text of an IPv6 address (RFC 5952: lower case, the longest run of zero groups compressed), as nft
 * and iproute2 print it, so addresses from devices, the neighbour table and the live set compare equal. Undefined
 * for anything else, including zone ids (`fe80::1%eth0`) and IPv4.
 */
export function canonicalIpv6(value: string): string | undefined {
  if (value.length > 64 || !isIPv6(value) || value.includes('%')) return undefined;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}
