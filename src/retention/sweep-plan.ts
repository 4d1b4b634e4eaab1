/**
 * What one retention pass is given and what it gives back (docs/retention.md): plain data, it crosses into the
 * worker thread and back.
 */
import { createHash } from 'node:crypto';
import type { RecordingLayout } from './layout-schema.js';
import type { CameraRetentionFacts, LegalHold, RetentionPolicy } from './rules.js';

export const DEFAULT_LIMITS = {
  maxDeletesPerRun: 200_000,
  activeWriteGraceS: 120,
  maxClockAheadDays: 366,
  allowSharedDirs: false,
};
/** `skipped` and `errors` list at most this many entries each; the rest are only counted. */
const MAX_LISTED = 1000;

/** The limits of a pass: config `retention.*`. */
export type SweepLimits = Partial<typeof DEFAULT_LIMITS> & { quotaBytes?: number; minFreeBytes?: number };

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

export type SweepError = { path?: string; code: string; message: string };
export type Refusal = 'clock-behind' | 'clock-ahead' | 'insecure-root';

/** What a pass did, as it starts. `recovered`: what a crashed earlier run did and never reported (counted in). */
export function emptyOutcome(dryRun: boolean) {
  return {
    ...{ dryRun, scanned: 0, deleted: 0, bytesFreed: 0, quarantined: 0, held: 0, unmatched: 0, skippedTotal: 0 },
    skipped: [] as Array<{ path: string; reason: string }>,
    errors: [] as SweepError[],
    /** Date directories inside retention, not listed. */
    youngDirs: 0,
    capped: false,
    refused: undefined as Refusal | undefined,
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

export function sweepError(path: string, err: unknown): SweepError {
  const e = err as NodeJS.ErrnoException;
  return { path, code: e.code ?? 'error', message: e.message ?? String(err) };
}

export function noteSkip(out: WalkOutcome, path: string, reason: string): void {
  out.skippedTotal++;
  if (reason === 'unmatched') out.unmatched++; // a name no layout matches: never a candidate
  if (out.skipped.length < MAX_LISTED) out.skipped.push({ path, reason });
}

export function noteError(out: WalkOutcome, path: string, err: unknown): void {
  if (out.errors.length < MAX_LISTED) out.errors.push(sweepError(path, err));
}

/** A camera id as one safe path component (not one-to-one: `nvr1:ch1` and `nvr1_ch1` both give `nvr1_ch1`). */
export function safeName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return s === '.' || s === '..' || s === '' ? '_' : s;
}

/**
 * A camera's folder in the quarantine area, one per id: the id itself when it is a safe name already, else its
 * safeName, `~` and a hash of the id. safeName never yields `~`, so a hashed name is never an id's plain name, and
 * releasing one camera never moves another's footage (docs/retention.md, *Quarantine*).
 */
export function quarantineName(id: string): string {
  const safe = safeName(id);
  if (safe === id) return id;
  return `${safe.slice(0, 200)}~${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}

/**
 * Whether a quarantine folder may hold the footage of more than one camera: a name without `~` that has a `_`
 * could be the safeName of several ids, as every folder was named before quarantineName.
 */
export function mayBeShared(folder: string): boolean {
  return !folder.includes('~') && folder.includes('_');
}
