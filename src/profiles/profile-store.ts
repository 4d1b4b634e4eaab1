/**
 * The live profile set of the agent: loads the profiles dir, hot-reloads it (fs.watch + debounce, plus a
 * periodic revision re-check for file systems where watching is unreliable), validates a whole new set before
 * swapping it in atomically, falls back to the last-known-good copy (last-known-good.ts) when the dir is invalid
 * at start, and applies remote bundles (applied-bundles.ts). Every applied or rejected set is an event and an
 * audit entry.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { AuditSink } from '../model/audit-sink.js';
import type { EventSink } from '../model/event-sink.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { SerialQueue } from '../util/serial-queue.js';
import {
  activeProfilesDir,
  checkBundlePaths,
  installStaged,
  pruneApplied,
  withStagedBundle,
} from './applied-bundles.js';
import { loadLkg, persistLkg } from './last-known-good.js';
import { loadProfileSet, problemsOf } from './load-profile-set.js';
import { type ConsentRecordStore, mergeConsents } from './record-store.js';
import { sourceFingerprint } from './source-fingerprint.js';
import type { ProfileSet } from './types.js';

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

export class ProfileStore {
  readonly name = 'profiles';
  /** The set as loaded from files; `set` adds the runtime consent records. */
  private base: ProfileSet | undefined;
  private set: ProfileSet | undefined;
  private activeDir: string;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private readonly queue = new SerialQueue();
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
        // At start there is no live set to keep: the set is loaded, and its entry written if the log takes it.
        await this.recordApplied(set.revision, lkg?.revision, 'start');
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
    await this.queue.idle();
  }

  /** Re-reads the active dir; a valid set with a new revision replaces the current one. Serialised. */
  reload(): Promise<ReloadResult> {
    return this.queue.run(() => this.reloadNow());
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
    return this.queue.run(() => this.applyNow(files, opts.dryRun === true));
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
      if (set.revision === this.set?.revision) {
        this.loadedFingerprint = fingerprint;
        this.lastRejected = '';
        return { revision: set.revision, problems: [] };
      }
      const previous = this.set?.revision;
      // Recorded first: a change the audit log cannot take is not made (the next re-check tries again).
      const unrecorded = await this.recordApplied(set.revision, previous, 'reload');
      if (unrecorded !== undefined) {
        await this.announceRejected([unrecorded], 'reload');
        return { revision: this.set?.revision, problems: [unrecorded] };
      }
      this.loadedFingerprint = fingerprint;
      this.lastRejected = '';
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
    return withStagedBundle(this.deps.dataDir, files, async (staging) => {
      let set: ProfileSet;
      try {
        set = await this.load(staging);
      } catch (err) {
        const problems = problemsOf(err);
        if (!dryRun) await this.announceRejected(problems, 'request');
        return { revision: this.set?.revision, problems };
      }
      if (dryRun) return { revision: set.revision, problems: [] };
      const previous = this.set?.revision;
      const unrecorded = await this.recordApplied(set.revision, previous, 'request');
      if (unrecorded !== undefined) {
        await this.announceRejected([unrecorded], 'request');
        return { revision: this.set?.revision, problems: [unrecorded] };
      }
      const finalDir = await installStaged(this.deps.dataDir, staging, set.revision);
      const previousDir = this.activeDir;
      this.activeDir = finalDir;
      const applied = { ...set, dir: finalDir };
      this.swap(applied);
      this.restartWatching();
      await this.persistLkg(applied);
      await this.announceApplied(set.revision, previous, 'request');
      await pruneApplied(this.deps.dataDir, finalDir, previousDir);
      return { revision: set.revision, problems: [] };
    });
  }

  /**
   * The audit entry of a change, written before the change is made (Art 16: every change logged). Returns the
   * problem when the audit log cannot take it.
   */
  private async recordApplied(
    revision: string,
    previous: string | undefined,
    source: string,
  ): Promise<string | undefined> {
    try {
      await this.deps.audit.append('profiles', { action: 'applied', revision, previous: previous ?? null, source });
      return undefined;
    } catch (err) {
      this.deps.logger.error({ err, revision, source }, 'profiles change not recorded');
      return `(audit): ${errorMessage(err)}; the profiles change is not applied until it is recorded`;
    }
  }

  /** Log and event of a change made (its audit entry is written already, except at start). */
  private async announceApplied(revision: string, previous: string | undefined, source: string): Promise<void> {
    this.deps.logger.info({ revision, previous, source }, 'profiles applied');
    await this.safe(() =>
      this.deps.events.emit('profiles.applied', { revision, previous: previous ?? null, source, dir: this.activeDir }),
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

  /** Keeps a copy of the set as last-known-good; the copy is loaded as the store loads a set, to check it. */
  private persistLkg(set: ProfileSet): Promise<void> {
    return persistLkg(this.deps.dataDir, set, (dir) => this.load(dir), this.deps.logger);
  }

  /** The last-known-good set, if a valid copy exists; each refused copy is reported. */
  private async loadLkg(): Promise<ProfileSet | undefined> {
    const { set, refused } = await loadLkg(this.deps.dataDir, (dir) => this.load(dir), this.deps.logger);
    for (const { problems } of refused) {
      await this.safe(() => this.deps.events.emit('profiles.rejected', { problems, source: 'last-known-good' }));
    }
    return set;
  }
}
