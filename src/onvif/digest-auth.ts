import { createHash, randomBytes } from 'node:crypto';
import type { OnvifCredentials } from './session.js';

type HashName = 'md5' | 'sha256';

/** The algorithms a device may ask for that we answer; `-sess` variants and others are refused, as before. */
const ALGORITHMS: Record<string, HashName> = { MD5: 'md5', SHA256: 'sha256' };

/** `Digest realm="x", qop="auth,auth-int", nonce=...` → its parameters (quoted values unquoted). */
export function parseDigestChallenge(raw: string): Record<string, string> | undefined {
  const header = raw.trimEnd();
  const m = /^\s*Digest\s+/i.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s"]*))\s*(?:,|$)/y;
  re.lastIndex = m[0].length;
  for (let at = re.lastIndex; at < header.length; at = re.lastIndex) {
    const p = re.exec(header);
    if (!p?.[1]) return undefined;
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return params;
}

const hash = (alg: HashName, text: string): string => createHash(alg).update(text, 'utf8').digest('hex');

/**
 * HTTP Digest (RFC 7616) for one device: answers its challenges, preferring SHA-256 where it offers both (Hikvision
 * sends MD5 and SHA-256), with qop=auth and a nonce count that increases over the session so a remembered challenge
 * can be answered up front (soap-exchange.ts). Returns null when no challenge is usable: the call is then refused.
 */
export class DigestAuth {
  private nonceCount = 0;

  constructor(private readonly credentials: OnvifCredentials) {}

  answer(challenges: readonly string[], req: { method: string; path: string }): string | null {
    let best: { params: Record<string, string>; alg: HashName } | undefined;
    for (const header of challenges) {
      const params = parseDigestChallenge(header);
      if (!params || params.nonce === undefined) continue;
      const alg = ALGORITHMS[(params.algorithm ?? 'MD5').toUpperCase().replace(/-/g, '')];
      if (!alg) continue;
      if (!best || (alg === 'sha256' && best.alg === 'md5')) best = { params, alg };
    }
    if (!best) return null;
    const { params, alg } = best;
    const qops = params.qop?.split(',').map((q) => q.trim());
    if (qops && !qops.includes('auth')) return null; // auth-int alone: the body would have to be hashed too
    const realm = params.realm ?? '';
    const nonce = params.nonce ?? '';
    const ha1 = hash(alg, `${this.credentials.username}:${realm}:${this.credentials.password}`);
    const ha2 = hash(alg, `${req.method}:${req.path}`);
    const fields = [
      `username="${this.credentials.username}"`,
      `realm="${realm}"`,
      `nonce="${nonce}"`,
      `uri="${req.path}"`,
    ];
    if (params.algorithm !== undefined) fields.push(`algorithm=${params.algorithm}`);
    let response: string;
    if (qops) {
      this.nonceCount = this.nonceCount >= 0xffff_ffff ? 1 : this.nonceCount + 1;
      const nc = this.nonceCount.toString(16).padStart(8, '0'); // 8 hex digits (RFC 7616 nc-value)
      const cnonce = randomBytes(8).toString('hex');
      response = hash(alg, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
      fields.push('qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
    } else {
      response = hash(alg, `${ha1}:${nonce}:${ha2}`);
    }
    fields.push(`response="${response}"`);
    if (params.opaque) fields.push(`opaque="${params.opaque}"`);
    return `Digest ${fields.join(',')}`;
  }
}
