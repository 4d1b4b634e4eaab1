/**
 * One retention pass, as callers see it (docs/retention.md). `sweep()` resolves the root and the quarantine area,
 * runs the walk (sweep-walk.ts) in a worker thread so the caller's event loop stays free, appends each batch of
 * deletions and moves to the audit log as the walk reports it, empties the journal once those entries are on
 * disk, and raises the events.
 */
import { randomUUID } from 'node:crypto';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditSink } from '../model/audit-sink.js';
import type { EventSink } from '../model/event-sink.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { SerialQueue } from '../util/serial-queue.js';
import { closeAllDirs } from './dir-handle.js';
import { clearJournal } from './journal.js';
import type { CameraRetentionFacts, LegalHold } from './rules.js';
import type { BatchReport, SweepLimits, SweepPlan, WalkHooks, WalkOutcome } from './sweep-plan.js';
import { SweepWalk } from './sweep-walk.js';

const QUARANTINE_DIR_NAME = '.camwarden-quarantine';

export interface SweepOptions extends SweepLimits, Pick<SweepPlan, 'root' | 'layout' | 'policy' | 'quarantineOnly'> {
  cameras: readonly CameraRetentionFacts[];
  /**
   * Holds besides policy.legalHolds: the hold store's, read when the sweep's turn comes (a function), so a hold
   * added after the options were built is seen (see `changeHolds`).
   */
  extraHolds?: readonly LegalHold[] | (() => Promise<readonly LegalHold[]>);
  dataDir: string;
  quarantineDir?: string;
  dryRun?: boolean;
  events?: EventSink;
  audit?: AuditSink;
  /** Aborting stops the walk at the next entry; what it did is still journaled, audited and reported. */
  signal?: AbortSignal;
  now?: () => number;
  /** Walk on the calling thread, not a worker: for one-shot commands. Hooks (test seams) imply it. */
  inline?: boolean;
  hooks?: Omit<WalkHooks, 'onBatch' | 'aborted'>;
  /** The compiled worker (tests that run from the TypeScript sources and want the worker point it at dist/). */
  workerScript?: string | URL;
}

export type SweepResult = WalkOutcome & { run: string; root: string; durationMs: number };

const WORKER = new URL('./sweep-worker.js', import.meta.url);
/** Run from the TypeScript sources (tests), there is no compiled worker to start: the walk runs inline. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

const queue = new SerialQueue();
/** Stops for the sweeps that may delete: the one running, and those queued (they stop as they start). */
const deleting = new Set<AbortController>();
let holdChanges = 0;

/** Retention jobs of this process run one at a time: they share the journal (other processes: the data-dir lock). */
export function one<T>(job: () => Promise<T>): Promise<T> {
  return queue.run(() => job().finally(closeAllDirs)); // closes what an inline job that threw left open
}

/**
 * Adds legal holds between sweeps: the sweep deleting now stops at its next file (what it decided and has not
 * done is dropped) and those queued behind it stop as they start; the change is made once they are over. When it
 * returns, no sweep of this process deletes footage the new hold covers. The next scheduled sweep does the rest.
 */
export function changeHolds<T>(change: () => Promise<T>): Promise<T> {
  holdChanges++;
  for (const stop of deleting) stop.abort();
  return one(async () => {
    try {
      return await change();
    } finally {
      holdChanges--; // before the next job starts: a sweep queued behind the change reads the new holds
    }
  });
}

export function sweep(opts: SweepOptions): Promise<SweepResult> {
  const stop = new AbortController();
  // moves and dry runs delete nothing: a hold change lets them finish
  const deletes = !opts.dryRun && opts.quarantineOnly === undefined;
  if (deletes) deleting.add(stop);
  return one(() => {
    if (deletes && holdChanges > 0) stop.abort(); // queued before a hold change: it would read the holds before it
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    return sweepNow({ ...opts, signal });
  }).finally(() => deleting.delete(stop));
}

async function sweepNow(opts: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  const root = await realpath(opts.root); // not a directory: ENOTDIR when the walk opens it
  const { extraHolds, dataDir, events, audit, signal, now, inline, hooks, workerScript, ...data } = opts;
  const dryRun = opts.dryRun ?? false;
  const stored = typeof extraHolds === 'function' ? await extraHolds() : (extraHolds ?? []);
  const plan: SweepPlan = {
    ...data,
    root,
    quarantineDir: await quarantineDirFor(root, opts.quarantineDir),
    holds: [...opts.policy.legalHolds, ...stored],
    cameras: [...opts.cameras],
    now: (now ?? Date.now)(),
    dryRun,
    runId: randomUUID(),
    ...(dryRun ? {} : { journalPath: join(dataDir, 'retention-journal.jsonl') }),
  };
  const log = new BatchLog(plan, audit);
  let outcome: WalkOutcome;
  try {
    outcome =
      inline || hooks || (FROM_SOURCES && !workerScript)
        ? new SweepWalk(plan, { ...hooks, onBatch: (b) => log.batch(b), aborted: () => !!signal?.aborted }).run()
        : await inWorker<WalkOutcome>({ op: 'sweep', plan }, (b) => log.batch(b), signal, workerScript);
  } catch (err) {
    await log.settled(); // what the walk reported before it failed is still recorded; the journal stays
    throw err;
  }
  log.recovered(outcome.recovered.paths);
  const auditFailure = await log.settled();
  if (auditFailure) outcome.errors.push({ code: 'audit-failed', message: `audit log: ${auditFailure}` });
  // Every line of the journal is now in the audit log; without that, the next run recovers and audits it again.
  else if (plan.journalPath) clearJournal(plan.journalPath);
  const result: SweepResult = { ...outcome, run: plan.runId, root, durationMs: Date.now() - started };
  if (events) await report(events, result, plan, log);
  return result;
}

/** The configured quarantine area, else a sibling of the root on its filesystem, else inside the root. */
export async function quarantineDirFor(root: string, configured: string | undefined): Promise<string> {
  if (configured) {
    // compare resolved paths: a quarantine inside the root must be recognised there and never swept as footage
    return join(await realpath(dirname(configured)).catch(() => dirname(configured)), basename(configured));
  }
  const parent = dirname(root);
  const [p, r] = await Promise.all([lstat(parent), lstat(root)]);
  return parent !== root && p.dev === r.dev ? join(parent, QUARANTINE_DIR_NAME) : join(root, QUARANTINE_DIR_NAME);
}

type Tally = Map<string, { files: number; bytes: number }>;

/** Takes the walk's batches as they come: appends them to the audit log in order, and tallies them per camera. */
class BatchLog {
  readonly quarantined: Tally = new Map();
  readonly expired: Tally = new Map();
  private readonly appends = new SerialQueue();
  private failure: string | undefined;

  constructor(
    private readonly plan: SweepPlan,
    private readonly sink: AuditSink | undefined,
  ) {}

  batch(b: BatchReport): void {
    tally(this.quarantined, b.quarantined);
    if (b.area === 'quarantine') tally(this.expired, b.deleted);
    if (this.plan.dryRun) return;
    const base = {
      run: this.plan.runId,
      area: b.area,
      root: b.area === 'recordings' ? this.plan.root : this.plan.quarantineDir,
    };
    if (b.deleted.length > 0) {
      const bytes = b.deleted.reduce((n, d) => n + d.bytes, 0);
      const reason = b.area === 'quarantine' ? 'quarantine-expired' : 'retention';
      this.append('deletion', { ...base, reason, count: b.deleted.length, bytes, paths: b.deleted.map((d) => d.path) });
    }
    if (b.quarantined.length > 0) {
      const cameras = [...new Set(b.quarantined.map((q) => q.camera))];
      const paths = b.quarantined.map((q) => q.path);
      this.append('quarantine', {
        ...base,
        event: 'quarantined',
        cameras,
        quarantineDir: this.plan.quarantineDir,
        paths,
      });
    }
  }

  /** Deletions a crashed run made: they may be in the log already, so they are marked as recovered. */
  recovered(paths: string[]): void {
    for (let i = 0; i < paths.length; i += 1024) {
      const chunk = paths.slice(i, i + 1024);
      this.append('deletion', {
        run: this.plan.runId,
        reason: 'recovered',
        recovered: true,
        count: chunk.length,
        paths: chunk,
      });
    }
  }

  /** Waits for every entry; returns what went wrong, if anything did. */
  async settled(): Promise<string | undefined> {
    await this.appends.idle();
    return this.failure;
  }

  private append(kind: 'deletion' | 'quarantine', data: Record<string, unknown>): void {
    const sink = this.sink;
    if (!sink) return;
    void this.appends.run(() =>
      sink.append(kind, data).catch((err: unknown) => {
        this.failure ??= errorMessage(err);
      }),
    );
  }
}

function tally(into: Tally, items: Array<{ camera: string; bytes: number }>) {
  for (const i of items) {
    const t = into.get(i.camera) ?? { files: 0, bytes: 0 };
    into.set(i.camera, { files: t.files + 1, bytes: t.bytes + i.bytes });
  }
}

export type WorkerJob =
  | { op: 'sweep'; plan: SweepPlan }
  | { op: 'release'; plan: import('./quarantine.js').ReleasePlan };
export type WorkerMessage =
  | { type: 'batch'; batch: BatchReport }
  | { type: 'done'; outcome: unknown }
  | { type: 'failed'; code: string; message: string };

/** Runs a job in the retention worker; batches reach `onBatch` while it runs. */
export function inWorker<T>(
  job: WorkerJob,
  onBatch: (b: BatchReport) => void,
  signal: AbortSignal | undefined,
  script: string | URL = WORKER,
): Promise<T> {
  const abort = new Int32Array(new SharedArrayBuffer(4));
  // a roomy young generation: the walk makes two short-lived Stats objects per file, and scavenges dominated
  const worker = new Worker(script, { workerData: { job, abort }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  const onAbort = () => Atomics.store(abort, 0, 1);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  // a promise settles once: whichever of the result, an error or the exit comes first decides
  return new Promise<T>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'batch') onBatch(m.batch);
      else if (m.type === 'done') resolve(m.outcome as T);
      else reject(new CamwardenError(ErrorCode.Internal, m.message, { errno: m.code }));
    });
    worker.once('error', (err) =>
      reject(new CamwardenError(ErrorCode.Internal, `retention worker: ${errorMessage(err)}`)),
    );
    worker.once('exit', (code) =>
      reject(new CamwardenError(ErrorCode.Internal, `retention worker ended without a result (exit ${code})`)),
    );
  }).finally(() => signal?.removeEventListener('abort', onAbort));
}

async function report(ev: EventSink, r: SweepResult, plan: SweepPlan, log: BatchLog): Promise<void> {
  const now = new Date(plan.now).toISOString();
  const message = `a recording dated after the system clock (${now}): this camera's footage is left alone`;
  const common = { dryRun: r.dryRun, root: r.root, run: r.run };
  const kept = { quarantineDir: plan.quarantineDir, quarantineDays: plan.policy.quarantineDays, now };
  for (const [camera, t] of log.quarantined) {
    await ev.emit('retention.quarantined', { ...common, camera, ...t, ...kept });
  }
  for (const [camera, t] of log.expired) await ev.emit('quarantine.expired', { ...common, camera, ...t, ...kept });
  for (const i of r.implausible) {
    await ev.emit('retention.refused', { ...common, reason: 'future-dated', ...i, message, ...kept });
  }
  if (r.refused) {
    const newestRecording = r.newestRecording ?? null;
    await ev.emit('retention.refused', {
      ...common,
      reason: r.refused,
      now,
      newestRecording,
      message: r.refusedMessage ?? '',
    });
  }
  if (r.shortfall) {
    const limits = { minFreeBytes: plan.minFreeBytes ?? null, quotaBytes: plan.quotaBytes ?? null };
    await ev.emit('retention.shortfall', { ...common, ...r.shortfall, ...limits, emergencyPass: r.emergencyPass });
  }
  const { skipped: _s, errors, recovered, implausible, refusedMessage: _m, shortfall: _f, ...counts } = r;
  await ev.emit('retention.swept', {
    ...counts,
    errors: errors.length,
    implausibleCameras: implausible.length,
    recovered: { deleted: recovered.deleted, bytesFreed: recovered.bytesFreed, quarantined: recovered.quarantined },
  });
}
