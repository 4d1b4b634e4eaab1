/**
 * The live profile set of the agent: loads the profiles dir, hot-reloads it (fs.watch + debounce, plus a
 * periodic revision re-check for file systems where watching is unreliable), validates a whole new set before
 * swapping it in atomically, and keeps a last-known-good (LKG) copy in `<dataDir>/profiles-lkg/` that is
 * re-verified and re-validated on load.
 *
 * Remote bundles (`profiles/apply`) are never written into the configured profiles dir: it is often the
 * package's own read-only `device-profiles/`, and operator state there would be lost on upgrade. They are
 * applied to `<dataDir>/profiles-applied/<name>/` and an `ACTIVE` pointer file (written atomically) makes that
 * the active dir; it keeps precedence over the configured dir across restarts until the pointer is deleted.
 */
import { randomUUID } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { AuditSink } from '../model/audit-sink.js';
import type { EventSink } from '../model/event-sink.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { listBundleFiles, MANIFEST_FILE, SIGNATURE_FILE } from './bundle.js';
import { loadProfileSet, ProfileValidationError } from './load-profile-set.js';
import { type ConsentRecordStore, mergeConsents } from './record-store.js';
import { sourceFingerprint } from './source-fingerprint.js';
import type { ProfileSet } from './types.js';

export const LKG_DIR = 'profiles-lkg';
export const APPLIED_DIR = 'profiles-applied';
const ACTIVE_POINTER = 'ACTIVE';
const LKG_META = 'lkg.json';
const MAX_BUNDLE_FILES = 500;
const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

export interface ProfileStoreDeps {
  dir: string;
  dataDir: string;
  keysFile?: string | undefined;
  packId?: string | undefined;
  events: EventSink;
  audit: AuditSink;
  logger: Logger;
  consents?: ConsentRecordStore | undefined;
  /** Default true. */
  watch?: boolean;
  debounceMs?: number;
  recheckMs?: number;
}

export interface ReloadResult {
  revision: string | undefined;
  problems: string[];
}

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

export class ProfileStore {
  readonly name = 'profiles';
  /** The set as loaded from files; `set` adds the runtime consent records. */
  private base: ProfileSet | undefined;
  private set: ProfileSet | undefined;
  private activeDir: string;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private lastRejected = '';
  /** sourceFingerprint of the input the live set was last loaded from. */
  private loadedFingerprint: string | undefined;
  private readonly listeners = new Set<(set: ProfileSet | undefined) => void>();
  private started = false;

  constructor(private readonly deps: ProfileStoreDeps) {
    this.activeDir = deps.dir;
  }

  current(): ProfileSet | undefined {
    return this.set;
  }

  revision(): string | undefined {
    return this.set?.revision;
  }

  /** The directory currently loaded and watched. */
  dir(): string {
    return this.activeDir;
  }

  onChange(listener: (set: ProfileSet | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.deps.consents?.load().catch((err: unknown) => {
      this.deps.logger.error({ err }, 'consent records unreadable; continuing with the profile files only');
    });
    this.activeDir = await activeProfilesDir(this.deps.dataDir, this.deps.dir);
    const lkg = await this.loadLkg();
    const fingerprint = await sourceFingerprint(this.activeDir, this.deps.keysFile);
    try {
      const set = await this.load(this.activeDir);
      this.loadedFingerprint = fingerprint;
      this.swap(set);
      if (lkg?.revision !== set.revision) {
        await this.persistLkg(set);
        await this.announceApplied(set.revision, lkg?.revision, 'start');
      }
    } catch (err) {
      const problems = problemsOf(err);
      if (lkg) {
        this.deps.logger.warn({ problems, revision: lkg.revision }, 'profiles invalid; using the last-known-good');
        this.swap(lkg);
      } else {
        this.deps.logger.error({ problems }, 'profiles invalid and no last-known-good; built-in policy only');
      }
      await this.announceRejected(problems, 'start');
    }
    this.startWatching();
    if ((this.deps.recheckMs ?? 30_000) > 0) {
      this.interval = setInterval(() => void this.reload(), this.deps.recheckMs ?? 30_000);
      this.interval.unref();
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.interval) clearInterval(this.interval);
    await this.chain.catch(() => undefined);
  }

  /** Re-reads the active dir; a valid set with a new revision replaces the current one. Serialised. */
  reload(): Promise<ReloadResult> {
    return this.serial(() => this.reloadNow());
  }

  /** Records a consent (remote `consent/record`) and re-merges it into the live set. */
  async recordConsent(request: unknown): Promise<unknown> {
    if (!this.deps.consents) throw new CamwardenError(ErrorCode.Internal, 'no consent record store configured');
    const record = await this.deps.consents.add(request);
    await this.deps.audit.append('consent', { ...record });
    if (this.base) this.swap(this.base);
    return record;
  }

  /** Remote `profiles/apply`: stage, verify + validate, then (unless dryRun) make it the active set. */
  applyBundle(files: Record<string, string>, opts: { dryRun?: boolean } = {}): Promise<ReloadResult> {
    return this.serial(() => this.applyNow(files, opts.dryRun === true));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async load(dir: string): Promise<ProfileSet> {
    return loadProfileSet(dir, { keysFile: this.deps.keysFile, packId: this.deps.packId });
  }

  private swap(base: ProfileSet | undefined): void {
    this.base = base;
    this.set = base ? mergeConsents(base, this.deps.consents?.list() ?? []) : undefined;
    for (const l of this.listeners) {
      try {
        l(this.set);
      } catch (err) {
        this.deps.logger.error({ err }, 'profiles change listener failed');
      }
    }
  }

  private async reloadNow(): Promise<ReloadResult> {
    const fingerprint = await sourceFingerprint(this.activeDir, this.deps.keysFile);
    if (fingerprint !== undefined && fingerprint === this.loadedFingerprint && this.set) {
      return { revision: this.set.revision, problems: [] }; // same bytes as the live set: nothing to re-parse
    }
    try {
      const set = await this.load(this.activeDir);
      this.loadedFingerprint = fingerprint;
      this.lastRejected = '';
      if (set.revision === this.set?.revision) return { revision: set.revision, problems: [] };
      const previous = this.set?.revision;
      this.swap(set);
      await this.persistLkg(set);
      await this.announceApplied(set.revision, previous, 'reload');
      return { revision: set.revision, problems: [] };
    } catch (err) {
      const problems = problemsOf(err);
      await this.announceRejected(problems, 'reload');
      return { revision: this.set?.revision, problems };
    }
  }

  private async applyNow(files: Record<string, string>, dryRun: boolean): Promise<ReloadResult> {
    const pathProblems = checkBundlePaths(files);
    if (pathProblems.length > 0) return { revision: this.set?.revision, problems: pathProblems };
    const stagingRoot = join(this.deps.dataDir, 'profiles-staging');
    const staging = join(stagingRoot, randomUUID());
    try {
      for (const [rel, text] of Object.entries(files)) {
        const target = join(staging, rel);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
      }
      await mkdir(staging, { recursive: true });
      let set: ProfileSet;
      try {
        set = await this.load(staging);
      } catch (err) {
        const problems = problemsOf(err);
        if (!dryRun) await this.announceRejected(problems, 'request');
        return { revision: this.set?.revision, problems };
      }
      if (dryRun) return { revision: set.revision, problems: [] };
      const appliedRoot = join(this.deps.dataDir, APPLIED_DIR);
      await mkdir(appliedRoot, { recursive: true });
      const name = `${set.revision}-${Date.now()}`;
      const finalDir = join(appliedRoot, name);
      await rename(staging, finalDir);
      const pointerTmp = join(appliedRoot, `${ACTIVE_POINTER}.${randomUUID()}.tmp`);
      await writeFile(pointerTmp, `${name}\n`);
      await rename(pointerTmp, join(appliedRoot, ACTIVE_POINTER));
      const previous = this.set?.revision;
      const previousDir = this.activeDir;
      this.activeDir = finalDir;
      const applied = { ...set, dir: finalDir };
      this.swap(applied);
      this.restartWatching();
      await this.persistLkg(applied);
      await this.announceApplied(set.revision, previous, 'request');
      await pruneApplied(appliedRoot, [
        name,
        previousDir.startsWith(appliedRoot) ? (previousDir.split(sep).pop() ?? '') : '',
      ]);
      return { revision: set.revision, problems: [] };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async announceApplied(revision: string, previous: string | undefined, source: string): Promise<void> {
    this.deps.logger.info({ revision, previous, source }, 'profiles applied');
    await this.safe(() =>
      this.deps.events.emit('profiles.applied', { revision, previous: previous ?? null, source, dir: this.activeDir }),
    );
    await this.safe(() =>
      this.deps.audit.append('profiles', { action: 'applied', revision, previous: previous ?? null, source }),
    );
  }

  private async announceRejected(problems: string[], source: string): Promise<void> {
    // The 30 s re-check must not repeat the same rejection forever.
    const key = problems.join('\n');
    if (source === 'reload' && key === this.lastRejected) return;
    if (source !== 'request') this.lastRejected = key;
    this.deps.logger.warn({ problems, source, keeping: this.set?.revision }, 'profiles rejected');
    await this.safe(() =>
      this.deps.events.emit('profiles.rejected', {
        problems,
        source,
        keeping: this.set?.revision ?? null,
        dir: this.activeDir,
      }),
    );
    await this.safe(() => this.deps.audit.append('profiles', { action: 'rejected', problems, source }));
  }

  private async safe(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.deps.logger.error({ err }, 'profiles: event or audit write failed');
    }
  }

  private startWatching(): void {
    if (this.deps.watch === false || !this.started) return;
    try {
      this.watcher = watch(this.activeDir, { recursive: true, persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => {
        this.deps.logger.warn({ err }, 'profiles watch failed; relying on the periodic re-check');
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.deps.logger.warn(
        { err, dir: this.activeDir },
        'cannot watch profiles dir; relying on the periodic re-check',
      );
    }
  }

  private restartWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.startWatching();
  }

  private schedule(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), this.deps.debounceMs ?? 300);
    this.debounce.unref();
  }

  /** LKG = `<dataDir>/profiles-lkg/{bundle/, lkg.json}`; replaced by renames so a crash leaves one intact copy. */
  private async persistLkg(set: ProfileSet): Promise<void> {
    const root = join(this.deps.dataDir, LKG_DIR);
    const tmp = join(this.deps.dataDir, `${LKG_DIR}.${randomUUID()}.tmp`);
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
      const copy = await loadProfileSet(bundle, { keysFile: this.deps.keysFile, packId: this.deps.packId });
      if (copy.revision !== set.revision) {
        this.deps.logger.warn({ revision: set.revision }, 'profiles changed while persisting; LKG not updated');
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
      this.deps.logger.error({ err }, 'cannot persist last-known-good profiles');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** The persisted LKG, re-verified (signature when keys are set) and re-validated; its revision must match. */
  private async loadLkg(): Promise<ProfileSet | undefined> {
    const root = join(this.deps.dataDir, LKG_DIR);
    const candidates = [root, `${root}.old`];
    for (const dir of candidates) {
      let meta: { revision?: unknown };
      try {
        meta = JSON.parse(await readFile(join(dir, LKG_META), 'utf8')) as { revision?: unknown };
      } catch {
        continue;
      }
      try {
        const set = await this.load(join(dir, 'bundle'));
        if (set.revision !== meta.revision) {
          throw new ProfileValidationError(dir, [
            `${LKG_DIR}/${LKG_META}: revision: persisted copy does not match its recorded revision (tampered or corrupt)`,
          ]);
        }
        return set;
      } catch (err) {
        const problems = problemsOf(err);
        this.deps.logger.error({ problems, dir }, 'last-known-good profiles refused');
        await this.safe(() => this.deps.events.emit('profiles.rejected', { problems, source: 'last-known-good' }));
      }
    }
    return undefined;
  }
}

function problemsOf(err: unknown): string[] {
  if (err instanceof ProfileValidationError) return err.problems;
  return [`(profiles): (root): ${err instanceof Error ? err.message : String(err)}`];
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
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

async function pruneApplied(root: string, keep: string[]): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name === ACTIVE_POINTER || keep.includes(name) || name.endsWith('.tmp')) continue;
    await rm(join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
