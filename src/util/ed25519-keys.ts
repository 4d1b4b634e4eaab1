import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CamwardenError, ErrorCode, errorMessage } from './errors.js';

const PUBLIC_PEM_RE = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/**
 * Every Ed25519 public key (PEM SPKI block) in `text`: the format of the command keys and the profile keys files.
 * A block that is not a valid Ed25519 key, or no block at all, is an error naming `source` and the key's position.
 */
export function parseEd25519PublicKeys(text: string, source: string): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const [i, block] of (text.match(PUBLIC_PEM_RE) ?? []).entries()) {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (err) {
      throw new CamwardenError(
        ErrorCode.InvalidConfig,
        `${source}: key ${i + 1}: not a valid public key (${errorMessage(err)})`,
      );
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new CamwardenError(
        ErrorCode.InvalidConfig,
        `${source}: key ${i + 1}: ${key.asymmetricKeyType} is not Ed25519`,
      );
    }
    keys.push(key);
  }
  if (keys.length === 0) throw new CamwardenError(ErrorCode.InvalidConfig, `${source}: no PEM public key found`);
  return keys;
}

export async function loadEd25519PublicKeys(file: string): Promise<KeyObject[]> {
  return parseEd25519PublicKeys(await readFile(file, 'utf8'), file);
}

/** An Ed25519 private key (PKCS#8 PEM); anything else is an error naming `source`. */
export function parseEd25519PrivateKey(text: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new CamwardenError(ErrorCode.InvalidConfig, `${source}: not a PEM private key (${errorMessage(err)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CamwardenError(ErrorCode.InvalidConfig, `${source}: ${key.asymmetricKeyType} is not Ed25519`);
  }
  return key;
}

export async function loadEd25519PrivateKey(file: string): Promise<KeyObject> {
  return parseEd25519PrivateKey(await readFile(file, 'utf8'), file);
}

/** First 16 hex digits of SHA-256 over the key's SPKI DER: how requests name the key that signed them. */
export function keyIdOf(key: KeyObject): string {
  const spki = key.type === 'private' ? createPublicKey(key) : key;
  const der = spki.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** A fresh Ed25519 pair as PEM (PKCS#8 private, SPKI public) and its keyId. */
export function generateEd25519KeyPair(): { privatePem: string; publicPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}
