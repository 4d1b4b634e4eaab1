import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalize } from '../../util/jcs.js';

/** The bytes a request signature covers (INTERFACES §6). */
export function signedBytes(topic: string, request: Record<string, unknown>): Buffer {
  const { signature: _omit, ...rest } = request;
  return Buffer.from(`${topic}\n${canonicalize(rest)}`, 'utf8');
}

/** First 16 hex digits of SHA-256 over the key's SPKI DER. */
export function keyIdOf(key: KeyObject): string {
  const spki = key.type === 'private' ? createPublicKey(key) : key;
  const der = spki.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Signs a request for `topic` (for operators and tests): sets `keyId` when absent and returns a copy with `signature`. */
export function signRequest<T extends Record<string, unknown>>(
  topic: string,
  request: T,
  privateKey: KeyObject,
): T & { keyId: string; signature: string } {
  const withKey = { ...request, keyId: (request.keyId as string | undefined) ?? keyIdOf(privateKey) };
  const signature = sign(null, signedBytes(topic, withKey), privateKey).toString('base64');
  return { ...withKey, signature } as T & { keyId: string; signature: string };
}

export function verifySignature(topic: string, request: Record<string, unknown>, key: KeyObject): boolean {
  const sig = request.signature;
  if (typeof sig !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(sig)) return false;
  const buf = Buffer.from(sig, 'base64');
  if (buf.length !== 64) return false;
  try {
    return verify(null, signedBytes(topic, request), key, buf);
  } catch {
    return false;
  }
}
