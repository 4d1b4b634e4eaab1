import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * A copy of a checkout file that every user can read, in `dir` (default: a new temporary directory, 0755).
 * Programs that drop root for their own user (mosquitto) or that a test runs as `nobody` cannot read a clone
 * inside a 0700 home directory, so they get this copy instead of the file itself.
 */
export function readableCopy(file: string, dir?: string): string {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'cw-readable-'));
  if (dir === undefined) chmodSync(target, 0o755);
  const copy = join(target, basename(file));
  copyFileSync(file, copy);
  chmodSync(copy, 0o644);
  return copy;
}
