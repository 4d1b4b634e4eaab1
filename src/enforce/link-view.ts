import { execFile } from 'node:child_process';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { canonicalIpv6 } from '../util/ipv6.js';

/** A neighbour table entry with a link-layer address (INCOMPLETE/FAILED entries have none and are left out). */
export interface Neighbour {
  /** IPv4 dotted quad or canonical IPv6. */
  address: string;
  /** Lower-case MAC. */
  mac: string;
  dev: string;
}

/** An IPv6 address of the gateway itself, with its on-link prefix. */
export interface LocalPrefix {
  dev: string;
  address: string;
  prefixLength: number;
}

/** What the gateway sees on its links: who answers at which address, and its own IPv6 prefixes. */
export interface LinkView {
  neighbours: Neighbour[];
  prefixes: LocalPrefix[];
}

export type LinkViewSource = () => Promise<LinkView>;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** `ip -j neigh show` (both families). Unknown shapes are skipped, never trusted. */
export function parseNeighbours(json: string): Neighbour[] {
  const out: Neighbour[] = [];
  for (const item of jsonArray(json, 'ip -j neigh')) {
    const e = item as { dst?: unknown; lladdr?: unknown; dev?: unknown };
    if (typeof e.dst !== 'string' || typeof e.lladdr !== 'string' || typeof e.dev !== 'string') continue;
    const mac = e.lladdr.toLowerCase();
    if (!MAC.test(mac)) continue;
    const address = e.dst.includes(':') ? canonicalIpv6(e.dst) : e.dst;
    if (address !== undefined) out.push({ address, mac, dev: e.dev });
  }
  return out;
}

/** `ip -j -6 addr show`: the gateway's own IPv6 addresses and prefixes. */
export function parsePrefixes(json: string): LocalPrefix[] {
  const out: LocalPrefix[] = [];
  for (const item of jsonArray(json, 'ip -j -6 addr')) {
    const link = item as { ifname?: unknown; addr_info?: unknown };
    if (typeof link.ifname !== 'string' || !Array.isArray(link.addr_info)) continue;
    for (const info of link.addr_info as Array<{ family?: unknown; local?: unknown; prefixlen?: unknown }>) {
      if (info.family !== 'inet6' || typeof info.local !== 'string' || typeof info.prefixlen !== 'number') continue;
      const address = canonicalIpv6(info.local);
      if (address !== undefined) out.push({ dev: link.ifname, address, prefixLength: info.prefixlen });
    }
  }
  return out;
}

function jsonArray(json: string, what: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json || '[]');
  } catch {
    throw new CamwardenError(ErrorCode.EnforcementFailed, `${what}: output is not JSON`);
  }
  if (!Array.isArray(doc)) throw new CamwardenError(ErrorCode.EnforcementFailed, `${what}: not a JSON array`);
  return doc;
}

function run(ipPath: string, netns: string | undefined, args: string[], timeoutMs: number): Promise<string> {
  const argv = netns ? ['-n', netns, ...args] : args;
  return new Promise((resolve, reject) => {
    execFile(ipPath, argv, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(new CamwardenError(ErrorCode.EnforcementFailed, `${ipPath} ${argv.join(' ')}: ${err.message}`));
      else resolve(stdout);
    });
  });
}

/** The real source: iproute2's JSON output, optionally in another network namespace (`ip -n`). */
export function createLinkViewSource(
  opts: { ipPath?: string; netns?: string; timeoutMs?: number } = {},
): LinkViewSource {
  const ipPath = opts.ipPath ?? 'ip';
  const timeoutMs = opts.timeoutMs ?? 5000;
  return async () => {
    const [neigh, addr] = await Promise.all([
      run(ipPath, opts.netns, ['-j', 'neigh', 'show'], timeoutMs),
      run(ipPath, opts.netns, ['-j', '-6', 'addr', 'show'], timeoutMs),
    ]);
    return { neighbours: parseNeighbours(neigh), prefixes: parsePrefixes(addr) };
  };
}

function ipv6Bits(address: string): bigint {
  // canonicalIpv6 output only: expand `::` and read eight groups.
  const [head = '', tail] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function inPrefix(address: string, prefix: LocalPrefix): boolean {
  const bits = BigInt(Math.max(0, Math.min(128, prefix.prefixLength)));
  if (bits === 0n) return false;
  const shift = 128n - bits;
  return ipv6Bits(address) >> shift === ipv6Bits(prefix.address) >> shift;
}

const isLinkLocal = (address: string): boolean => /^fe[89ab][0-9a-f]:/.test(address);

/** At most this many IPv6 addresses are isolated per camera: a device can make up addresses without end. */
export const MAX_IPV6_PER_CAMERA = 16;

/**
 * The IPv6 addresses to isolate with a blocked camera at IPv4 `address`:
 * - every IPv6 neighbour with the link-layer address the gateway sees for that IPv4 address (what the camera
 *   really uses on the wire; the MAC a device reports about itself is not trusted for this);
 * - addresses the device reports (GetNetworkInterfaces) that are link-local or inside an on-link prefix of the
 *   gateway's interface towards the camera, and that the neighbour table does not give to another MAC: a device
 *   must not get a server elsewhere, or a neighbour, cut off by claiming its address.
 * The gateway's own addresses are never returned. At most MAX_IPV6_PER_CAMERA, table-learnt ones first.
 */
export function ipv6AddressesOf(address: string, reported: readonly string[], view: LinkView): string[] {
  const own = new Set(view.prefixes.map((p) => p.address));
  const mine = view.neighbours.filter((n) => n.address === address);
  const macs = new Set(mine.map((n) => n.mac));
  const devs = new Set(mine.map((n) => n.dev));
  const out = new Set<string>();
  for (const n of view.neighbours) {
    if (n.address.includes(':') && macs.has(n.mac) && !own.has(n.address)) out.add(n.address);
  }
  const onLink = view.prefixes.filter((p) => devs.has(p.dev) && !isLinkLocal(p.address));
  for (const raw of reported) {
    const a = canonicalIpv6(raw);
    if (a === undefined || own.has(a)) continue;
    const claimedBy = view.neighbours.find((n) => n.address === a);
    if (claimedBy && !macs.has(claimedBy.mac)) continue;
    if (isLinkLocal(a) || onLink.some((p) => inPrefix(a, p))) out.add(a);
  }
  return [...out].slice(0, MAX_IPV6_PER_CAMERA);
}
