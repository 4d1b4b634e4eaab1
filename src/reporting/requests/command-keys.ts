import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { keyIdOf, parseEd25519PublicKeys } from '../../util/ed25519-keys.js';

/** Trusted Ed25519 request keys by keyId. A file that cannot be read or holds no Ed25519 key is an error. */
export function parseCommandKeys(pem: string, source = 'command keys'): Map<string, KeyObject> {
  return new Map(parseEd25519PublicKeys(pem, source).map((key) => [keyIdOf(key), key]));
}

export async function loadCommandKeys(path: string): Promise<Map<string, KeyObject>> {
  return parseCommandKeys(await readFile(path, 'utf8'), path);
}
