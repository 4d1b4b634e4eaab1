import { ErrorCode, UsageError } from '../util/errors.js';

/** Unicast probe targets: hosts, `a.b.c.d-e`, `a.b.c.d-a.b.c.e`, CIDRs. IPv4 only (WS-Discovery over IPv4). */

/** A dotted-quad IPv4 as an unsigned 32-bit number; undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return (((parts[0] ?? 0) << 24) >>> 0) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0);
}

function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function bad(target: string, why: string, source: string): UsageError {
  return new UsageError(`${source}: invalid probe target ${JSON.stringify(target)}: ${why}`, ErrorCode.BadUsage);
}

function rangeOf(target: string, source: string): [number, number] {
  const t = target.trim();
  const slash = t.indexOf('/');
  if (slash >= 0) {
    const base = parseIpv4(t.slice(0, slash));
    const bitsText = t.slice(slash + 1);
    const bits = /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
    if (base === undefined || !(bits >= 0 && bits <= 32)) throw bad(target, 'expected a.b.c.d/N with N 0..32', source);
    const size = 2 ** (32 - bits);
    const start = Math.floor(base / size) * size;
    const end = start + size - 1;
    // Network and broadcast addresses of subnets larger than /31 are not hosts.
    return size > 2 ? [start + 1, end - 1] : [start, end];
  }
  const dash = t.indexOf('-');
  if (dash >= 0) {
    const start = parseIpv4(t.slice(0, dash));
    const rest = t.slice(dash + 1);
    if (start === undefined) throw bad(target, 'range start is not an IPv4 address', source);
    let end: number | undefined;
    if (/^\d{1,3}$/.test(rest)) {
      const last = Number(rest);
      end = last <= 255 ? ((start & 0xffffff00) >>> 0) + last : undefined;
    } else end = parseIpv4(rest);
    if (end === undefined) throw bad(target, 'range end must be 0..255 or an IPv4 address', source);
    if (end < start) throw bad(target, 'range end is below its start', source);
    return [start, end];
  }
  const host = parseIpv4(t);
  if (host === undefined) throw bad(target, 'expected an IPv4 address, a.b.c.d-e, a.b.c.d-a.b.c.e or a CIDR', source);
  return [host, host];
}

/** Expands targets to distinct addresses in input order; throws UsageError naming the bad target or the cap. */
export function expandTargets(targets: readonly string[], maxTargets: number, source = '--target'): string[] {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const target of targets) {
    if (target.trim() === '') continue;
    const [start, end] = rangeOf(target, source);
    if (end - start + 1 > maxTargets) {
      throw new UsageError(`${source}: ${target} has ${end - start + 1} addresses, over the cap of ${maxTargets}`);
    }
    for (let n = start; n <= end; n++) {
      if (seen.has(n)) continue;
      seen.add(n);
      out.push(formatIpv4(n));
      if (out.length > maxTargets) {
        throw new UsageError(`${source}: more than ${maxTargets} probe targets (at ${JSON.stringify(target)})`);
      }
    }
  }
  return out;
}
