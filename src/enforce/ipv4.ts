/** Strict dotted-quad IPv4 (no leading zeros, no ranges): the only thing ever written into a ruleset. */
export function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/**
 * Why an address must not be isolated, or undefined when it may. Dropping loopback, "this host", multicast or
 * broadcast traffic would cut the gateway off from itself or its LAN instead of isolating one camera.
 */
export function unsafeIsolationReason(address: string): string | undefined {
  if (!isIpv4(address)) return `address ${JSON.stringify(address)} is not an IPv4 address`;
  const first = Number(address.split('.')[0]);
  if (first === 127) return `address ${address} is loopback: isolating it would cut the gateway off from itself`;
  if (first === 0) return `address ${address} is "this network"`;
  if (first >= 224) return `address ${address} is multicast or reserved`;
  if (address === '255.255.255.255') return 'address is the broadcast address';
  return undefined;
}
