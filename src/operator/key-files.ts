import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEd25519KeyPair } from '../util/ed25519-keys.js';
import { UsageError } from '../util/errors.js';

const PRIVATE_KEY_FILE = 'private.pem';
const PUBLIC_KEY_FILE = 'public.pem';

/** Creates `path` (never over an existing file or symlink) with `mode`, and fsyncs it. */
async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${path} exists: refusing to overwrite a key`);
    }
    throw err;
  }
  try {
    await handle.writeFile(text);
    await handle.chmod(mode); // the umask may have narrowed or (for the public key) kept bits we do not want
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A new Ed25519 signing pair in `dir`: `private.pem` (PKCS#8, 0600) and `public.pem` (SPKI, 0644, for the agent's
 * command keys or profile keys file). Existing keys are never overwritten.
 */
export async function writeKeyPair(
  dir: string,
): Promise<{ keyId: string; privateKeyPath: string; publicKeyPath: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = generateEd25519KeyPair();
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = join(dir, PUBLIC_KEY_FILE);
  await writeNewFile(privateKeyPath, pair.privatePem, 0o600);
  await writeNewFile(publicKeyPath, pair.publicPem, 0o644);
  return { keyId: pair.keyId, privateKeyPath, publicKeyPath };
}
