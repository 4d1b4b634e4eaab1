/**
 * `<dataDir>/retention-journal.jsonl`: what a sweep is about to do is written and fsync'd, one line per batch,
 * before anything of that batch is deleted or moved (Moonfire NVR's garbage rows); the outcomes follow. The
 * journal is emptied once the run's audit entries are on disk. When a run never got there (crash, SIGKILL), the
 * next one finds out from the disk which of its intents happened (`recoverJournal`).
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { writeAllSync } from '../util/write-all.js';

export type JournalResult = 'deleted' | 'moved' | 'gone' | 'changed' | 'not-done' | 'error';

export interface JournalIntent {
  op: 'delete' | 'quarantine';
  /** Absolute path at decision time (recovery only looks at it, never acts on it). */
  path: string;
  dest?: string;
  dev: number;
  ino: number;
  size: number;
  /** Bytes it frees: 0 for a move, or for a name with other hard links. */
  freed: number;
}

type Line =
  | { t: 'i'; run: string; batch: number; ops: readonly JournalIntent[] }
  | { t: 'd'; run: string; batch: number; results: JournalResult[] };

/** What crashed runs did; `paths`: what they deleted, for the audit log (which may lack it). */
export type Recovery = { deleted: number; bytesFreed: number; quarantined: number; paths: string[] };

export class RetentionJournal {
  private fd: number | undefined;
  private batches = 0;

  constructor(
    readonly path: string,
    private readonly run: string,
  ) {}

  /** Writes and fsyncs a batch's intents (their JournalIntent fields): only then may it be acted on. */
  intents(ops: readonly JournalIntent[]): number {
    const batch = this.batches++;
    // written by hand: the walk's items carry more than the intent, and JSON.stringify with a key list is slow
    const json = ops.map(
      (o) =>
        `{"op":"${o.op}","path":${JSON.stringify(o.path)}${o.dest === undefined ? '' : `,"dest":${JSON.stringify(o.dest)}`},"dev":${o.dev},"ino":${o.ino},"size":${o.size},"freed":${o.freed}}`,
    );
    this.append(`{"t":"i","run":"${this.run}","batch":${batch},"ops":[${json.join(',')}]}`, true);
    return batch;
  }

  /** Outcomes need no fsync of their own: without them, recovery looks at the disk. */
  done(batch: number, results: JournalResult[]): void {
    this.append(JSON.stringify({ t: 'd', run: this.run, batch, results }), false);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: string, sync: boolean): void {
    if (this.fd === undefined) {
      fs.mkdirSync(dirname(this.path), { recursive: true });
      this.fd = fs.openSync(this.path, 'a', 0o600);
    }
    // the whole line: a batch is never acted on behind an intent line recovery cannot read
    writeAllSync(this.fd, `${line}\n`, this.path);
    if (sync) fs.fsyncSync(this.fd);
  }
}

/** Empties the journal: all of it is accounted for in the audit log. */
export function clearJournal(path: string): void {
  if (fs.existsSync(path)) fs.writeFileSync(path, '', { flush: true });
}

/** What the runs still in the journal did, from their outcomes or, where those are missing, from the disk. */
export function recoverJournal(path: string): Recovery {
  const out: Recovery = { deleted: 0, bytesFreed: 0, quarantined: 0, paths: [] };
  let text = '';
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const intents = new Map<string, readonly JournalIntent[]>();
  const results = new Map<string, JournalResult[]>();
  for (const raw of text.split('\n')) {
    const line = parseLine(raw); // a torn last line is skipped: its batch was never acted on
    if (line?.t === 'i') intents.set(`${line.run}/${line.batch}`, line.ops);
    if (line?.t === 'd') results.set(`${line.run}/${line.batch}`, line.results);
  }
  for (const [key, ops] of intents) {
    ops.forEach((op, i) => {
      const r = results.get(key)?.[i] ?? resolveOnDisk(op);
      if (op.op === 'quarantine' && r === 'moved') out.quarantined++;
      if (op.op !== 'delete' || r !== 'deleted') return;
      out.deleted++;
      out.bytesFreed += op.freed;
      out.paths.push(op.path);
    });
  }
  return out;
}

function parseLine(raw: string): Line | undefined {
  try {
    const line = JSON.parse(raw) as Line;
    return typeof line?.run === 'string' ? line : undefined;
  } catch {
    return undefined;
  }
}

function isInode(path: string | undefined, op: JournalIntent): boolean {
  try {
    const st = path === undefined ? undefined : fs.lstatSync(path);
    return st?.dev === op.dev && st.ino === op.ino;
  } catch {
    return false;
  }
}

/** An intent without an outcome: if the name no longer refers to the inode, it happened before the crash. */
function resolveOnDisk(op: JournalIntent): JournalResult {
  if (isInode(op.path, op)) return 'not-done';
  if (op.op === 'delete') return 'deleted';
  return isInode(op.dest, op) ? 'moved' : 'gone';
}
