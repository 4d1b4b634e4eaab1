import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { keyIdOf, parseEd25519PublicKeys } from '../../util/ed25519-keys.js';

/** Trusted Ed25519 request keys by keyId. A file that cannot be read or holds no Ed25519 key is an error. */
export function parseCommandKeys(pem: string, source = 'command keys'): Map<string, KeyObject> {
  return new Map(parseEd25519PublicKeys(pem, source).map((key) => [keyIdOf(key), key]));
}

async function loadCommandKeys(path: string): Promise<Map<string, KeyObject>> {
  return parseCommandKeys(await readFile(path, 'utf8'), path);
}

/**
 * The command keys file as it is now: a key removed from the file stops being trusted at the next request, not at
 * the next restart (docs/mqtt.md). Re-read only when the file changed; a file that cannot be read or parsed any
 * more trusts no key (fail closed) until it is fixed.
 */
export class CommandKeyFile {
  private stamp: string | undefined;
  private keys: Map<string, KeyObject> | undefined;

  constructor(readonly path: string) {}

  /** The keys now trusted; throws when the file is unusable (nothing is trusted then). */
  async current(): Promise<Map<string, KeyObject>> {
    let stamp: string;
    try {
      const s = await stat(this.path, { bigint: true });
      stamp = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      this.forget();
      throw err;
    }
    if (stamp !== this.stamp || !this.keys) {
      this.forget();
      this.keys = await loadCommandKeys(this.path);
      this.stamp = stamp;
    }
    return this.keys;
  }

  private forget(): void {
    this.stamp = undefined;
    this.keys = undefined;
  }
}
