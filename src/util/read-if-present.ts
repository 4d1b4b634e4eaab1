import { readFile } from 'node:fs/promises';

/** A state file's text, or undefined when there is none yet; any other failure (EACCES, EISDIR…) is thrown. */
export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
