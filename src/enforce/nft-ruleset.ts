import { CamwardenError, ErrorCode } from '../util/errors.js';
import { canonicalIpv6 } from '../util/ipv6.js';
import { isIpv4 } from './ipv4.js';
import { isCanonicalIpv6 } from './ipv6.js';

const BLOCKED_SET = 'blocked_v4';
const BLOCKED_SET_V6 = 'blocked_v6';

function assertTableName(table: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(table)) {
    throw new CamwardenError(
      ErrorCode.InvalidConfig,
      `enforce.nftables.table: ${JSON.stringify(table)} is not a valid nft table name`,
    );
  }
}

/** Addresses by family, checked: only a strict dotted quad or a canonical IPv6 address is ever written. */
function byFamily(addresses: readonly string[]): { v4: string[]; v6: string[] } {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const a of addresses) {
    if (isIpv4(a)) v4.add(a);
    else if (isCanonicalIpv6(a)) v6.add(a);
    else throw new CamwardenError(ErrorCode.Internal, `refusing to write ${JSON.stringify(a)} into a ruleset`);
  }
  return { v4: [...v4].sort(compareIpv4), v6: [...v6].sort() };
}

/**
 * The whole camwarden table, applied in one `nft -f -` transaction. `add table` + `delete table` first makes it
 * idempotent: whatever was there (even rules someone added by hand) is replaced, never duplicated.
 * forward drops everything from or to a blocked address, IPv4 and IPv6. input drops what a blocked camera starts
 * towards the gateway but accepts replies to the gateway's own connections, so interrogation keeps working
 * (docs/isolation.md), and IPv6 neighbour discovery, without which the gateway could not reach the camera
 * (nor keep learning its addresses from the neighbour table).
 */
export function tableRuleset(table: string, addresses: readonly string[]): string {
  assertTableName(table);
  const { v4, v6 } = byFamily(addresses);
  const elems = (list: string[]) => (list.length > 0 ? `\n\t\telements = { ${list.join(', ')} }` : '');
  return `add table inet ${table}
delete table inet ${table}
table inet ${table} {
\tset ${BLOCKED_SET} {
\t\ttype ipv4_addr${elems(v4)}
\t}
\tset ${BLOCKED_SET_V6} {
\t\ttype ipv6_addr${elems(v6)}
\t}
\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tip saddr @${BLOCKED_SET} drop
\t\tip daddr @${BLOCKED_SET} drop
\t\tip6 saddr @${BLOCKED_SET_V6} drop
\t\tip6 daddr @${BLOCKED_SET_V6} drop
\t}
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tip saddr @${BLOCKED_SET} ct state established,related accept
\t\tip saddr @${BLOCKED_SET} drop
\t\tip6 saddr @${BLOCKED_SET_V6} ct state established,related accept
\t\tip6 saddr @${BLOCKED_SET_V6} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
\t\tip6 saddr @${BLOCKED_SET_V6} drop
\t}
}
`;
}

function elementStatements(verb: 'add' | 'delete', table: string, addresses: readonly string[]): string {
  assertTableName(table);
  const { v4, v6 } = byFamily(addresses);
  return (
    (v4.length > 0 ? `${verb} element inet ${table} ${BLOCKED_SET} { ${v4.join(', ')} }\n` : '') +
    (v6.length > 0 ? `${verb} element inet ${table} ${BLOCKED_SET_V6} { ${v6.join(', ')} }\n` : '')
  );
}

export function addElementRuleset(table: string, addresses: readonly string[]): string {
  return elementStatements('add', table, addresses);
}

export function deleteElementRuleset(table: string, addresses: readonly string[]): string {
  return elementStatements('delete', table, addresses);
}

export interface LiveTable {
  elements: string[];
  /** Chains, set and rule verdicts are exactly what tableRuleset writes (nothing removed, added or flipped). */
  intact: boolean;
}

type NftItem = Record<string, Record<string, unknown> | undefined>;

/**
 * Parses `nft -j list table inet <table>`: the blocked addresses, and whether the table still has our shape:
 * sets blocked_v4 (ipv4_addr) and blocked_v6 (ipv6_addr); chain forward (hook forward, policy accept) with four
 * drop rules; chain input (hook input, policy accept) with accept, drop, accept, accept, drop. Rule expressions are
 * not compared (their JSON differs between nft versions); counts and verdicts catch a rule deleted, added or flipped
 * by hand, and a table of an older camwarden (IPv4 only) is not intact, so it is rewritten.
 */
export function parseLiveTable(json: string): LiveTable {
  const items = nftItems(json);
  const elements = parseSetElements(json);
  const set = items.find((i) => i.set?.name === BLOCKED_SET)?.set;
  const set6 = items.find((i) => i.set?.name === BLOCKED_SET_V6)?.set;
  const chain = (name: string) => items.find((i) => i.chain?.name === name)?.chain;
  const verdicts = (name: string) =>
    items
      .filter((i) => i.rule?.chain === name)
      .map((i) => {
        const expr = i.rule?.expr;
        const last = Array.isArray(expr) ? (expr.at(-1) as Record<string, unknown> | undefined) : undefined;
        return last ? (Object.keys(last)[0] ?? '?') : '?';
      })
      .join(',');
  const chainOk = (name: string, hook: string) => {
    const c = chain(name);
    return c?.hook === hook && c?.type === 'filter' && c?.policy === 'accept';
  };
  const intact =
    set?.type === 'ipv4_addr' &&
    set6?.type === 'ipv6_addr' &&
    chainOk('forward', 'forward') &&
    chainOk('input', 'input') &&
    verdicts('forward') === 'drop,drop,drop,drop' &&
    verdicts('input') === 'accept,drop,accept,accept,drop' &&
    items.filter((i) => i.chain).length === 2 &&
    items.filter((i) => i.set).length === 2;
  return { elements, intact };
}

function nftItems(json: string): NftItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new CamwardenError(ErrorCode.EnforcementFailed, 'nft -j list: output is not JSON');
  }
  const items = (doc as { nftables?: unknown }).nftables;
  if (!Array.isArray(items)) throw new CamwardenError(ErrorCode.EnforcementFailed, 'nft -j list: no "nftables" array');
  return items as NftItem[];
}

/** The addresses in the live sets (IPv4, then IPv6), from `nft -j list set …` or `nft -j list table …`. */
function parseSetElements(json: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new CamwardenError(ErrorCode.EnforcementFailed, 'nft -j list set: output is not JSON');
  }
  const items = (doc as { nftables?: unknown }).nftables;
  if (!Array.isArray(items))
    throw new CamwardenError(ErrorCode.EnforcementFailed, 'nft -j list set: no "nftables" array');
  const out: string[] = [];
  for (const item of items) {
    const set = (item as { set?: { elem?: unknown } }).set;
    if (!set || !Array.isArray(set.elem)) continue;
    for (const e of set.elem) {
      const value = typeof e === 'string' ? e : (e as { elem?: { val?: unknown } })?.elem?.val;
      if (typeof value !== 'string') continue;
      if (isIpv4(value)) out.push(value);
      else {
        const v6 = canonicalIpv6(value);
        if (v6 !== undefined) out.push(v6);
      }
    }
  }
  const { v4, v6 } = byFamily([...new Set(out)]);
  return [...v4, ...v6];
}

function compareIpv4(a: string, b: string): number {
  const n = (s: string) => s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  return n(a) - n(b);
}
