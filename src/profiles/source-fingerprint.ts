import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_FILES = 2000;

/**
 * SHA-256 over every byte a profile load reads: each regular file under `dir` (paths sorted) and the keys file.
 * Equal fingerprints mean a re-load would parse and verify the very same input, so the periodic re-check can skip
 * the YAML parse and schema validation on an idle gateway. Undefined when the tree cannot be read in full: the
 * caller then loads as usual and reports what is wrong.
 */
export async function sourceFingerprint(dir: string, keysFile?: string): Promise<string | undefined> {
  const hash = createHash('sha256').update(dir).update('\0');
  let files = 0;
  const walk = async (rel: string): Promise<boolean> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!(await walk(path))) return false;
      } else if (entry.isFile()) {
        if (++files > MAX_FILES) return false;
        hash
          .update(`f:${path}\0`)
          .update(await readFile(join(dir, path)))
          .update('\0');
      } else {
        hash.update(`o:${path}\0`); // a symlink or other entry: its presence alone changes the fingerprint
      }
    }
    return true;
  };
  try {
    if (!(await walk(''))) return undefined;
    if (keysFile !== undefined) hash.update(`k:${keysFile}\0`).update(await readFile(keysFile));
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}
