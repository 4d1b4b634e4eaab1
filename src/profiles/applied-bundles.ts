/**
 * Remote bundles (`profiles/apply`) on disk. They are never written into the configured profiles dir: it is often
 * the package's own read-only `device-profiles/`, and operator state there would be lost on upgrade. A bundle is
 * staged in `<dataDir>/profiles-staging/<uuid>/`, and once valid moved to `<dataDir>/profiles-applied/<name>/`; an
 * `ACTIVE` pointer file (written atomically) makes that the active dir. It keeps precedence over the configured
 * dir across restarts until the pointer is deleted.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export const APPLIED_DIR = 'profiles-applied';
const STAGING_DIR = 'profiles-staging';
const ACTIVE_POINTER = 'ACTIVE';
const MAX_BUNDLE_FILES = 500;
const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

/** The dir the agent decides from: a remotely applied bundle when one is active, else the configured dir. */
export async function activeProfilesDir(dataDir: string, configuredDir: string): Promise<string> {
  try {
    const name = (await readFile(join(dataDir, APPLIED_DIR, ACTIVE_POINTER), 'utf8')).trim();
    if (name && !name.includes('/') && !name.includes('\\') && name !== '..') {
      const dir = join(dataDir, APPLIED_DIR, name);
      if ((await stat(dir)).isDirectory()) return dir;
    }
  } catch {
    // no applied bundle
  }
  return configuredDir;
}

/** Relative, normalised paths only: a bundle can never write outside its staging dir. */
export function checkBundlePaths(files: Record<string, string>): string[] {
  const problems: string[] = [];
  if (!files || typeof files !== 'object') return ['(bundle): files: expected an object of path → content'];
  const entries = Object.entries(files);
  if (entries.length === 0) problems.push('(bundle): files: empty bundle');
  if (entries.length > MAX_BUNDLE_FILES) problems.push(`(bundle): files: more than ${MAX_BUNDLE_FILES} files`);
  let total = 0;
  for (const [rel, text] of entries) {
    if (typeof text !== 'string') {
      problems.push(`${rel}: (root): content must be a string`);
      continue;
    }
    total += Buffer.byteLength(text);
    const bad =
      rel.length === 0 ||
      isAbsolute(rel) ||
      rel.includes('\\') ||
      rel.includes('\0') ||
      normalize(rel) !== rel ||
      rel.split('/').some((s) => s === '..' || s === '.' || s === '');
    if (bad) problems.push(`${rel}: (root): path must be relative and normalised (no "..", no leading "/")`);
  }
  if (total > MAX_BUNDLE_BYTES) problems.push(`(bundle): files: larger than ${MAX_BUNDLE_BYTES} bytes`);
  return problems;
}

/**
 * Writes the bundle's files (paths checked by checkBundlePaths first) into a fresh staging dir and runs `use` on
 * it; the staging dir is removed afterwards unless `use` installed it (installStaged moves it away).
 */
export async function withStagedBundle<T>(
  dataDir: string,
  files: Record<string, string>,
  use: (stagingDir: string) => Promise<T>,
): Promise<T> {
  const staging = join(dataDir, STAGING_DIR, randomUUID());
  try {
    for (const [rel, text] of Object.entries(files)) {
      const target = join(staging, rel);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    await mkdir(staging, { recursive: true });
    return await use(staging);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Moves a validated staging dir into `profiles-applied/` and points `ACTIVE` at it. Returns the new dir. */
export async function installStaged(dataDir: string, staging: string, revision: string): Promise<string> {
  const appliedRoot = join(dataDir, APPLIED_DIR);
  await mkdir(appliedRoot, { recursive: true });
  const name = `${revision}-${Date.now()}`;
  const finalDir = join(appliedRoot, name);
  await rename(staging, finalDir);
  await writeFileAtomic(join(appliedRoot, ACTIVE_POINTER), `${name}\n`);
  return finalDir;
}

/** Removes applied bundles other than the active one and the one it replaced. */
export async function pruneApplied(dataDir: string, activeDir: string, previousDir: string): Promise<void> {
  const root = join(dataDir, APPLIED_DIR);
  const keep = [activeDir, previousDir].filter((dir) => dir.startsWith(root)).map((dir) => dir.split(sep).pop() ?? '');
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name === ACTIVE_POINTER || keep.includes(name) || name.endsWith('.tmp')) continue;
    await rm(join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
