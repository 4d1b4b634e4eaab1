/**
 * The last-known-good (LKG) profile set: `<dataDir>/profiles-lkg/{bundle/, lkg.json}`, a copy of the last set that
 * loaded cleanly, used at start when the profiles dir is invalid. Replaced by renames so a crash leaves one intact
 * copy; re-verified (signature when keys are set) and re-validated on load.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../util/logger.js';
import { listBundleFiles, MANIFEST_FILE, SIGNATURE_FILE } from './bundle.js';
import { ProfileValidationError, problemsOf } from './load-profile-set.js';
import type { ProfileSet } from './types.js';

const LKG_DIR = 'profiles-lkg';
const LKG_META = 'lkg.json';

/** How a profile set is loaded and validated (the store's own loader, so the LKG is held to the same rules). */
export type LoadSet = (dir: string) => Promise<ProfileSet>;

/** Copies the loaded set into the LKG; a failure is logged, never thrown (the live set is unaffected). */
export async function persistLkg(dataDir: string, set: ProfileSet, load: LoadSet, logger: Logger): Promise<void> {
  const root = join(dataDir, LKG_DIR);
  const tmp = join(dataDir, `${LKG_DIR}.${randomUUID()}.tmp`);
  try {
    const bundle = join(tmp, 'bundle');
    await mkdir(bundle, { recursive: true });
    const rels = await listBundleFiles(set.dir);
    for (const extra of [MANIFEST_FILE, SIGNATURE_FILE]) {
      if (await exists(join(set.dir, extra))) rels.push(extra);
    }
    for (const rel of rels) {
      await mkdir(dirname(join(bundle, rel)), { recursive: true });
      await cp(join(set.dir, rel), join(bundle, rel));
    }
    // The files may have changed after the load: persist only a copy that is exactly the loaded set.
    const copy = await load(bundle);
    if (copy.revision !== set.revision) {
      logger.warn({ revision: set.revision }, 'profiles changed while persisting; LKG not updated');
      return;
    }
    await writeFile(
      join(tmp, LKG_META),
      `${JSON.stringify({ revision: set.revision, savedAt: new Date().toISOString() })}\n`,
    );
    const old = `${root}.old`;
    await rm(old, { recursive: true, force: true });
    if (await exists(root)) await rename(root, old);
    await rename(tmp, root);
    await rm(old, { recursive: true, force: true });
  } catch (err) {
    logger.error({ err }, 'cannot persist last-known-good profiles');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The persisted LKG (or the copy it replaced), re-verified and re-validated; its revision must match the recorded
 * one. `refused` lists each copy that exists but failed, with its problems, for the caller to report.
 */
export async function loadLkg(
  dataDir: string,
  load: LoadSet,
  logger: Logger,
): Promise<{ set: ProfileSet | undefined; refused: Array<{ dir: string; problems: string[] }> }> {
  const root = join(dataDir, LKG_DIR);
  const refused: Array<{ dir: string; problems: string[] }> = [];
  for (const dir of [root, `${root}.old`]) {
    let meta: { revision?: unknown };
    try {
      meta = JSON.parse(await readFile(join(dir, LKG_META), 'utf8')) as { revision?: unknown };
    } catch {
      continue;
    }
    try {
      const set = await load(join(dir, 'bundle'));
      if (set.revision !== meta.revision) {
        throw new ProfileValidationError(dir, [
          `${LKG_DIR}/${LKG_META}: revision: persisted copy does not match its recorded revision (tampered or corrupt)`,
        ]);
      }
      return { set, refused };
    } catch (err) {
      const problems = problemsOf(err);
      logger.error({ problems, dir }, 'last-known-good profiles refused');
      refused.push({ dir, problems });
    }
  }
  return { set: undefined, refused };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
