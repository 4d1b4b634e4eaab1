/**
 * Sort comparators that never touch ICU. `localeCompare` loads the collation tables of the node binary into memory
 * (about 3 MB of RSS on a gateway) and orders by locale rules we do not want for ids anyway.
 */

/** Code-unit order: deterministic, locale-free. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Value(address: string): number | undefined {
  const m = DOTTED_QUAD.exec(address);
  if (!m) return undefined;
  return ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]);
}

/** IPv4 addresses in numeric order (10.0.0.9 before 10.0.0.10), then anything else in code-unit order. */
export function compareAddresses(a: string, b: string): number {
  const x = ipv4Value(a);
  const y = ipv4Value(b);
  if (x !== undefined && y !== undefined) return x - y || compareText(a, b); // 1.2.3.04 vs 1.2.3.4
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return compareText(a, b);
}
