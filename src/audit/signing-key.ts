/**
 * The audit chain's Ed25519 signing key: `<dataDir>/audit-signing-key.pem` (0600), created on first use, with its
 * public half beside it. Each entry's hash is signed, so whoever holds only the public key (the registry got it
 * in the chain's `signing-key` entry) can check a copy of the log and cannot forge one. docs/audit.md explains
 * why this is a signature and not an HMAC.
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { chmod, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEd25519KeyPair, keyIdOf, parseEd25519PrivateKey } from '../util/ed25519-keys.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { readIfPresent } from '../util/read-if-present.js';

const AUDIT_KEY_FILE = 'audit-signing-key.pem';

export function auditKeyPath(dataDir: string): string {
  return join(dataDir, AUDIT_KEY_FILE);
}

export interface SigningKey {
  key: KeyObject;
  keyId: string;
  publicPem: string;
  /** Made just now: the log has to declare it. */
  created: boolean;
}

export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  let pem = await readIfPresent(file).catch((err: unknown) => {
    // The chain cannot be signed, nor its key replaced unnoticed: the start stops, naming the file.
    throw new CamwardenError(ErrorCode.InvalidConfig, `${file}: cannot be read: ${errorMessage(err)}`);
  });
  const created = pem === undefined;
  pem ??= await createKeyFile(file);
  const key = parseEd25519PrivateKey(pem, file);
  const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { key, keyId: keyIdOf(key), publicPem, created };
}

/** O_EXCL: two writers starting at once never end up with two keys. */
async function createKeyFile(file: string): Promise<string> {
  const { privatePem, publicPem } = generateEd25519KeyPair();
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.writeFile(privatePem);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const pub = file.replace(/\.pem$/, '.pub.pem');
  await writeFile(pub, publicPem, { mode: 0o644 });
  await chmod(pub, 0o644);
  return privatePem;
}

/** base64 Ed25519 signature over the 32 bytes of an entry's sha256 hash. */
export function signHash(key: KeyObject, hash: string): string {
  return sign(null, Buffer.from(hash, 'hex'), key).toString('base64');
}

export function hashSignatureValid(key: KeyObject, hash: string, sig: string): boolean {
  try {
    return verify(null, Buffer.from(hash, 'hex'), key, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}
