import { type KeyObject, sign, verify } from 'node:crypto';
import { keyIdOf } from '../../util/ed25519-keys.js';
import { canonicalize } from '../../util/jcs.js';

/** The bytes a request signature covers: topic, newline, RFC 8785 JSON of the request without `signature` (docs/mqtt.md). */
function signedBytes(topic: string, request: Record<string, unknown>): Buffer {
  const { signature: _omit, ...rest } = request;
  return Buffer.from(`${topic}\n${canonicalize(rest)}`, 'utf8');
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
