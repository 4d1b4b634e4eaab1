/**
 * One retention pass as a plain synchronous walk (sweep.ts runs it in a worker thread). Each directory is opened
 * once without following symlinks and checked: same device as the root, not writable by others. Everything below
 * it goes through that handle (dir-handle.ts), so a directory swapped for a symlink cannot redirect a delete.
 * One file is one step: decide from its path timestamp, lstat it (regular, same device, not being written),
 * journal the intent (fsync'd per batch), re-check dev/inode and act. Date directories still inside retention are
 * never listed. The rules are in docs/retention.md.
 */
import { type Dirent, mkdirSync, type Stats, statfsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { DirHandle, writableByOthers } from './dir-handle.js';
import { type JournalIntent, type JournalResult, RetentionJournal, recoverJournal } from './journal.js';
import type { RecordingLayout } from './layout-schema.js';
import { compileLayout, latestTimestampBelow, matchSegment, type PathFields, pathTimestamp } from './layouts.js';
import {
  type CameraRetentionFacts,
  DAY_MS,
  effectiveRetentionDays,
  floorDays,
  heldTest,
  type LegalHold,
  type RetentionPolicy,
} from './rules.js';

const OPEN_SEGMENT_MAX_MS = 6 * 3_600_000; // older segments are never "still being written"
/** A recording dated more than this after now makes its camera's clock implausible. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
const BATCH = 1024;
const MAX_HELD_DIRS = 256; // directories a waiting batch may keep open; past that it is acted on early

/** The limits of a pass: config `retention.*` (docs/retention.md); `maxSkippedListed` caps listed entries. */
export type SweepLimits = Partial<typeof DEFAULT_LIMITS> & { quotaBytes?: number; minFreeBytes?: number };

const DEFAULT_LIMITS = {
  maxDeletesPerRun: 200_000,
  activeWriteGraceS: 120,
  maxClockAheadDays: 366,
  allowSharedDirs: false,
  maxSkippedListed: 1000,
};

/** Everything a pass needs, as plain data: it crosses into the worker thread. */
export type SweepPlan = SweepLimits & {
  root: string;
  quarantineDir: string;
  layout: RecordingLayout;
  policy: RetentionPolicy;
  /** Every legal hold: the profiles' and the hold store's. */
  holds: LegalHold[];
  cameras: CameraRetentionFacts[];
  now: number;
  dryRun: boolean;
  runId: string;
  /** Absent in a dry run, which writes nothing. */
  journalPath?: string;
  /** Only this camera's footage, all of it, goes to quarantine; nothing is deleted (enforcement). */
  quarantineOnly?: string;
};

export type Area = 'recordings' | 'quarantine';

/** What one batch did (paths relative to the area's top directory), for the audit log and the events. */
export interface BatchReport {
  area: Area;
  dryRun: boolean;
  deleted: Array<{ path: string; camera: string; bytes: number }>;
  quarantined: Array<{ path: string; camera: string; bytes: number }>;
}

/** `onBatch` and `aborted` connect the walk to sweep.ts; the others are test seams (inline runs only). */
export interface WalkHooks {
  onBatch?(batch: BatchReport): void;
  aborted?(): boolean;
  freeBytes?(root: string): number;
  afterUnlink?(deleted: number): void;
  /** After each directory is listed, before anything in it is acted on (tests swap it for a symlink here). */
  afterListing?(area: Area, rel: string): void;
}

export type SkippedEntry = { path: string; reason: string };
export type SweepError = { path?: string; code: string; message: string };

/** What a pass did, as it starts. `recovered`: what a crashed earlier run did and never reported (counted in). */
function emptyOutcome(dryRun: boolean) {
  return {
    ...{ dryRun, scanned: 0, deleted: 0, bytesFreed: 0, quarantined: 0, held: 0, unmatched: 0, skippedTotal: 0 },
    skipped: [] as SkippedEntry[],
    errors: [] as SweepError[],
    /** Date directories inside retention, not listed. */
    youngDirs: 0,
    capped: false,
    refused: undefined as 'clock-behind' | 'clock-ahead' | 'insecure-root' | undefined,
    refusedMessage: undefined as string | undefined,
    newestRecording: undefined as string | undefined,
    /** Cameras left alone: a recording of theirs is dated in the future (a wrong clock, a planted name). */
    implausible: [] as Array<{ camera: string; path: string }>,
    shortfall: undefined as { deficitBytes: number; freeBytes?: number; usedBytes?: number } | undefined,
    emergencyPass: false,
    recovered: { deleted: 0, bytesFreed: 0, quarantined: 0, paths: [] as string[] },
  };
}
export type WalkOutcome = ReturnType<typeof emptyOutcome>;

interface CameraState {
  /** Its id (or directory name): what reports call it. */
  label: string;
  /** Every name its footage may be filed or held under: directory name, id, alias. */
  names: string[];
  cutoff: number;
  floorCutoff: number;
  blocked: boolean;
  /** range() per pass, computed once. */
  ranges: Partial<Record<Pass, Range>>;
}

/** Recording times a pass acts on: [from, to), or all of them (a blocked camera's footage goes to quarantine). */
type Range = { from: number; to: number; all: boolean };

type Pass = 'main' | 'emergency' | 'expiry';

interface Item extends JournalIntent {
  dir: DirHandle;
  name: string;
  area: Area;
  camera: string;
  /** Quarantine destination: directories below the quarantine area. */
  destDirs?: string[];
}

/** A file the space-driven pass may delete: `dev:ino`, oldest first. */
type Candidate = { key: string; ts: number; freed: number };

export function runSweepWalk(plan: SweepPlan, hooks: WalkHooks = {}): WalkOutcome {
  return new SweepWalk(plan, hooks).run();
}

class SweepWalk {
  private readonly plan: SweepPlan & typeof DEFAULT_LIMITS;
  private readonly layout;
  private readonly isHeld;
  private readonly byName = new Map<string, CameraRetentionFacts>();
  private readonly cameras = new Map<string, CameraState>();
  /** Camera names with footage dated in the future, and where: never acted on this run. */
  private readonly future = new Map<string, string>();
  /** Camera names the clock check saw. */
  private readonly probed = new Set<string>();
  private readonly journal: RetentionJournal | undefined;
  private readonly out: WalkOutcome;
  private readonly quarantineRel: string | undefined;
  private rootDev = 0;
  private quarantine: DirHandle | 'unusable' | undefined;
  private deleteAllowed = true;
  private newest: number | undefined;
  private batch: Item[] = [];
  private batchDeletes = 0;
  private batchDirs = new Set<DirHandle>();
  private candidates: Candidate[] = [];
  /** The candidates chosen for deletion (the second emergency walk deletes them). */
  private chosen: Set<string> | undefined;
  private usedBytes = 0;
  private freedInRoot = 0;

  constructor(
    plan: SweepPlan,
    private readonly hooks: WalkHooks,
  ) {
    this.plan = { ...DEFAULT_LIMITS, ...plan };
    this.layout = compileLayout(plan.layout);
    this.isHeld = heldTest(plan.holds);
    // an alias wins over an id: it is the site's explicit statement about the directory
    for (const c of plan.cameras) if (!this.byName.has(c.id)) this.byName.set(c.id, c);
    for (const c of plan.cameras) if (c.recordingName) this.byName.set(c.recordingName, c);
    this.journal = plan.journalPath && !plan.dryRun ? new RetentionJournal(plan.journalPath, plan.runId) : undefined;
    const q = relative(plan.root, plan.quarantineDir);
    this.quarantineRel = q !== '' && !q.startsWith('..') && !q.startsWith(sep) ? q : undefined;
    this.out = emptyOutcome(plan.dryRun);
  }

  run(): WalkOutcome {
    const root = DirHandle.openTop(this.plan.root);
    this.rootDev = root.stat.dev;
    try {
      if (this.journal) {
        const r = recoverJournal(this.journal.path);
        this.out.recovered = r;
        this.out.deleted += r.deleted;
        this.out.bytesFreed += r.bytesFreed;
        this.out.quarantined += r.quarantined;
      }
      if (this.plan.quarantineOnly !== undefined) this.deleteAllowed = false;
      else this.checkClockAndRoot(root);
      this.walk(root, 0, {}, undefined, 'recordings', 'main');
      this.flush();
      if (this.plan.quarantineOnly === undefined) {
        this.expireQuarantine();
        this.spaceDriven(root);
      }
    } finally {
      this.flush();
      root.unref();
      if (this.quarantine instanceof DirHandle) this.quarantine.unref();
      this.journal?.close();
    }
    return this.out;
  }

  // ---- before anything is deleted: a safe root and plausible clocks -----------------------------------------

  private checkClockAndRoot(root: DirHandle): void {
    if (writableByOthers(root.stat) && !this.plan.allowSharedDirs) {
      // logrotate's rule: others could rename entries between our checks and the unlink
      this.refuse('insecure-root', `${this.plan.root} is writable by group or others; refusing to delete`);
      return;
    }
    this.probe(root, 0, {}, undefined);
    for (const [camera, path] of this.future) {
      this.out.implausible.push({ camera, path });
      this.skip(path, 'future-dated');
    }
    const { now, maxClockAheadDays } = this.plan;
    if (this.newest !== undefined) this.out.newestRecording = iso(this.newest);
    if (this.future.size > 0 && this.future.size === this.probed.size) {
      this.refuse('clock-behind', `system clock ${iso(now)} is behind the newest recording of every camera`);
    } else if (this.newest !== undefined && now - this.newest > maxClockAheadDays * DAY_MS) {
      const newest = iso(this.newest);
      const message = `system clock ${iso(now)} is more than ${maxClockAheadDays} days ahead of the newest recording ${newest}`;
      this.refuse('clock-ahead', message);
    }
  }

  private refuse(reason: NonNullable<WalkOutcome['refused']>, message: string): void {
    this.deleteAllowed = false;
    this.out.refused = reason;
    this.out.refusedMessage = message;
    this.out.errors.push({ code: 'retention-refused', message });
  }

  /**
   * Clock sanity by names alone: descends into every branch that could hold a recording dated in the future and
   * marks its camera; notes the newest recording that is not, newest first, only until a recent enough one shows
   * the system clock is not far ahead. Returns whether this branch had such a recording.
   */
  private probe(dir: DirHandle, depth: number, fields: PathFields, camera: string | undefined): boolean {
    const seg = this.layout.segments[depth];
    if (!seg) return false;
    const last = depth === this.layout.segments.length - 1;
    const horizon = this.plan.now + FUTURE_TOLERANCE_MS;
    let found = false;
    const subdirs: Array<{ name: string; m: PathFields; cam: string | undefined; latest: number }> = [];
    for (const e of this.list(dir, 'recordings', false)) {
      const m = matchSegment(seg, e.name, fields);
      if (!m || join(dir.rel, e.name) === this.quarantineRel) continue;
      const cam = camera ?? (depth === this.layout.cameraDepth ? m.camera : undefined);
      const kind = entryKind(dir, e);
      if (cam !== undefined && kind === (last ? 'file' : 'dir')) this.probed.add(cam);
      const ts = pathTimestamp(m);
      if (ts !== undefined && ts > horizon && cam !== undefined && (kind === 'dir' || kind === 'file')) {
        this.markFuture(cam, dir, e.name); // a future-dated directory: no need to look inside
      } else if (kind === 'dir' && !last) {
        subdirs.push({ name: e.name, m, cam, latest: latestTimestampBelow(m) ?? Number.POSITIVE_INFINITY });
      } else if (kind === 'file' && last && ts !== undefined) {
        found = true;
        this.newest = Math.max(this.newest ?? ts, ts);
      }
    }
    subdirs.sort((a, b) => b.latest - a.latest);
    for (const d of subdirs) {
      // dated siblings come newest first: past those that may reach the future, older ones cannot be newer
      const recent = this.newest !== undefined && this.plan.now - this.newest <= this.plan.maxClockAheadDays * DAY_MS;
      if (d.latest <= horizon && (found || recent)) break;
      const child = this.openDir(dir, d.name, 'recordings', false);
      if (!child) continue;
      found = this.probe(child, depth + 1, d.m, d.cam) || found;
      child.unref();
    }
    return found;
  }

  private markFuture(camera: string, dir: DirHandle, name: string): void {
    if (!this.future.has(camera)) this.future.set(camera, this.pathOf('recordings', join(dir.rel, name)));
  }

  // ---- the walk ------------------------------------------------------------------------------------------------

  private camera(dirName: string): CameraState {
    let st = this.cameras.get(dirName);
    if (!st) {
      const facts = this.byName.get(dirName);
      const names = [...new Set([dirName, facts?.id, facts?.recordingName].filter((n) => n !== undefined))];
      const only = this.plan.quarantineOnly;
      st = {
        label: facts?.id ?? dirName,
        names,
        cutoff: this.plan.now - effectiveRetentionDays(this.plan.policy, facts) * DAY_MS,
        floorCutoff: this.plan.now - floorDays(this.plan.policy, facts) * DAY_MS,
        blocked: only !== undefined ? names.includes(only) : !!facts?.blocked,
        ranges: {},
      };
      this.cameras.set(dirName, st);
    }
    return st;
  }

  /** What a pass acts on for a camera; without one (a date directory above the camera level), the widest range. */
  private range(cam: CameraState | undefined, pass: Pass): Range {
    if (!cam) {
      const ranges = ['\0unknown', ...this.byName.keys()].map((n) => this.range(this.camera(n), pass));
      const all = ranges.some((r) => r.all) || (pass === 'main' && this.plan.quarantineOnly !== undefined);
      return { from: -Infinity, to: Math.max(...ranges.map((r) => r.to)), all };
    }
    let r = cam.ranges[pass];
    if (!r) {
      if (pass === 'expiry')
        r = { from: -Infinity, to: Infinity, all: false }; // by time in quarantine: file()
      else if (pass === 'emergency')
        r = { from: cam.cutoff, to: cam.blocked ? -Infinity : cam.floorCutoff, all: false };
      else r = { from: -Infinity, to: cam.cutoff, all: cam.blocked };
      cam.ranges[pass] = r;
    }
    return r;
  }

  private walk(
    dir: DirHandle,
    depth: number,
    fields: PathFields,
    cam: CameraState | undefined,
    area: Area,
    pass: Pass,
  ) {
    const seg = this.layout.segments[depth];
    if (!seg) return;
    const last = depth === this.layout.segments.length - 1;
    const counts = pass === 'main';
    const entries = this.list(dir, area, counts);
    this.hooks.afterListing?.(area, dir.rel);
    for (const e of entries) {
      if (this.hooks.aborted?.()) return;
      const rel = join(dir.rel, e.name);
      if (area === 'recordings' && rel === this.quarantineRel) continue;
      const m = matchSegment(seg, e.name, fields);
      if (m?.camera !== undefined && this.future.has(m.camera)) continue; // reported once by the clock check
      const here = depth === this.layout.cameraDepth && m?.camera !== undefined ? this.camera(m.camera) : cam;
      if (this.plan.quarantineOnly !== undefined && here && !here.blocked) continue;
      const path = this.pathOf(area, rel);
      const kind = entryKind(dir, e);
      if (kind !== 'dir' && counts) this.out.scanned++;
      if (kind === 'symlink') {
        if (counts) this.skip(path, 'symlink');
      } else if (!m || (!last && kind !== 'dir')) {
        if (counts) this.unmatched(path);
      } else if (last) {
        if (kind === 'dir') {
          if (counts) this.skip(path, 'not-regular');
        } else this.file(dir, e.name, path, kind, m, here ?? this.camera('\0unknown'), area, pass);
      } else if (!this.young(depth, m, here, pass)) {
        const child = this.openDir(dir, e.name, area, counts);
        if (!child) continue;
        this.walk(child, depth + 1, m, here, area, pass);
        child.unref();
      }
    }
  }

  /** A date directory whose day starts after the range this pass acts on is not even listed. */
  private young(depth: number, m: PathFields, cam: CameraState | undefined, pass: Pass): boolean {
    if (depth !== this.layout.dateDirDepth) return false;
    if (this.plan.quotaBytes !== undefined && pass === 'main') return false; // a quota needs every file's size
    const start = pathTimestamp(m);
    const range = this.range(cam, pass);
    if (start === undefined || range.all || start < range.to) return false;
    if (pass === 'main') this.out.youngDirs++;
    return true;
  }

  private openDir(parent: DirHandle, name: string, area: Area, report: boolean): DirHandle | undefined {
    const path = this.pathOf(area, join(parent.rel, name));
    let child: DirHandle;
    try {
      child = parent.openChild(name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ELOOP/ENOTDIR: a symlink (or a file) where a directory was listed: never followed
      if (report && (code === 'ELOOP' || code === 'ENOTDIR')) this.skip(path, 'symlink');
      else if (report && code !== 'ENOENT') this.error(path, err);
      return undefined;
    }
    const reason = this.unsafeDir(child.stat);
    if (!reason) return child;
    if (report) this.skip(path, reason);
    child.unref();
    return undefined;
  }

  /** Only directories on the root's filesystem that others cannot write to are walked. */
  private unsafeDir(st: Stats): string | undefined {
    if (st.dev !== this.rootDev) return 'other-device';
    return writableByOthers(st) && !this.plan.allowSharedDirs ? 'insecure-dir' : undefined;
  }

  private file(
    dir: DirHandle,
    name: string,
    path: string,
    kind: EntryKind,
    m: PathFields,
    cam: CameraState,
    area: Area,
    pass: Pass,
  ): void {
    const counts = pass === 'main';
    const ts = pathTimestamp(m);
    if (ts === undefined) {
      if (counts) this.unmatched(path);
      return;
    }
    const range = this.range(cam, pass);
    const inRange = range.all || (ts >= range.from && ts < range.to);
    const held = inRange && !range.all && this.isHeld(cam.names, ts);
    if (held && counts) this.out.held++;
    const sizing = this.plan.quotaBytes !== undefined && counts && area === 'recordings';
    if ((!inRange || held) && !sizing) {
      if (counts && kind === 'other') this.skip(path, 'not-regular');
      return;
    }
    let st: Stats;
    try {
      st = dir.lstat(name);
    } catch (err) {
      if (counts && (err as NodeJS.ErrnoException).code !== 'ENOENT') this.error(path, err);
      return;
    }
    if (!st.isFile() || st.dev !== this.rootDev) {
      if (counts) this.skip(path, st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'other-device' : 'not-regular');
      return;
    }
    if (sizing) this.usedBytes += st.size;
    if (!inRange || held) return;
    // quarantined footage is kept quarantineDays from its move there (the rename set its ctime)
    if (area === 'quarantine' && this.plan.now - st.ctimeMs < this.plan.policy.quarantineDays * DAY_MS) return;
    if (this.plan.now - st.mtimeMs < this.plan.activeWriteGraceS * 1000 && this.plan.now - ts < OPEN_SEGMENT_MAX_MS) {
      // started recently and modified within the grace period: still being written (an old path date with a
      // fresh mtime, a copy or a restore, is not: age comes from the path)
      if (counts) this.skip(path, 'active-write');
      return;
    }
    const freed = st.nlink > 1 ? 0 : st.size;
    if (range.all) {
      if (!this.openQuarantine(true)) {
        if (counts) this.skip(path, 'quarantine-unusable');
        return;
      }
      // <quarantine>/<camera>/<the path below the root>
      const destDirs = [safeName(cam.label), ...dir.rel.split('/')].filter((d) => d !== '');
      const dest = [this.plan.quarantineDir, ...destDirs, name].join('/');
      const { dev, ino, size } = st;
      this.enqueue({
        op: 'quarantine',
        path,
        dest,
        dev,
        ino,
        size,
        freed: 0,
        dir,
        name,
        area,
        camera: cam.label,
        destDirs,
      });
    } else if (pass === 'emergency' && !this.chosen) {
      this.candidates.push({ key: `${st.dev}:${st.ino}`, ts, freed });
      this.trimCandidates();
    } else if (pass === 'emergency' && !this.chosen?.has(`${st.dev}:${st.ino}`)) {
      // not among the oldest chosen
    } else if (this.deletions() >= this.plan.maxDeletesPerRun) {
      if (this.deleteAllowed) this.out.capped = true;
    } else if (this.deleteAllowed) {
      const { dev, ino, size } = st;
      this.enqueue({ op: 'delete', path, dev, ino, size, freed, dir, name, area, camera: cam.label });
    }
  }

  /** Deletions this run made or queued (the per-run cap counts them, never those of a crashed run). */
  private deletions(): number {
    return this.out.deleted - this.out.recovered.deleted + this.batchDeletes;
  }

  // ---- acting: journal the batch, then act on each item after re-checking it ---------------------------------

  private enqueue(item: Item): void {
    if (this.batch[0] && this.batch[0].area !== item.area) this.flush(); // one area per batch report
    if (item.op === 'delete') this.batchDeletes++;
    item.dir.ref();
    this.batchDirs.add(item.dir);
    this.batch.push(item);
    if (this.batch.length >= BATCH || this.batchDirs.size >= MAX_HELD_DIRS) this.flush();
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchDirs = new Set();
    this.batchDeletes = 0;
    const area = batch[0]?.area ?? 'recordings';
    const report: BatchReport = { area, dryRun: this.plan.dryRun, deleted: [], quarantined: [] };
    const results: JournalResult[] = [];
    try {
      const no = this.journal?.intents(batch);
      for (const item of batch) {
        const r = this.plan.dryRun ? (item.op === 'delete' ? 'deleted' : 'moved') : this.act(item);
        results.push(r);
        const path = item.path.slice(this.pathOf(item.area, '').length + 1);
        if (r === 'moved') {
          this.out.quarantined++;
          report.quarantined.push({ path, camera: item.camera, bytes: item.size });
        } else if (r === 'deleted') {
          this.out.deleted++;
          this.out.bytesFreed += item.freed;
          if (item.area === 'recordings') this.freedInRoot += item.freed;
          report.deleted.push({ path, camera: item.camera, bytes: item.freed });
          if (!this.plan.dryRun) this.hooks.afterUnlink?.(this.out.deleted);
        }
      }
      if (no !== undefined) this.journal?.done(no, results);
    } finally {
      for (const item of batch) item.dir.unref();
    }
    this.hooks.onBatch?.(report);
  }

  private act(item: Item): JournalResult {
    try {
      const st = item.dir.lstat(item.name);
      if (!st.isFile() || st.dev !== item.dev || st.ino !== item.ino) {
        this.skip(item.path, 'changed');
        return 'changed';
      }
      if (item.op === 'delete') item.dir.unlink(item.name);
      else if (!this.moveToQuarantine(item)) return 'changed';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      this.error(item.path, err);
      return 'error';
    }
    item.dir.touched = true;
    return item.op === 'delete' ? 'deleted' : 'moved';
  }

  /** rename(2) into `<quarantine>/<camera>/<path below the root>`: 0700 directories, a 0600 file, never over one. */
  private moveToQuarantine(item: Item): boolean {
    const top = this.openQuarantine(true);
    if (!top) return false;
    const opened: DirHandle[] = [];
    try {
      let dest = top;
      for (const d of item.destDirs ?? []) {
        dest = dest.openOrCreateChild(d, 0o700);
        opened.push(dest);
      }
      const into = dest;
      const target = [item.name, `${item.name}.${item.ino}`].find((n) => !into.has(n));
      if (target === undefined) this.skip(item.path, 'quarantine-target-exists');
      else if (!item.dir.chmodEntry(item.name, item, 0o600)) this.skip(item.path, 'changed');
      else {
        item.dir.renameEntry(item.name, dest, target);
        return true;
      }
      return false;
    } finally {
      for (const d of opened.reverse()) d.unref();
    }
  }

  /** The quarantine area (made 0700 on first use): ours, on the root's device, not writable by others. */
  private openQuarantine(create: boolean): DirHandle | undefined {
    if (this.quarantine === undefined) {
      const q = this.plan.quarantineDir;
      let top: DirHandle | undefined;
      try {
        if (create) mkdirSync(q, { recursive: true, mode: 0o700 });
        top = DirHandle.openTop(q); // a symlink in its place is refused
      } catch (err) {
        if (!create && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // nothing quarantined yet
        this.error(q, err);
      }
      const foreign = top && top.stat.uid !== 0 && top.stat.uid !== (process.getuid?.() ?? 0) ? 'foreign-owner' : '';
      const reason = top && (this.unsafeDir(top.stat) ?? foreign);
      if (top && reason) {
        const message = `${q}: ${reason}: footage of blocked cameras stays in place`;
        this.out.errors.push({ path: q, code: 'quarantine-unusable', message });
        top.unref();
        top = undefined;
      }
      this.quarantine = top ?? 'unusable';
    }
    return this.quarantine === 'unusable' ? undefined : this.quarantine;
  }

  // ---- quarantine expiry and space-driven deletion ------------------------------------------------------------

  /** Quarantined footage older than the pack's quarantine days is deleted, held footage excepted. */
  private expireQuarantine(): void {
    const top = this.deleteAllowed ? this.openQuarantine(false) : undefined;
    if (!top) return;
    for (const e of this.list(top, 'quarantine', true)) {
      const facts = this.plan.cameras.find((c) => safeName(c.id) === e.name);
      const cam = this.camera(facts?.recordingName ?? facts?.id ?? e.name);
      if (this.hooks.aborted?.() || cam.names.some((n) => this.future.has(n))) continue;
      const child = entryKind(top, e) === 'dir' ? this.openDir(top, e.name, 'quarantine', true) : undefined;
      if (child) this.walk(child, 0, {}, cam, 'quarantine', 'expiry'); // below <camera>/ the layout starts again
      child?.unref();
    }
    this.flush();
  }

  /** Quota and free-space floor: delete the oldest footage above the legal floor until the space is back. */
  private spaceDriven(root: DirHandle): void {
    if (this.plan.quotaBytes === undefined && this.plan.minFreeBytes === undefined) return;
    let need = this.deficit();
    if (need.deficitBytes > 0 && this.deleteAllowed) {
      this.out.emergencyPass = true;
      this.walk(root, 0, {}, undefined, 'recordings', 'emergency'); // collects candidates
      const chosen = new Set<string>();
      let planned = 0;
      for (const c of this.candidates.sort((a, b) => a.ts - b.ts)) {
        if (planned >= need.deficitBytes) break;
        chosen.add(c.key);
        planned += c.freed;
      }
      this.chosen = chosen;
      this.walk(root, 0, {}, undefined, 'recordings', 'emergency'); // deletes the chosen, each through its own handle
      this.flush();
      need = this.deficit();
    }
    if (need.deficitBytes > 0) this.out.shortfall = need;
  }

  private deficit(): NonNullable<WalkOutcome['shortfall']> {
    const out: NonNullable<WalkOutcome['shortfall']> = { deficitBytes: 0 };
    if (this.plan.minFreeBytes !== undefined) {
      const free = this.hooks.freeBytes ? this.hooks.freeBytes(this.plan.root) : statfsFree(this.plan.root);
      out.freeBytes = free + (this.plan.dryRun ? this.out.bytesFreed : 0);
      out.deficitBytes = Math.max(out.deficitBytes, this.plan.minFreeBytes - out.freeBytes);
    }
    if (this.plan.quotaBytes !== undefined) {
      out.usedBytes = this.usedBytes - this.freedInRoot;
      out.deficitBytes = Math.max(out.deficitBytes, out.usedBytes - this.plan.quotaBytes);
    }
    return out;
  }

  /** Keeps the oldest candidates only, enough for the per-run cap. */
  private trimCandidates(): void {
    const keep = Math.max(1, this.plan.maxDeletesPerRun - this.deletions());
    if (this.candidates.length <= 2 * keep + BATCH) return;
    this.candidates.sort((a, b) => a.ts - b.ts);
    this.candidates.length = keep;
  }

  // ---- bookkeeping -------------------------------------------------------------------------------------------

  private list(dir: DirHandle, area: Area, report: boolean): Dirent[] {
    try {
      return dir.list();
    } catch (err) {
      if (report) this.error(this.pathOf(area, dir.rel), err);
      return [];
    }
  }

  private pathOf(area: Area, rel: string): string {
    const top = area === 'recordings' ? this.plan.root : this.plan.quarantineDir;
    return rel === '' ? top : `${top}/${rel}`;
  }

  private unmatched(path: string): void {
    this.out.unmatched++;
    this.skip(path, 'unmatched');
  }

  private skip(path: string, reason: string): void {
    this.out.skippedTotal++;
    if (this.out.skipped.length < this.plan.maxSkippedListed) this.out.skipped.push({ path, reason });
  }

  private error(path: string, err: unknown): void {
    if (this.out.errors.length < this.plan.maxSkippedListed) this.out.errors.push(sweepError(path, err));
  }
}

type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** The type the listing gives, or an lstat's where the filesystem does not say (DT_UNKNOWN). */
function entryKind(dir: DirHandle, e: Dirent): EntryKind {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (e.isSymbolicLink()) return 'symlink';
  if (e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice()) return 'other';
  try {
    const st = dir.lstat(e.name);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  } catch {
    return 'other';
  }
}

export function sweepError(path: string, err: unknown): SweepError {
  const e = err as NodeJS.ErrnoException;
  return { path, code: e.code ?? 'error', message: e.message ?? String(err) };
}

function join(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

/** A camera id as one safe path component. */
export function safeName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return s === '.' || s === '..' || s === '' ? '_' : s;
}

function statfsFree(path: string): number {
  const s = statfsSync(path);
  return Number(s.bavail) * Number(s.bsize);
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}
