/** FootageQuarantine for enforce/: moves a blocked camera's footage out of the tree, and back on release. */
import { constants } from 'node:fs';
import { lstat, mkdir, open, opendir, realpath, rename, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { assertSafeId } from '../util/safe-id.js';
import type { SweepOptions, SweepResult } from './sweep.js';
import { QUARANTINE_DIR_NAME, sweep } from './sweep.js';

export interface FootageQuarantine {
  quarantine(cameraId: string): Promise<void>;
  release(cameraId: string): Promise<void>;
}

export class TreeFootageQuarantine implements FootageQuarantine {
  constructor(private readonly base: () => Promise<Omit<SweepOptions, 'quarantineOnly' | 'dryRun'>>) {}

  async quarantine(cameraId: string): Promise<void> {
    await this.quarantineWithResult(cameraId);
  }

  async quarantineWithResult(cameraId: string): Promise<SweepResult> {
    assertSafeId(cameraId, 'quarantine');
    return sweep({ ...(await this.base()), quarantineOnly: cameraId });
  }

  /**
   * Moves files back to their original relative path (never over an existing file); restores mode 0640. Only the
   * camera's own directory directly under the quarantine is read: an id that is not safe is refused, never joined.
   */
  async release(cameraId: string): Promise<void> {
    assertSafeId(cameraId, 'quarantine release');
    const opts = await this.base();
    const root = await realpath(opts.root);
    const qroot = opts.quarantineDir ?? (await defaultQuarantine(root));
    const camDir = resolve(qroot, cameraId.replace(/[^A-Za-z0-9_.-]/g, '_'));
    if (dirname(camDir) !== resolve(qroot)) {
      throw new CamwardenError(
        ErrorCode.UnsafeId,
        `quarantine release: ${cameraId} is not a directory of the quarantine`,
      );
    }
    await restore(camDir, camDir, root);
    await rmdir(camDir).catch(() => undefined);
  }
}

async function defaultQuarantine(root: string): Promise<string> {
  const parent = dirname(root);
  const [p, r] = await Promise.all([lstat(parent), lstat(root)]);
  return p.dev === r.dev && parent !== root ? join(parent, QUARANTINE_DIR_NAME) : join(root, QUARANTINE_DIR_NAME);
}

async function restore(dir: string, camDir: string, root: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof opendir>>;
  try {
    handle = await opendir(dir);
  } catch {
    return;
  }
  for await (const d of handle) {
    const path = join(dir, d.name);
    if (d.isDirectory()) {
      await restore(path, camDir, root);
      await rmdir(path).catch(() => undefined);
    } else if (d.isFile()) {
      const target = join(root, relative(camDir, path));
      if (
        await lstat(target).then(
          () => true,
          () => false,
        )
      )
        continue;
      await mkdir(dirname(target), { recursive: true, mode: 0o750 });
      const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      await fh.chmod(0o640).finally(() => fh.close());
      await rename(path, target);
    }
  }
}
