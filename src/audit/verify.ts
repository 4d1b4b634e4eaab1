import { createPublicKey, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { keyIdOf } from '../util/ed25519-keys.js';
import { type AuditEntry, entryShapeProblem, GENESIS_HASH, hashEntry } from './audit-entry.js';
import { readLines } from './read-lines.js';
import { hashSignatureValid } from './signing-key.js';

export type AuditFaultKind =
  | 'torn'
  | 'invalid-json'
  | 'invalid-entry'
  | 'seq'
  | 'prev'
  | 'hash'
  | 'signature'
  | 'unsigned'
  | 'untrusted-key'
  | 'anchor-missing';

export interface AuditFault {
  /** 1-based line number of the first line at fault. */
  line: number;
  kind: AuditFaultKind;
  reason: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  file: string;
  /** Entries that verified before the first fault (all of them when ok). */
  entries: number;
  /** Hash of the last verified entry (GENESIS_HASH for an empty log): compare with an external anchor. */
  head: string;
  lastSeq: number;
  /** Entries carrying a valid signature. */
  signed: number;
  /** Keys the chain declared (signing-key entries), in order. */
  keyIds: string[];
  fault?: AuditFault;
}

/**
 * Walks the chain from the first line: every line must parse, have the entry shape, carry seq = previous + 1,
 * prev = previous hash, and a hash that matches its content. An edited line fails `hash` (or `prev`/`seq` if
 * those were edited); a removed line fails `seq`/`prev` on the line after the gap; a swapped pair fails on the
 * first of the two. Removing lines at the END leaves a valid shorter chain: only an external anchor (the
 * `audit.appended` events carry each hash to the registry) can reveal that.
 */
export interface AuditVerifyOptions {
  /**
   * A hash known from outside (e.g. the last `audit.appended` the registry received): the chain must contain an
   * entry with it, which catches lines cut off at the end or a log replaced wholesale.
   */
  anchor?: string;
  /**
   * Public keys trusted from outside (the registry kept them): once the chain declares one of them, every later
   * entry must be signed by a trusted key. Without them, signatures are checked against the keys the chain itself
   * declares, which catches edits but not a whole log rewritten with a new key.
   */
  trustedKeys?: ReadonlyMap<string, KeyObject>;
}

export async function verifyAuditLog(file: string, opts: AuditVerifyOptions = {}): Promise<AuditVerifyResult> {
  await stat(file);
  let prev = GENESIS_HASH;
  let lastSeq = 0;
  let entries = 0;
  let anchorSeen = false;
  let signed = 0;
  const keyIds: string[] = [];
  let key: { id: string; key: KeyObject } | undefined;
  const trusted = opts.trustedKeys;
  let trustedSeen = false;
  const fail = (line: number, kind: AuditFaultKind, reason: string): AuditVerifyResult => ({
    ok: false,
    file,
    entries,
    head: prev,
    lastSeq,
    signed,
    keyIds,
    fault: { line, kind, reason },
  });
  for await (const { line, text, terminated } of readLines(file)) {
    if (!terminated) {
      return fail(line, 'torn', 'last line is incomplete (no trailing newline): a write was cut short');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail(line, 'invalid-json', text.length === 0 ? 'empty line' : 'not valid JSON');
    }
    const shape = entryShapeProblem(parsed);
    if (shape) return fail(line, 'invalid-entry', shape);
    const entry = parsed as AuditEntry;
    if (entry.seq !== lastSeq + 1) {
      return fail(line, 'seq', `seq ${entry.seq} where ${lastSeq + 1} was expected (a line was removed or moved)`);
    }
    if (entry.prev !== prev) {
      return fail(
        line,
        'prev',
        'prev does not match the hash of the line before (a line was removed, moved or edited)',
      );
    }
    if (hashEntry(entry) !== entry.hash) {
      return fail(line, 'hash', 'hash does not match the entry content (the line was edited)');
    }
    const declared = declaredKey(entry);
    if (declared) {
      if (trusted && !trusted.has(declared.id) && trustedSeen) {
        return fail(line, 'untrusted-key', `the chain switches to key ${declared.id}, which is not a trusted key`);
      }
      key = declared;
      keyIds.push(declared.id);
      if (trusted?.has(declared.id)) trustedSeen = true;
    }
    if (entry.sig !== undefined) {
      if (!key) return fail(line, 'signature', 'signed, but no earlier entry declares a signing key');
      if (!hashSignatureValid(key.key, entry.hash, entry.sig)) {
        return fail(
          line,
          'signature',
          `signature does not verify with key ${key.id} (the line was re-hashed or forged)`,
        );
      }
      signed++;
    } else if (trustedSeen) {
      return fail(line, 'unsigned', 'unsigned entry after the chain declared a trusted signing key');
    }
    prev = entry.hash;
    lastSeq = entry.seq;
    entries++;
    if (entry.hash === opts.anchor) anchorSeen = true;
  }
  if (opts.anchor !== undefined && !anchorSeen) {
    return fail(
      entries + 1,
      'anchor-missing',
      `no entry has hash ${opts.anchor}: lines were removed at the end or the log was replaced`,
    );
  }
  if (trusted && !trustedSeen) {
    return fail(entries + 1, 'untrusted-key', 'no entry declares a trusted signing key (unsigned or re-keyed log)');
  }
  return { ok: true, file, entries, head: prev, lastSeq, signed, keyIds };
}

/** The key a `signing-key` entry declares (it is signed by that key itself). */
function declaredKey(entry: AuditEntry): { id: string; key: KeyObject } | undefined {
  if (entry.kind !== 'audit' || entry.data.event !== 'signing-key' || typeof entry.data.publicKey !== 'string') {
    return undefined;
  }
  try {
    const key = createPublicKey(entry.data.publicKey);
    return key.asymmetricKeyType === 'ed25519' ? { id: keyIdOf(key), key } : undefined;
  } catch {
    return undefined;
  }
}
