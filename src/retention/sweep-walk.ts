/**
 * One retention pass as a plain synchronous walk (sweep.ts runs it in a worker thread); the rules are in
 * docs/retention.md. Each directory is opened once without following symlinks and checked: same device as the
 * root, not writable by others. Everything below it goes through that handle (dir-handle.ts), so a directory
 * swapped for a symlink cannot redirect a delete. One file is one step: decide from its path timestamp, lstat it
 * (a regular file on the root's device, not being written), and queue it (sweep-batch.ts journals the batch,
 * re-checks dev/inode and acts). Date directories still inside retention are never listed.
 *
 * Passes: the recordings (expired footage deleted, a blocked camera's quarantined), then the quarantine area
 * (expired there), then, under a quota or a free-space floor, the oldest footage above the legal floor.
 */
import { type Dirent, mkdirSync, type Stats, statfsSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { checkClocks, iso } from './clock-check.js';
import { DirHandle, type EntryKind, writableByOthers } from './dir-handle.js';
import { RetentionJournal, recoverJournal } from './journal.js';
import { compileLayout, matchSegment, type PathFields, pathTimestamp } from './layouts.js';
import { type CameraRetentionFacts, DAY_MS, effectiveRetentionDays, floorDays, heldTest } from './rules.js';
import { Batch } from './sweep-batch.js';
import {
  type Area,
  DEFAULT_LIMITS,
  emptyOutcome,
  noteError,
  noteSkip,
  quarantineName,
  type Refusal,
  type SweepPlan,
  safeName,
  type WalkHooks,
  type WalkOutcome,
} from './sweep-plan.js';

const OPEN_SEGMENT_MAX_MS = 6 * 3_600_000; // older segments are never "still being written"
const UNKNOWN = '\0unknown'; // what a directory no camera claims is filed under
const CANDIDATE_SLACK = 1024; // candidates past what the cap allows before they are sorted and trimmed

/** The main and the space-driven (emergency) pass walk the recordings, expiry the quarantine area. */
type Pass = 'main' | 'emergency' | 'expiry';
const areaOf = (pass: Pass): Area => (pass === 'expiry' ? 'quarantine' : 'recordings');
/** Recording times a pass acts on: [from, to), or all of them (a blocked camera's footage goes to quarantine). */
type Range = { from: number; to: number; all: boolean };

interface Camera {
  /** Its id (or directory name): what reports call it. */
  label: string;
  /** Every name its footage may be filed or held under: directory name, id, alias. */
  names: string[];
  blocked: boolean;
  ranges: Record<Pass, Range>;
}

/** A file the space-driven pass may delete: `dev:ino`, oldest first. */
type Candidate = { key: string; ts: number; freed: number };

export class SweepWalk {
  private readonly plan: SweepPlan & typeof DEFAULT_LIMITS;
  readonly layout;
  private readonly isHeld;
  private readonly byName = new Map<string, CameraRetentionFacts>();
  private readonly cameras = new Map<string, Camera>();
  /** What a pass acts on for a directory above the camera level. */
  private readonly widest: Record<Pass, Range>;
  /** Camera names with footage dated in the future: never acted on this run. */
  private readonly future = new Set<string>();
  private readonly journal: RetentionJournal | undefined;
  private readonly batch: Batch;
  private readonly out: WalkOutcome;
  readonly quarantineRel: string | undefined;
  private rootDev = 0;
  private quarantine: DirHandle | 'unusable' | undefined;
  private deleteAllowed = true;
  /** Deletions this run queued (the per-run cap counts them, never those of a crashed run). */
  private queuedDeletes = 0;
  private usedBytes = 0;
  private candidates: Candidate[] = [];
  /** The candidates chosen for deletion; undefined while the space-driven pass still collects them. */
  private chosen: Set<string> | undefined;

  constructor(
    plan: SweepPlan,
    private readonly hooks: WalkHooks,
  ) {
    this.plan = { ...DEFAULT_LIMITS, ...plan };
    this.layout = compileLayout(plan.layout);
    this.isHeld = heldTest(plan.holds);
    // an alias wins over an id: it is the site's explicit statement about the directory. Names are compared in
    // Unicode NFC: a profile says "café" in one form, a directory may have been created in the other.
    for (const c of plan.cameras) if (!this.byName.has(nfc(c.id))) this.byName.set(nfc(c.id), c);
    for (const c of plan.cameras) if (c.recordingName) this.byName.set(nfc(c.recordingName), c);
    this.journal = plan.journalPath ? new RetentionJournal(plan.journalPath, plan.runId) : undefined;
    const q = relative(plan.root, plan.quarantineDir);
    this.quarantineRel = q !== '' && !q.startsWith('..') && !q.startsWith(sep) ? q : undefined;
    this.out = emptyOutcome(plan.dryRun);
    this.batch = new Batch(this.out, hooks, this.journal, () => this.openQuarantine(true));
    const widest = (pass: Pass) => this.widestRange(pass);
    this.widest = { main: widest('main'), emergency: widest('emergency'), expiry: widest('expiry') };
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
      else this.checkRootAndClocks(root);
      this.walk(root, 0, {}, undefined, 'main');
      this.batch.flush();
      if (this.plan.quarantineOnly === undefined) {
        this.expireQuarantine();
        this.spaceDriven(root);
      }
    } finally {
      this.batch.flush();
      root.unref();
      if (this.quarantine instanceof DirHandle) this.quarantine.unref();
      this.journal?.close();
    }
    return this.out;
  }

  private checkRootAndClocks(root: DirHandle): void {
    if (writableByOthers(root.stat) && !this.plan.allowSharedDirs) {
      // logrotate's rule: others could rename entries between our checks and the unlink
      this.refuse('insecure-root', `${this.plan.root} is writable by group or others; refusing to delete`);
      return;
    }
    const verdict = checkClocks(root, this, this.plan.now, this.plan.maxClockAheadDays);
    for (const [camera, rel] of verdict.future) {
      const path = this.pathOf('recordings', rel);
      this.future.add(camera);
      this.out.implausible.push({ camera, path });
      noteSkip(this.out, path, 'future-dated');
    }
    if (verdict.newest !== undefined) this.out.newestRecording = iso(verdict.newest);
    if (verdict.refusal) this.refuse(verdict.refusal.reason, verdict.refusal.message);
  }

  private refuse(reason: Refusal, message: string): void {
    this.deleteAllowed = false;
    this.out.refused = reason;
    this.out.refusedMessage = message;
    this.out.errors.push({ code: 'retention-refused', message });
  }

  // ---- the walk: one entry a step ------------------------------------------------------------------------------

  private walk(dir: DirHandle, depth: number, fields: PathFields, cam: Camera | undefined, pass: Pass) {
    const seg = this.layout.segments[depth];
    if (!seg) return;
    const area = areaOf(pass);
    const last = depth === this.layout.segments.length - 1;
    const counts = pass === 'main'; // the later passes go over what the main pass already reported
    const entries = this.list(dir, area, counts);
    this.hooks.afterListing?.(area, dir.rel);
    for (const e of entries) {
      if (this.hooks.aborted?.()) return;
      const rel = dir.relOf(e.name);
      if (area === 'recordings' && rel === this.quarantineRel) continue;
      const m = matchSegment(seg, e.name, fields);
      if (m?.camera !== undefined && this.future.has(m.camera)) continue; // reported once by the clock check
      const here = depth === this.layout.cameraDepth && m?.camera !== undefined ? this.camera(m.camera) : cam;
      if (this.plan.quarantineOnly !== undefined && here && !here.blocked) continue;
      const path = this.pathOf(area, rel);
      const kind = dir.kindOf(e);
      if (kind !== 'dir' && counts) this.out.scanned++;
      if (kind === 'symlink') {
        if (counts) noteSkip(this.out, path, 'symlink');
      } else if (!m || (!last && kind !== 'dir')) {
        if (counts) noteSkip(this.out, path, 'unmatched');
      } else if (last && kind === 'dir') {
        if (counts) noteSkip(this.out, path, 'not-regular');
      } else if (last) {
        this.file(dir, e.name, path, kind, m, here ?? this.camera(UNKNOWN), pass);
      } else if (!this.young(depth, m, here, pass)) {
        const child = this.openDir(dir, e.name, area, counts);
        if (!child) continue;
        this.walk(child, depth + 1, m, here, pass);
        child.unref();
      }
    }
  }

  private camera(dirName: string): Camera {
    const known = this.cameras.get(dirName);
    if (known) return known;
    const facts = this.byName.get(nfc(dirName));
    // as found on disk (the clock check's keys) and in NFC (holds compare that)
    const given = [dirName, facts?.id, facts?.recordingName].filter((n) => n !== undefined);
    const names = [...new Set([...given, ...given.map(nfc)])];
    const only = this.plan.quarantineOnly;
    const blocked = only !== undefined ? names.includes(only) : !!facts?.blocked;
    const { now, policy } = this.plan;
    const cutoff = now - effectiveRetentionDays(policy, facts) * DAY_MS;
    const floorCutoff = now - floorDays(policy, facts) * DAY_MS;
    const ranges = {
      main: { from: -Infinity, to: cutoff, all: blocked },
      emergency: { from: cutoff, to: blocked ? -Infinity : floorCutoff, all: false },
      // quarantine days from the move, and never before the camera's own retention from the recording's time: a
      // segment quarantined the day it was recorded must not go at 31 days where an overlay's floor says 90
      expiry: { from: -Infinity, to: cutoff, all: false },
    };
    const cam = { label: facts?.id ?? dirName, names, blocked, ranges };
    this.cameras.set(dirName, cam);
    return cam;
  }

  /** A date directory whose day starts after the range this pass acts on is not even listed. */
  private young(depth: number, m: PathFields, cam: Camera | undefined, pass: Pass): boolean {
    if (depth !== this.layout.dateDirDepth) return false;
    if (this.plan.quotaBytes !== undefined && pass === 'main') return false; // a quota needs every file's size
    const start = pathTimestamp(m);
    const range = cam ? cam.ranges[pass] : this.widest[pass];
    if (start === undefined || range.all || start < range.to) return false;
    if (pass === 'main') this.out.youngDirs++;
    return true;
  }

  /** Above the camera level (a date directory first): the widest range of any camera, known or not. */
  private widestRange(pass: Pass): Range {
    const ranges = [UNKNOWN, ...this.byName.keys()].map((n) => this.camera(n).ranges[pass]);
    const all = ranges.some((r) => r.all) || (pass === 'main' && this.plan.quarantineOnly !== undefined);
    return { from: -Infinity, to: Math.max(...ranges.map((r) => r.to)), all };
  }

  private file(dir: DirHandle, name: string, path: string, kind: EntryKind, m: PathFields, cam: Camera, pass: Pass) {
    const counts = pass === 'main';
    const area = areaOf(pass);
    const ts = pathTimestamp(m);
    if (ts === undefined) {
      if (counts) noteSkip(this.out, path, 'unmatched');
      return;
    }
    const range = cam.ranges[pass];
    const inRange = range.all || (ts >= range.from && ts < range.to);
    const held = inRange && !range.all && this.isHeld(cam.names, ts);
    if (held && counts) this.out.held++;
    const sizing = counts && area === 'recordings' && this.plan.quotaBytes !== undefined; // a quota needs sizes
    if ((!inRange || held) && !sizing) {
      if (counts && kind === 'other') noteSkip(this.out, path, 'not-regular');
      return;
    }
    let st: Stats;
    try {
      st = dir.lstat(name);
    } catch (err) {
      if (counts && (err as NodeJS.ErrnoException).code !== 'ENOENT') noteError(this.out, path, err);
      return;
    }
    if (!st.isFile() || st.dev !== this.rootDev) {
      const reason = st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'other-device' : 'not-regular';
      if (counts) noteSkip(this.out, path, reason);
      return;
    }
    if (sizing) this.usedBytes += st.size;
    if (!inRange || held) return;
    // quarantined footage is kept quarantineDays from its move there (the rename set its ctime)
    if (area === 'quarantine' && this.plan.now - st.ctimeMs < this.plan.policy.quarantineDays * DAY_MS) return;
    if (this.plan.now - st.mtimeMs < this.plan.activeWriteGraceS * 1000 && this.plan.now - ts < OPEN_SEGMENT_MAX_MS) {
      // started recently and modified within the grace period: still being written (an old path date with a
      // fresh mtime, a copy or a restore, is not: age comes from the path)
      if (counts) noteSkip(this.out, path, 'active-write');
      return;
    }
    const { dev, ino, size } = st;
    const freed = st.nlink > 1 ? 0 : size;
    if (range.all) {
      if (!this.openQuarantine(true)) {
        if (counts) noteSkip(this.out, path, 'quarantine-unusable');
        return;
      }
      // <quarantine>/<camera>/<the path below the root>
      const destDirs = [quarantineName(cam.label), ...dir.rel.split('/')].filter((d) => d !== '');
      const dest = [this.plan.quarantineDir, ...destDirs, name].join('/');
      const camera = cam.label;
      this.batch.add({ op: 'quarantine', path, dest, dev, ino, size, freed: 0, dir, name, area, camera, destDirs });
    } else if (pass === 'emergency' && !this.chosen) {
      this.candidates.push({ key: `${dev}:${ino}`, ts, freed });
      this.trimCandidates();
    } else if (pass === 'emergency' && !this.chosen?.has(`${dev}:${ino}`)) {
      // not among the oldest chosen
    } else if (this.queuedDeletes >= this.plan.maxDeletesPerRun) {
      if (this.deleteAllowed) this.out.capped = true;
    } else if (this.deleteAllowed) {
      this.queuedDeletes++;
      this.batch.add({ op: 'delete', path, dev, ino, size, freed, dir, name, area, camera: cam.label });
    }
  }

  // ---- the quarantine area and the space-driven pass ------------------------------------------------------------

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
        noteError(this.out, q, err);
      }
      const foreign = top && top.stat.uid !== 0 && top.stat.uid !== (process.getuid?.() ?? 0) ? 'foreign-owner' : '';
      // an area that is the root or holds it would have its expiry walk the live recordings as quarantine
      const around = relative(q, this.plan.root);
      const outside = around === '..' || around.startsWith(`..${sep}`) || isAbsolute(around);
      const holdsRoot = outside ? '' : 'holds-the-root';
      const reason = top && (this.unsafeDir(top.stat) ?? (holdsRoot || foreign));
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

  /** Quarantined footage older than the pack's quarantine days is deleted, held footage excepted. */
  private expireQuarantine(): void {
    const top = this.deleteAllowed ? this.openQuarantine(false) : undefined;
    if (!top) return;
    for (const e of this.list(top, 'quarantine', true)) {
      // a folder named before quarantineName (safeName only) may be shared: below it, each file's camera is the
      // one its path names (walk), this one only decides above the camera level
      const cameras = this.plan.cameras;
      const facts =
        cameras.find((c) => quarantineName(c.id) === e.name) ?? cameras.find((c) => safeName(c.id) === e.name);
      const cam = this.camera(facts?.recordingName ?? facts?.id ?? e.name);
      if (this.hooks.aborted?.() || cam.names.some((n) => this.future.has(n))) continue;
      const child = top.kindOf(e) === 'dir' ? this.openDir(top, e.name, 'quarantine', true) : undefined;
      if (child) this.walk(child, 0, {}, cam, 'expiry'); // below <camera>/ the layout starts again
      child?.unref();
    }
    this.batch.flush();
  }

  /** Quota and free-space floor: delete the oldest footage above the legal floor until the space is back. */
  private spaceDriven(root: DirHandle): void {
    if (this.plan.quotaBytes === undefined && this.plan.minFreeBytes === undefined) return;
    let need = this.deficit();
    if (need.deficitBytes > 0 && this.deleteAllowed) {
      this.out.emergencyPass = true;
      this.walk(root, 0, {}, undefined, 'emergency'); // collects candidates
      const chosen = new Set<string>();
      let planned = 0;
      for (const c of this.candidates.sort((a, b) => a.ts - b.ts)) {
        if (planned >= need.deficitBytes) break;
        chosen.add(c.key);
        planned += c.freed;
      }
      this.chosen = chosen;
      this.walk(root, 0, {}, undefined, 'emergency'); // deletes the chosen, each through its own handle
      this.batch.flush();
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
      out.usedBytes = this.usedBytes - this.batch.freedInRecordings;
      out.deficitBytes = Math.max(out.deficitBytes, out.usedBytes - this.plan.quotaBytes);
    }
    return out;
  }

  /** Keeps the oldest candidates only, enough for the per-run cap. */
  private trimCandidates(): void {
    const keep = Math.max(1, this.plan.maxDeletesPerRun - this.queuedDeletes);
    if (this.candidates.length <= 2 * keep + CANDIDATE_SLACK) return;
    this.candidates.sort((a, b) => a.ts - b.ts);
    this.candidates.length = keep;
  }

  // ---- directories, paths and notes ------------------------------------------------------------------------------

  openDir(parent: DirHandle, name: string, area: Area, report: boolean): DirHandle | undefined {
    const path = this.pathOf(area, parent.relOf(name));
    let child: DirHandle;
    try {
      child = parent.openChild(name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ELOOP/ENOTDIR: a symlink (or a file) where a directory was listed: never followed
      if (report && (code === 'ELOOP' || code === 'ENOTDIR')) noteSkip(this.out, path, 'symlink');
      else if (report && code !== 'ENOENT') noteError(this.out, path, err);
      return undefined;
    }
    const reason = this.unsafeDir(child.stat);
    if (!reason) return child;
    if (report) noteSkip(this.out, path, reason);
    child.unref();
    return undefined;
  }

  /** Only directories on the root's filesystem that others cannot write to are walked. */
  private unsafeDir(st: Stats): string | undefined {
    if (st.dev !== this.rootDev) return 'other-device';
    return writableByOthers(st) && !this.plan.allowSharedDirs ? 'insecure-dir' : undefined;
  }

  list(dir: DirHandle, area: Area, report: boolean): Dirent[] {
    try {
      return dir.list();
    } catch (err) {
      if (report) noteError(this.out, this.pathOf(area, dir.rel), err);
      return [];
    }
  }

  private pathOf(area: Area, rel: string): string {
    const top = area === 'recordings' ? this.plan.root : this.plan.quarantineDir;
    return rel === '' ? top : `${top}/${rel}`;
  }
}

function nfc(name: string): string {
  return name.normalize('NFC');
}

function statfsFree(path: string): number {
  const s = statfsSync(path);
  return Number(s.bavail) * Number(s.bsize);
}
