import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimAuthSpec } from './index.js';
import { attrOf, elements, textOf } from './xml.js';

/** What the WS-UsernameToken in a request proved, if anything. */
export type WsResult = { kind: 'absent' } | { kind: 'valid'; user: string } | { kind: 'invalid'; why: string };

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a WS-UsernameToken against the device's own (possibly skewed) clock, as real devices do:
 * PasswordDigest = Base64(SHA1(nonce + created + password)); PasswordText is accepted too.
 */
export function verifyUsernameToken(
  headerXml: string,
  auth: SimAuthSpec,
  deviceNowMs: number,
  toleranceMs: number,
): WsResult {
  const token = elements(headerXml, 'UsernameToken')[0];
  if (!token) return { kind: 'absent' };
  const user = textOf(token.inner, 'Username') ?? '';
  const pw = elements(token.inner, 'Password')[0];
  const password = textOf(token.inner, 'Password') ?? '';
  const type = pw ? (attrOf(pw.attrs, 'Type') ?? '') : '';
  if (user !== auth.username) return { kind: 'invalid', why: 'unknown user' };
  if (type.endsWith('#PasswordText')) {
    return safeEqual(password, auth.password) ? { kind: 'valid', user } : { kind: 'invalid', why: 'wrong password' };
  }
  const nonceB64 = textOf(token.inner, 'Nonce') ?? '';
  const created = textOf(token.inner, 'Created') ?? '';
  const createdMs = Date.parse(created);
  if (!Number.isFinite(createdMs)) return { kind: 'invalid', why: 'bad Created' };
  if (toleranceMs >= 0 && Math.abs(createdMs - deviceNowMs) > toleranceMs) {
    return { kind: 'invalid', why: 'Created outside the device clock window' };
  }
  const expected = createHash('sha1')
    .update(
      Buffer.concat([
        Buffer.from(nonceB64, 'base64'),
        Buffer.from(created, 'utf8'),
        Buffer.from(auth.password, 'utf8'),
      ]),
    )
    .digest('base64');
  return safeEqual(expected, password) ? { kind: 'valid', user } : { kind: 'invalid', why: 'wrong digest' };
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

/** Parses `Digest k=v, k="v"` (quoted values may hold commas). */
function parseDigestHeader(header: string): Record<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m?.[1]) return undefined;
  const out: Record<string, string> = {};
  for (const p of m[1].matchAll(/([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    const key = p[1];
    if (key) out[key.toLowerCase()] = p[2] ?? p[3] ?? '';
  }
  return out;
}

/** HTTP Digest (RFC 7616, MD5, qop=auth) with server nonces that expire. */
export class DigestVerifier {
  private readonly nonces = new Map<string, number>();
  constructor(
    private readonly realm: string,
    private readonly nonceTtlMs = 5 * 60_000,
  ) {}

  challenge(stale = false): string {
    const nonce = randomBytes(16).toString('hex');
    const now = Date.now();
    this.nonces.set(nonce, now);
    // Bounded: drop the oldest nonces rather than grow without limit under a flood of unauthenticated requests.
    if (this.nonces.size > 1024) {
      for (const [k, at] of this.nonces) {
        if (this.nonces.size <= 512 && now - at < this.nonceTtlMs) break;
        this.nonces.delete(k);
      }
    }
    const opaque = md5(this.realm);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", opaque="${opaque}", algorithm=MD5, stale=${stale ? 'TRUE' : 'FALSE'}`;
  }

  /** Returns the user on success, 'stale' for an unknown/expired nonce, undefined for bad credentials. */
  verify(header: string | undefined, method: string, auth: SimAuthSpec): string | 'stale' | undefined {
    if (!header) return undefined;
    const d = parseDigestHeader(header);
    if (!d) return undefined;
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = d;
    if (!username || !nonce || !uri || !response) return undefined;
    const algorithm = (d.algorithm ?? 'MD5').toUpperCase();
    if (algorithm !== 'MD5') return undefined;
    const issued = this.nonces.get(nonce);
    if (issued === undefined || Date.now() - issued > this.nonceTtlMs) return 'stale';
    if (username !== auth.username || realm !== this.realm) return undefined;
    const ha1 = md5(`${username}:${this.realm}:${auth.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected =
      qop === 'auth' ? md5(`${ha1}:${nonce}:${nc ?? ''}:${cnonce ?? ''}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    return safeEqual(expected, response.toLowerCase()) ? username : undefined;
  }
}
