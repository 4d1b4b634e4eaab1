/**
 * One retention pass over a recordings tree. Safety rules (INTERFACES.md §7, security notes §A3):
 * the root is resolved once; entries are never followed through symlinks; every candidate is lstat'ed and must be
 * a regular file on the root's device whose name matches the layout; dev/inode are re-checked right before each
 * unlink; files modified within the grace period are skipped; deletions are journaled (fsync'd intent) and capped;
 * nothing is deleted while the clock is implausible. Directories are streamed (opendir), never collected.
 */
import { randomUUID } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { lstat, opendir, realpath, rmdir, statfs, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { AuditSink } from '../audit/audit-sink.js';
import type { LegalHold, RecordingLayout, RetentionPolicy } from '../profiles/types.js';
import type { EventSink } from '../reporting/event-sink.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { newestRecordingTimestamp } from './clock-probe.js';
import { type JournalIntent, type JournalResult, RetentionJournal } from './journal.js';
import { type CompiledLayout, compileLayout, matchSegment, type PathFields, pathTimestamp } from './layouts.js';
import { MoveError, moveIntoQuarantine } from './move-file.js';
import {
  CameraIndex,
  type CameraRetentionFacts,
  DAY_MS,
  effectiveRetentionDays,
  floorDays,
  HoldIndex,
} from './policy.js';

export const QUARANTINE_DIR_NAME = '.camwarden-quarantine';
/** The longest a recorder keeps one segment open; older segments are never "still being written". */
const OPEN_SEGMENT_MAX_MS = 6 * 3_600_000;
const BATCH = 1024;
const ACT_CONCURRENCY = 4;
/** How many files of a directory the walk lstats ahead of the one it examines. */
const STAT_AHEAD = 4;

export interface SweepOptions {
  root: string;
  layout: RecordingLayout;
  policy: RetentionPolicy;
  cameras: readonly CameraRetentionFacts[];
  /** Holds besides policy.legalHolds (e.g. the HoldStore's). */
  extraHolds?: readonly LegalHold[];
  dataDir: string;
  quarantineDir?: string;
  quotaBytes?: number;
  minFreeBytes?: number;
  maxDeletesPerRun?: number;
  activeWriteGraceS?: number;
  maxClockAheadDays?: number;
  dryRun?: boolean;
  /** Only this camera's footage, all of it, goes to quarantine; nothing is deleted (FootageQuarantine). */
  quarantineOnly?: string;
  events?: EventSink;
  audit?: AuditSink;
  signal?: AbortSignal;
  now?: () => number;
  /** Free bytes of the filesystem holding `path` (tests inject it). */
  freeBytes?: (path: string) => Promise<number>;
  /** Cap on `skipped[]` entries (counts stay exact). */
  maxSkippedListed?: number;
  /** Test hook: called after every unlink with the running count. */
  afterUnlink?: (deleted: number) => Promise<void> | void;
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface SweepError {
  path?: string;
  code: string;
  message: string;
}

export interface SweepResult {
  dryRun: boolean;
  scanned: number;
  deleted: number;
  bytesFreed: number;
  quarantined: number;
  held: number;
  unmatched: number;
  skipped: SkippedEntry[];
  errors: SweepError[];
  /** Beyond the JSON contract: for events, logs and tests. */
  skippedTotal: number;
  refused?: 'clock-behind' | 'clock-ahead' | 'insecure-root';
  newestRecording?: string;
  capped: boolean;
  /** Deletions a crashed earlier run made but never reported (included in deleted/bytesFreed/quarantined). */
  recovered: { deleted: number; bytesFreed: number; quarantined: number };
  shortfall?: { deficitBytes: number; freeBytes?: number; usedBytes?: number };
  /** Paths deleted or moved, dry-run included, capped like skipped (for tests and audit). */
  durationMs: number;
}

interface CameraState {
  facts: CameraRetentionFacts | undefined;
  names: string[];
  cutoff: number;
  floorCutoff: number;
  blocked: boolean;
  quarantined: number;
  quarantinedBytes: number;
}

type Mode = 'full' | 'count';
type Pass = 'main' | 'emergency';

interface Candidate {
  path: string;
  ts: number;
  dev: number;
  ino: number;
  size: number;
  freed: number;
}

export async function sweep(opts: SweepOptions): Promise<SweepResult> {
  return new SweepRun(opts).run();
}

class SweepRun {
  private readonly now: number;
  private readonly layout: CompiledLayout;
  private readonly cameraIndex: CameraIndex;
  private readonly holds: HoldIndex;
  private readonly cameraStates = new Map<string, CameraState>();
  private readonly dryRun: boolean;
  private readonly graceMs: number;
  private readonly maxDeletes: number;
  private readonly maxSkipped: number;
  private readonly quotaMode: boolean;
  private readonly journal: RetentionJournal;
  private readonly runId = randomUUID();
  private root = '';
  private rootDev = 0;
  private quarantineRoot = '';
  private deleteAllowed = true;
  private emergency = false;
  private usedBytes = 0;
  private seq = 0;
  private batch: Array<JournalIntent & { ts: number }> = [];
  /** The batch being acted on while the walk fills the next one; never more than one. */
  private acting: Promise<void> | undefined;
  /** Deletes queued in `batch` plus those of the acting batch not yet done: what the cap must count ahead. */
  private queuedDeletes = 0;
  private readonly touchedDirs = new Set<string>();
  private emergencyCandidates: Candidate[] = [];
  private readonly r: SweepResult;

  constructor(private readonly opts: SweepOptions) {
    this.now = (opts.now ?? Date.now)();
    this.layout = compileLayout(opts.layout);
    this.cameraIndex = new CameraIndex(opts.cameras);
    this.holds = new HoldIndex([...opts.policy.legalHolds, ...(opts.extraHolds ?? [])]);
    this.dryRun = opts.dryRun ?? false;
    this.graceMs = (opts.activeWriteGraceS ?? 120) * 1000;
    this.maxDeletes = opts.maxDeletesPerRun ?? 200_000;
    this.maxSkipped = opts.maxSkippedListed ?? 1000;
    this.quotaMode = opts.quotaBytes !== undefined;
    this.journal = new RetentionJournal(join(opts.dataDir, 'retention-journal.jsonl'));
    this.r = {
      dryRun: this.dryRun,
      scanned: 0,
      deleted: 0,
      bytesFreed: 0,
      quarantined: 0,
      held: 0,
      unmatched: 0,
      skipped: [],
      errors: [],
      skippedTotal: 0,
      capped: false,
      recovered: { deleted: 0, bytesFreed: 0, quarantined: 0 },
      durationMs: 0,
    };
  }

  async run(): Promise<SweepResult> {
    const started = Date.now();
    this.root = await realpath(this.opts.root);
    const rootStat = await lstat(this.root);
    if (!rootStat.isDirectory()) {
      throw new CamwardenError(ErrorCode.RetentionRefused, `${this.opts.root}: not a directory`, { errno: 'ENOTDIR' });
    }
    this.rootDev = rootStat.dev;
    this.quarantineRoot = await this.resolveQuarantineRoot();

    if (!this.dryRun) {
      const rec = await this.journal.recover();
      this.r.recovered = { deleted: rec.deleted, bytesFreed: rec.bytesFreed, quarantined: rec.quarantined };
      this.r.deleted += rec.deleted;
      this.r.bytesFreed += rec.bytesFreed;
      this.r.quarantined += rec.quarantined;
      await this.journal.begin(this.runId);
    }
    try {
      await this.checkPlausibility(rootStat);
      await this.walk(this.root, 0, {}, undefined, 'full', 'main');
      await this.flush();
      await this.spaceDriven();
      await this.pruneDirs();
      if (!this.dryRun) await this.journal.end();
    } finally {
      await this.journal.close();
    }
    this.r.durationMs = Date.now() - started;
    await this.report();
    return this.r;
  }

  // ---- setup -------------------------------------------------------------------------------------------------

  private async resolveQuarantineRoot(): Promise<string> {
    if (this.opts.quarantineDir) {
      // Compare resolved paths: a configured quarantine inside the root must be recognised and never swept.
      const q = this.opts.quarantineDir;
      try {
        return join(await realpath(dirname(q)), basename(q));
      } catch {
        return q;
      }
    }
    // A sibling of the root when it is on the same filesystem (the usual case), else inside the root (a root that
    // is itself a mount point): rename() must never cross devices. Inside the root it is excluded from sweeps.
    const parent = dirname(this.root);
    try {
      if ((await lstat(parent)).dev === this.rootDev && parent !== this.root) return join(parent, QUARANTINE_DIR_NAME);
    } catch {
      // fall through
    }
    return join(this.root, QUARANTINE_DIR_NAME);
  }

  private async checkPlausibility(rootStat: Stats): Promise<void> {
    if (this.opts.quarantineOnly !== undefined) {
      this.deleteAllowed = false;
      return;
    }
    if ((rootStat.mode & 0o002) !== 0) {
      // logrotate's rule: others could swap directories for symlinks between our checks and the unlink.
      this.refuse('insecure-root', `${this.root} is writable by others; refusing to delete`);
      return;
    }
    const skip = new Set([QUARANTINE_DIR_NAME]);
    if (dirname(this.quarantineRoot) === this.root) skip.add(basename(this.quarantineRoot));
    const newest = await newestRecordingTimestamp(this.root, this.layout, skip);
    if (newest === undefined) return;
    this.r.newestRecording = new Date(newest).toISOString();
    const aheadMs = (this.opts.maxClockAheadDays ?? 7) * DAY_MS;
    if (this.now < newest) {
      this.refuse(
        'clock-behind',
        `system clock ${new Date(this.now).toISOString()} is behind the newest recording ${this.r.newestRecording}`,
      );
    } else if (this.now - newest > aheadMs) {
      this.refuse(
        'clock-ahead',
        `system clock ${new Date(this.now).toISOString()} is more than ${this.opts.maxClockAheadDays ?? 7} days ahead of the newest recording ${this.r.newestRecording}`,
      );
    }
  }

  private refuse(reason: NonNullable<SweepResult['refused']>, message: string): void {
    this.deleteAllowed = false;
    this.r.refused = reason;
    this.r.errors.push({ code: 'retention-refused', message });
  }

  private camera(dirName: string): CameraState {
    let st = this.cameraStates.get(dirName);
    if (!st) {
      const facts = this.cameraIndex.lookup(dirName);
      const names = [dirName];
      if (facts) for (const n of [facts.id, facts.recordingName]) if (n && !names.includes(n)) names.push(n);
      const blocked =
        this.opts.quarantineOnly !== undefined ? names.includes(this.opts.quarantineOnly) : !!facts?.blocked;
      st = {
        facts,
        names,
        cutoff: this.now - effectiveRetentionDays(this.opts.policy, facts) * DAY_MS,
        floorCutoff: this.now - floorDays(this.opts.policy, facts) * DAY_MS,
        blocked,
        quarantined: 0,
        quarantinedBytes: 0,
      };
      this.cameraStates.set(dirName, st);
    }
    return st;
  }

  /** Most recent cutoff any camera could have (for a date directory above the camera level). */
  private anyCameraCutoff(pass: Pass): { cutoff: number; blocked: boolean } {
    const all = [this.camera('\0unknown'), ...this.cameraIndex.all.map((c) => this.camera(c.recordingName ?? c.id))];
    let cutoff = Number.NEGATIVE_INFINITY;
    let blocked = this.opts.quarantineOnly !== undefined;
    for (const c of all) {
      cutoff = Math.max(cutoff, pass === 'emergency' ? c.floorCutoff : c.cutoff);
      blocked ||= c.blocked;
    }
    return { cutoff, blocked };
  }

  // ---- walk --------------------------------------------------------------------------------------------------

  private skip(path: string, reason: string): void {
    this.r.skippedTotal++;
    if (this.r.skipped.length < this.maxSkipped) this.r.skipped.push({ path, reason });
  }

  private error(path: string, err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    if (this.r.errors.length < this.maxSkipped) {
      this.r.errors.push({ path, code: e.code ?? 'error', message: e.message ?? String(err) });
    }
  }

  private async walk(
    dir: string,
    depth: number,
    fields: PathFields,
    cam: CameraState | undefined,
    mode: Mode,
    pass: Pass,
  ): Promise<void> {
    const seg = this.layout.segments[depth];
    if (!seg || this.opts.signal?.aborted) return;
    const last = depth === this.layout.segments.length - 1;
    const main = pass === 'main';
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir, { bufferSize: 256 });
    } catch (err) {
      if (main) this.error(dir, err);
      return;
    }
    const entries: Dirent[] = [];
    try {
      for await (const d of handle) entries.push(d);
    } catch (err) {
      if (main) this.error(dir, err);
    }
    // Files of a directory that will be examined are lstat'ed a few ahead of the one examined, so the walk does not
    // wait out each round trip through libuv's pool alone. Every file is still examined in order, on its own stat.
    const ahead = new Map<string, Promise<Stats>>();
    // Only files that file() will lstat: those this pass may act on (or must size for a quota).
    const wantsStat = (d: Dirent): boolean => {
      if (!last || mode !== 'full' || d.isDirectory() || d.isSymbolicLink()) return false;
      if (this.quotaMode && main) return true;
      const m = matchSegment(seg, d.name, fields);
      const ts = m ? pathTimestamp(m) : undefined;
      if (!m || ts === undefined) return false;
      const c =
        cam ?? (depth === this.layout.cameraDepth && m.camera !== undefined ? this.camera(m.camera) : undefined);
      const action = this.actionFor(ts, c ?? this.camera('\0unknown'), pass);
      return action !== 'none' && action !== 'held';
    };
    let primed = 0;
    const statOf = (index: number, path: string): Promise<Stats> => {
      for (; primed < entries.length && primed <= index + STAT_AHEAD; primed++) {
        const e = entries[primed];
        if (!e || !wantsStat(e)) continue;
        const p = lstat(join(dir, e.name));
        p.catch(() => undefined); // awaited (and its error handled) when its turn comes, or dropped on abort
        ahead.set(join(dir, e.name), p);
      }
      const p = ahead.get(path) ?? lstat(path);
      ahead.delete(path);
      return p;
    };
    for (let index = 0; index < entries.length; index++) {
      const d = entries[index] as Dirent;
      if (this.opts.signal?.aborted) break;
      const path = join(dir, d.name);
      if (path === this.quarantineRoot) continue;
      const m = matchSegment(seg, d.name, fields);
      const isDir = d.isDirectory();
      if (last || !isDir || !m) {
        if (!isDir && main) this.r.scanned++;
        if (d.isSymbolicLink()) {
          if (main) this.skip(path, 'symlink');
        } else if (!m || (!last && !isDir)) {
          if (main) {
            this.r.unmatched++;
            this.skip(path, 'unmatched');
          }
        } else if (isDir) {
          if (main) this.skip(path, 'not-regular');
        } else {
          const c =
            cam ?? (depth === this.layout.cameraDepth && m.camera !== undefined ? this.camera(m.camera) : undefined);
          await this.file(path, d, m, c, mode, pass, () => statOf(index, path));
        }
        continue;
      }
      // A matching directory: lstat it (never trust d_type alone for where we descend).
      let st: Stats;
      try {
        st = await lstat(path);
      } catch (err) {
        if (main && (err as NodeJS.ErrnoException).code !== 'ENOENT') this.error(path, err);
        continue;
      }
      if (!st.isDirectory()) {
        if (main) this.skip(path, st.isSymbolicLink() ? 'symlink' : 'not-regular');
        continue;
      }
      if (st.dev !== this.rootDev) {
        if (main) this.skip(path, 'other-device');
        continue;
      }
      const childCam = depth === this.layout.cameraDepth && m.camera !== undefined ? this.camera(m.camera) : cam;
      let childMode: Mode = mode;
      if (mode === 'full' && depth === this.layout.dateDirDepth) {
        const start = pathTimestamp(m);
        const limit = childCam
          ? { cutoff: pass === 'emergency' ? childCam.floorCutoff : childCam.cutoff, blocked: childCam.blocked }
          : this.anyCameraCutoff(pass);
        // Everything below starts no earlier than `start`: if that is within retention, nothing can expire.
        if (start !== undefined && start >= limit.cutoff && !limit.blocked && !this.quotaMode) childMode = 'count';
      }
      if (childMode === 'count' && pass === 'emergency') continue;
      await this.walk(path, depth + 1, m, childCam, childMode, pass);
    }
  }

  /** What this pass does with a segment that started at `ts`, by its camera's state; no I/O, no counting. */
  private actionFor(ts: number, c: CameraState, pass: Pass): 'delete' | 'quarantine' | 'emergency' | 'held' | 'none' {
    if (c.blocked) return pass === 'main' ? 'quarantine' : 'none';
    if (pass === 'main' && ts < c.cutoff) return this.holds.isHeld(c.names, ts) ? 'held' : 'delete';
    if (pass === 'emergency' && ts >= c.cutoff && ts < c.floorCutoff && !this.holds.isHeld(c.names, ts)) {
      return 'emergency';
    }
    return 'none';
  }

  private async file(
    path: string,
    d: Dirent,
    m: PathFields,
    cam: CameraState | undefined,
    mode: Mode,
    pass: Pass,
    stat: () => Promise<Stats>,
  ): Promise<void> {
    const main = pass === 'main';
    const regularByType = d.isFile();
    const unknownType = !regularByType && !d.isFIFO() && !d.isSocket() && !d.isCharacterDevice() && !d.isBlockDevice();
    if (mode === 'count') {
      // Young date directory: names only, no stat (the dirent type tells FIFOs and devices apart).
      if (!regularByType && !unknownType) this.skip(path, 'not-regular');
      return;
    }
    const ts = pathTimestamp(m);
    const c = cam ?? this.camera('\0unknown');
    if (ts === undefined) {
      if (main) {
        this.r.unmatched++;
        this.skip(path, 'unmatched');
      }
      return;
    }
    const action = this.actionFor(ts, c, pass);
    if (action === 'held') this.r.held++;
    if ((action === 'none' || action === 'held') && !(this.quotaMode && main)) {
      if (main && !regularByType && !unknownType) this.skip(path, 'not-regular');
      return;
    }
    let st: Stats;
    try {
      st = await stat();
    } catch (err) {
      if (main && (err as NodeJS.ErrnoException).code !== 'ENOENT') this.error(path, err);
      return;
    }
    if (st.isSymbolicLink()) return main ? this.skip(path, 'symlink') : undefined;
    if (!st.isFile()) return main ? this.skip(path, 'not-regular') : undefined;
    if (st.dev !== this.rootDev) return main ? this.skip(path, 'other-device') : undefined;
    if (this.quotaMode && main) this.usedBytes += st.size;
    if (action === 'none' || action === 'held') return;
    if (this.now - st.mtimeMs < this.graceMs && this.now - ts < OPEN_SEGMENT_MAX_MS) {
      // A segment that started recently and was modified within the grace period is still being written.
      // An old path date with a fresh mtime (a copy, a restore, touch) is not: age comes from the path (§7).
      if (main) this.skip(path, 'active-write');
      return;
    }
    const freed = st.nlink > 1 ? 0 : st.size;
    if (action === 'emergency') {
      this.addEmergency({ path, ts, dev: st.dev, ino: st.ino, size: st.size, freed });
      return;
    }
    if (action === 'delete') {
      if (!this.deleteAllowed) return;
      if (this.r.deleted - this.r.recovered.deleted + this.pendingDeletes() >= this.maxDeletes) {
        this.r.capped = true;
        return;
      }
      this.batch.push({ seq: this.seq++, op: 'delete', path, dev: st.dev, ino: st.ino, size: st.size, freed, ts });
      this.queuedDeletes++;
    } else {
      const rel = relative(this.root, path);
      const dest = join(this.quarantineRoot, safeName(c.facts?.id ?? c.names[0] ?? 'unknown'), rel);
      this.batch.push({
        seq: this.seq++,
        op: 'quarantine',
        path,
        dest,
        dev: st.dev,
        ino: st.ino,
        size: st.size,
        freed: 0,
        ts,
      });
    }
    if (this.batch.length >= BATCH) await this.flushBehind();
  }

  private pendingDeletes(): number {
    return this.queuedDeletes;
  }

  private addEmergency(c: Candidate): void {
    this.emergencyCandidates.push(c);
    const keep = Math.max(1, this.maxDeletes - (this.r.deleted - this.r.recovered.deleted));
    if (this.emergencyCandidates.length > 2 * keep + BATCH) {
      this.emergencyCandidates.sort((a, b) => a.ts - b.ts);
      this.emergencyCandidates.length = keep;
    }
  }

  // ---- acting ------------------------------------------------------------------------------------------------

  /**
   * Hands the full batch over to be acted on and lets the walk go on filling the next one, so lstats of the
   * next batch overlap the unlinks of this one. Batches still act one after another, each journaled first.
   */
  private async flushBehind(): Promise<void> {
    await this.acting;
    const acting = this.actOn(this.takeBatch());
    acting.catch(() => undefined); // its error is raised by the next flushBehind or flush
    this.acting = acting;
  }

  /** Acts on what is queued and waits until everything has been acted on. */
  private async flush(): Promise<void> {
    await this.acting;
    this.acting = undefined;
    await this.actOn(this.takeBatch());
  }

  private takeBatch(): Array<JournalIntent & { ts: number }> {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  private async actOn(batch: Array<JournalIntent & { ts: number }>): Promise<void> {
    if (batch.length === 0) return;
    if (this.dryRun) {
      for (const b of batch) {
        if (b.op === 'delete') {
          this.queuedDeletes--;
          this.r.deleted++;
          this.r.bytesFreed += b.freed;
        } else this.countQuarantined(b.path, b.size);
      }
      return;
    }
    await this.journal.intents(batch.map(({ ts: _ts, ...i }) => i));
    const results: Array<{ seq: number; r: JournalResult }> = [];
    const deletedPaths: string[] = [];
    let batchBytes = 0;
    // Independent files: act with a few in flight (libuv's pool), each one still re-checked right before unlink.
    // Each worker takes a whole directory at a time: unlinks in one directory serialise on its lock anyway.
    const outcome = new Array<JournalResult>(batch.length);
    const byDir = new Map<string, number[]>();
    batch.forEach((b, i) => {
      const d = dirname(b.path);
      const list = byDir.get(d);
      if (list) list.push(i);
      else byDir.set(d, [i]);
    });
    const groups = [...byDir.values()];
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        for (const i of groups[next++] ?? []) {
          const b = batch[i];
          if (!b) continue;
          outcome[i] = await this.act(b);
          if (b.op === 'delete') this.queuedDeletes--;
        }
      }
    };
    await Promise.all(Array.from({ length: ACT_CONCURRENCY }, worker));
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i];
      const r = outcome[i] ?? 'error';
      if (!b) continue;
      results.push({ seq: b.seq, r });
      if (r === 'deleted') {
        deletedPaths.push(b.path);
        batchBytes += b.freed;
        this.touchedDirs.add(dirname(b.path));
      } else if (r === 'moved') this.touchedDirs.add(dirname(b.path));
    }
    await this.journal.done(results);
    if (deletedPaths.length > 0) {
      await this.opts.audit?.append('deletion', {
        run: this.runId,
        root: this.root,
        count: deletedPaths.length,
        bytes: batchBytes,
        paths: deletedPaths.map((p) => relative(this.root, p)),
      });
    }
  }

  private async act(b: JournalIntent): Promise<JournalResult> {
    let st: Stats;
    try {
      st = await lstat(b.path);
    } catch {
      return 'gone';
    }
    if (!st.isFile() || st.dev !== b.dev || st.ino !== b.ino) {
      this.skip(b.path, 'changed');
      return 'changed';
    }
    if (b.op === 'delete') {
      try {
        await unlink(b.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
        this.error(b.path, err);
        return 'error';
      }
      this.r.deleted++;
      this.r.bytesFreed += b.freed;
      await this.opts.afterUnlink?.(this.r.deleted);
      return 'deleted';
    }
    try {
      await moveIntoQuarantine(b.path, b.dest ?? '', { dev: b.dev, ino: b.ino });
    } catch (err) {
      if (err instanceof MoveError && err.reason === 'changed') {
        this.skip(b.path, 'changed');
        return 'changed';
      }
      this.error(b.path, err);
      return 'error';
    }
    this.countQuarantined(b.path, b.size);
    return 'moved';
  }

  private countQuarantined(path: string, size: number): void {
    this.r.quarantined++;
    const rel = relative(this.root, path).split(sep);
    const name = rel[this.layout.cameraDepth];
    const cam = name !== undefined ? this.cameraStates.get(name) : undefined;
    if (cam) {
      cam.quarantined++;
      cam.quarantinedBytes += size;
    }
  }

  /** Quota and free-space floor: delete the oldest footage above the legal floor until the space is back. */
  private async spaceDriven(): Promise<void> {
    if (this.opts.quarantineOnly !== undefined) return;
    if (this.opts.quotaBytes === undefined && this.opts.minFreeBytes === undefined) return;
    const free = async () => (this.opts.freeBytes ? this.opts.freeBytes(this.root) : statfsFree(this.root));
    const deficit = async (): Promise<{ deficit: number; free?: number; used?: number }> => {
      const out: { deficit: number; free?: number; used?: number } = { deficit: 0 };
      if (this.opts.minFreeBytes !== undefined) {
        out.free = (await free()) + (this.dryRun ? this.r.bytesFreed : 0);
        out.deficit = Math.max(out.deficit, this.opts.minFreeBytes - out.free);
      }
      if (this.opts.quotaBytes !== undefined) {
        out.used = this.usedBytes - this.r.bytesFreed + this.r.recovered.bytesFreed;
        out.deficit = Math.max(out.deficit, out.used - this.opts.quotaBytes);
      }
      return out;
    };
    let need = await deficit();
    if (need.deficit <= 0) return;
    if (this.deleteAllowed) {
      this.emergency = true;
      await this.walk(this.root, 0, {}, undefined, 'full', 'emergency');
      this.emergencyCandidates.sort((a, b) => a.ts - b.ts);
      let planned = 0;
      for (const c of this.emergencyCandidates) {
        if (planned >= need.deficit) break;
        if (this.r.deleted - this.r.recovered.deleted + this.pendingDeletes() >= this.maxDeletes) {
          this.r.capped = true;
          break;
        }
        this.batch.push({ seq: this.seq++, op: 'delete', ...c });
        this.queuedDeletes++;
        planned += c.freed;
        if (this.batch.length >= BATCH) await this.flush();
      }
      this.emergencyCandidates = [];
      await this.flush();
      need = await deficit();
    }
    if (need.deficit > 0) {
      this.r.shortfall = { deficitBytes: need.deficit };
      if (need.free !== undefined) this.r.shortfall.freeBytes = need.free;
      if (need.used !== undefined) this.r.shortfall.usedBytes = need.used;
    }
  }

  /** Removes directories emptied by this run, deepest first, up to (never including) the root. */
  private async pruneDirs(): Promise<void> {
    if (this.dryRun) return;
    let level = [...this.touchedDirs];
    this.touchedDirs.clear();
    while (level.length > 0) {
      const parents = new Set<string>();
      level.sort((a, b) => b.length - a.length);
      for (const dir of level) {
        if (dir === this.root || !dir.startsWith(this.root + sep)) continue;
        try {
          await rmdir(dir); // fails on a non-empty dir, a symlink or a mount point
          parents.add(dirname(dir));
        } catch {
          // not empty (or in use): leave it
        }
      }
      level = [...parents];
    }
  }

  private async report(): Promise<void> {
    const ev = this.opts.events;
    if (!ev) return;
    const common = { dryRun: this.dryRun, root: this.root, run: this.runId };
    for (const [dirName, cam] of this.cameraStates) {
      if (cam.quarantined > 0) {
        await ev.emit(
          'retention.quarantined',
          {
            ...common,
            camera: cam.facts?.id ?? dirName,
            files: cam.quarantined,
            bytes: cam.quarantinedBytes,
            dir: this.quarantineRoot,
          },
          { critical: true },
        );
      }
    }
    if (this.r.refused) {
      await ev.emit(
        'retention.refused',
        {
          ...common,
          reason: this.r.refused,
          now: new Date(this.now).toISOString(),
          newestRecording: this.r.newestRecording ?? null,
          message: this.r.errors.find((e) => e.code === 'retention-refused')?.message ?? '',
        },
        { critical: true },
      );
    }
    if (this.r.shortfall) {
      await ev.emit(
        'retention.shortfall',
        {
          ...common,
          ...this.r.shortfall,
          minFreeBytes: this.opts.minFreeBytes ?? null,
          quotaBytes: this.opts.quotaBytes ?? null,
          emergencyPass: this.emergency,
        },
        { critical: true },
      );
    }
    await ev.emit('retention.swept', {
      ...common,
      scanned: this.r.scanned,
      deleted: this.r.deleted,
      bytesFreed: this.r.bytesFreed,
      held: this.r.held,
      quarantined: this.r.quarantined,
      unmatched: this.r.unmatched,
      skipped: this.r.skippedTotal,
      errors: this.r.errors.length,
      capped: this.r.capped,
      recovered: this.r.recovered,
      durationMs: this.r.durationMs,
    });
  }
}

function safeName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return s === '.' || s === '..' || s === '' ? '_' : s;
}

async function statfsFree(path: string): Promise<number> {
  const s = await statfs(path);
  return Number(s.bavail) * Number(s.bsize);
}
