import { createHash } from 'node:crypto';
import { canonicalize } from '../util/jcs.js';

/** `prev` of the first entry: no entry came before it. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** 1 for the first line, +1 per line. */
  seq: number;
  ts: string;
  kind: string;
  data: Record<string, unknown>;
  /** `hash` of the previous entry, GENESIS_HASH for the first. */
  prev: string;
  /** sha256 hex of the RFC 8785 canonical JSON of the entry without `hash` and `sig`. */
  hash: string;
  /** Ed25519 signature (base64) over the hash's 32 bytes, by the key the chain last declared (signing-key.ts). */
  sig?: string;
}

export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, ts, kind, data, prev } = entry;
  return createHash('sha256').update(canonicalize({ seq, ts, kind, data, prev }), 'utf8').digest('hex');
}

export function sealEntry(entry: Omit<AuditEntry, 'hash'>): AuditEntry {
  return { ...entry, hash: hashEntry(entry) };
}

/** Structural check of one parsed line; returns what is wrong, or undefined. */
export function entryShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 1) return 'seq is not a positive integer';
  if (typeof e.ts !== 'string') return 'ts is not a string';
  if (typeof e.kind !== 'string' || e.kind.length === 0) return 'kind is not a string';
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) return 'data is not an object';
  if (typeof e.prev !== 'string' || !/^[0-9a-f]{64}$/.test(e.prev)) return 'prev is not a sha256 hex';
  if (typeof e.hash !== 'string' || !/^[0-9a-f]{64}$/.test(e.hash)) return 'hash is not a sha256 hex';
  if (e.sig !== undefined && (typeof e.sig !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(e.sig))) {
    return 'sig is not a base64 Ed25519 signature';
  }
  const extra = Object.keys(e).filter((k) => !['seq', 'ts', 'kind', 'data', 'prev', 'hash', 'sig'].includes(k));
  if (extra.length > 0) return `unexpected field(s) ${extra.join(', ')}`;
  return undefined;
}
