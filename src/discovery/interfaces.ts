import { networkInterfaces } from 'node:os';

export interface Ipv4Interface {
  name: string;
  address: string;
  netmask: string;
}

/** Non-internal IPv4 interfaces, optionally restricted to names or addresses from config. */
export function listIpv4Interfaces(only: readonly string[] = []): Ipv4Interface[] {
  const out: Ipv4Interface[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      if (only.length > 0 && !only.includes(name) && !only.includes(a.address)) continue;
      out.push({ name, address: a.address, netmask: a.netmask });
    }
  }
  return out;
}
