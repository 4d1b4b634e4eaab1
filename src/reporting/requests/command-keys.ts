import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CamwardenError, ErrorCode } from '../../util/errors.js';
import { keyIdOf } from './signing.js';

const PEM_RE = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/** Trusted Ed25519 request keys by keyId. A file that cannot be read or holds no Ed25519 key is an error. */
export function parseCommandKeys(pem: string, source = 'command keys'): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const blocks = pem.match(PEM_RE) ?? [];
  for (const [i, block] of blocks.entries()) {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (err) {
      throw new CamwardenError(
        ErrorCode.InvalidConfig,
        `${source}: key ${i + 1}: not a valid public key (${(err as Error).message})`,
      );
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new CamwardenError(
        ErrorCode.InvalidConfig,
        `${source}: key ${i + 1}: ${key.asymmetricKeyType} is not Ed25519`,
      );
    }
    keys.set(keyIdOf(key), key);
  }
  if (keys.size === 0) throw new CamwardenError(ErrorCode.InvalidConfig, `${source}: no PEM public key found`);
  return keys;
}

export async function loadCommandKeys(path: string): Promise<Map<string, KeyObject>> {
  return parseCommandKeys(await readFile(path, 'utf8'), path);
}
