import { CamwardenError, ErrorCode } from '../util/errors.js';
import { isIpv4 } from './ipv4.js';

export const BLOCKED_SET = 'blocked_v4';

export function assertTableName(table: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(table)) {
    throw new CamwardenError(
      ErrorCode.InvalidConfig,
      `enforce.nftables.table: ${JSON.stringify(table)} is not a valid nft table name`,
    );
  }
}

function elements(addresses: readonly string[]): string {
  for (const a of addresses) {
    if (!isIpv4(a))
      throw new CamwardenError(ErrorCode.Internal, `refusing to write ${JSON.stringify(a)} into a ruleset`);
  }
  return [...new Set(addresses)].sort(compareIpv4).join(', ');
}

/**
 * The whole camwarden table, applied in one `nft -f -` transaction. `add table` + `delete table` first makes it
 * idempotent: whatever was there (even rules someone added by hand) is replaced, never duplicated.
 * forward drops everything from or to a blocked address. input drops what a blocked camera starts towards the
 * gateway but accepts replies to the gateway's own connections, so interrogation keeps working (INTERFACES §8).
 */
export function tableRuleset(table: string, addresses: readonly string[]): string {
  assertTableName(table);
  const elems = addresses.length > 0 ? `\n\t\telements = { ${elements(addresses)} }` : '';
  return `add table inet ${table}
delete table inet ${table}
table inet ${table} {
\tset ${BLOCKED_SET} {
\t\ttype ipv4_addr${elems}
\t}
\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tip saddr @${BLOCKED_SET} drop
\t\tip daddr @${BLOCKED_SET} drop
\t}
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tip saddr @${BLOCKED_SET} ct state established,related accept
\t\tip saddr @${BLOCKED_SET} drop
\t}
}
`;
}

export function addElementRuleset(table: string, addresses: readonly string[]): string {
  assertTableName(table);
  return `add element inet ${table} ${BLOCKED_SET} { ${elements(addresses)} }\n`;
}

export function deleteElementRuleset(table: string, addresses: readonly string[]): string {
  assertTableName(table);
  return `delete element inet ${table} ${BLOCKED_SET} { ${elements(addresses)} }\n`;
}

export interface LiveTable {
  elements: string[];
  /** Chains, set and rule verdicts are exactly what tableRuleset writes (nothing removed, added or flipped). */
  intact: boolean;
}

type NftItem = Record<string, Record<string, unknown> | undefined>;

/**
 * Parses `nft -j list table inet <table>`: the blocked addresses, and whether the table still has our shape:
 * set blocked_v4 of ipv4_addr; chain forward (hook forward, policy accept) with two drop rules; chain input
 * (hook input, policy accept) with accept then drop. Rule expressions are not compared (their JSON differs
 * between nft versions); counts and verdicts catch a rule deleted, added or flipped by hand.
 */
export function parseLiveTable(json: string): LiveTable {
  const items = nftItems(json);
  const elements = parseSetElements(json);
  const set = items.find((i) => i.set?.name === BLOCKED_SET)?.set;
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
    chainOk('forward', 'forward') &&
    chainOk('input', 'input') &&
    verdicts('forward') === 'drop,drop' &&
    verdicts('input') === 'accept,drop' &&
    items.filter((i) => i.chain).length === 2 &&
    items.filter((i) => i.set).length === 1;
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

/** The addresses in the live set, from `nft -j list set …` or `nft -j list table …`. */
export function parseSetElements(json: string): string[] {
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
      if (typeof value === 'string' && isIpv4(value)) out.push(value);
    }
  }
  return [...new Set(out)].sort(compareIpv4);
}

export function compareIpv4(a: string, b: string): number {
  const n = (s: string) => s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  return n(a) - n(b);
}
