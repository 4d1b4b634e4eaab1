/** Moves one verified regular file into quarantine: same filesystem only (rename), never copy-then-delete. */
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CamwardenError, ErrorCode } from '../util/errors.js';

/** Why footage was not moved: it changed under us, the target exists, another filesystem, or the OS's errno. */
export class MoveError extends CamwardenError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(ErrorCode.QuarantineFailed, message, { reason });
    this.name = 'MoveError';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Restricts the file to 0600 through an O_NOFOLLOW descriptor checked against the expected inode (never chmod
 * by path, which follows symlinks), then renames it. Returns the destination actually used (never overwrites).
 */
export async function moveIntoQuarantine(
  src: string,
  dest: string,
  expect: { dev: number; ino: number },
): Promise<string> {
  const handle = await open(src, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.dev !== expect.dev || st.ino !== expect.ino) {
      throw new MoveError('changed', 'file changed before the move');
    }
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  let target = dest;
  if (await exists(target)) target = `${dest}.${expect.ino}`;
  if (await exists(target)) throw new MoveError('exists', `quarantine target exists: ${target}`);
  try {
    await rename(src, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EXDEV')
      throw new MoveError('quarantine-other-device', 'quarantine is on another filesystem; not moved');
    throw new MoveError(code, (err as Error).message);
  }
  return target;
}
