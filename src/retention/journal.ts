/**
 * `<dataDir>/retention-journal.jsonl`: intent lines are fsync'd before the unlinks/renames of their batch, done
 * lines after (Moonfire's garbage-row idea). On start, `recover()` resolves intents left by a crash by looking at
 * the disk, counts what a crashed run did but never reported (exactly once), then truncates the journal.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, lstat, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

export type JournalOp = 'delete' | 'quarantine';
export type JournalResult = 'deleted' | 'moved' | 'gone' | 'changed' | 'not-done' | 'error';

export interface JournalIntent {
  seq: number;
  op: JournalOp;
  path: string;
  dest?: string;
  dev: number;
  ino: number;
  size: number;
  /** Bytes the operation frees (0 for a moved file or a name with other hard links). */
  freed: number;
}

export interface Recovery {
  deleted: number;
  bytesFreed: number;
  quarantined: number;
  /** Intents found without completion and resolved by looking at the disk. */
  resolved: number;
  runs: string[];
}

type Line =
  | { t: 'b'; run: string; ts: string }
  | ({ t: 'i'; run: string } & JournalIntent)
  | { t: 'd'; run: string; seq: number; r: JournalResult }
  | { t: 'e'; run: string };

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path, { bigint: false });
  } catch {
    return undefined;
  }
}

export class RetentionJournal {
  private handle: FileHandle | undefined;
  private run = '';

  constructor(readonly path: string) {}

  /** Resolves a crashed run's pending intents and returns what it did; then empties the journal. */
  async recover(): Promise<Recovery> {
    // Pass 1: which runs never ended (memory: one entry per run id, the journal is emptied after every run).
    const seen = new Set<string>();
    const ended = new Set<string>();
    let exists = true;
    try {
      for await (const line of readLines(this.path)) {
        seen.add(line.run);
        if (line.t === 'e') ended.add(line.run);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      exists = false;
    }
    const final: Recovery = { deleted: 0, bytesFreed: 0, quarantined: 0, resolved: 0, runs: [] };
    if (exists) {
      // Second pass only over unended runs keeps the logic simple and the memory bounded by one batch.
      const unended = new Set([...seen].filter((id) => !ended.has(id)));
      if (unended.size > 0) {
        const pending = new Map<string, JournalIntent>();
        for await (const line of readLines(this.path)) {
          if (!unended.has(line.run)) continue;
          if (line.t === 'i') pending.set(`${line.run}/${line.seq}`, line);
          else if (line.t === 'd') {
            const key = `${line.run}/${line.seq}`;
            const intent = pending.get(key);
            pending.delete(key);
            if (intent) this.count(final, intent, line.r);
          }
        }
        await this.openForAppend();
        for (const [key, intent] of pending) {
          const r = await resolveOnDisk(intent);
          this.count(final, intent, r);
          final.resolved++;
          await this.write({ t: 'd', run: key.slice(0, key.lastIndexOf('/')), seq: intent.seq, r });
        }
        await this.handle?.sync();
        final.runs = [...unended];
      }
    }
    await this.truncate();
    return final;
  }

  private count(rec: Recovery, intent: JournalIntent, r: JournalResult): void {
    if (intent.op === 'delete' && r === 'deleted') {
      rec.deleted++;
      rec.bytesFreed += intent.freed;
    } else if (intent.op === 'quarantine' && r === 'moved') rec.quarantined++;
  }

  async begin(run: string): Promise<void> {
    this.run = run;
    await this.openForAppend();
    await this.write({ t: 'b', run, ts: new Date().toISOString() });
    await this.handle?.sync();
  }

  /** Writes and fsyncs intents: only after this may the batch be acted on. */
  async intents(batch: readonly JournalIntent[]): Promise<void> {
    if (batch.length === 0) return;
    await this.writeMany(batch.map((i) => ({ t: 'i', run: this.run, ...i })));
    await this.handle?.sync();
  }

  async done(results: ReadonlyArray<{ seq: number; r: JournalResult }>): Promise<void> {
    if (results.length === 0) return;
    await this.writeMany(results.map(({ seq, r }) => ({ t: 'd', run: this.run, seq, r })));
    await this.handle?.sync();
  }

  /** The run reported its counts: its lines are no longer needed. */
  async end(): Promise<void> {
    await this.write({ t: 'e', run: this.run });
    await this.handle?.sync();
    await this.truncate();
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async openForAppend(): Promise<void> {
    if (this.handle) return;
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a', 0o600);
  }

  private async truncate(): Promise<void> {
    await this.openForAppend();
    await this.handle?.truncate(0);
    await this.handle?.sync();
  }

  private async write(line: Line): Promise<void> {
    await this.writeMany([line]);
  }

  private async writeMany(lines: readonly Line[]): Promise<void> {
    await this.openForAppend();
    await this.handle?.write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  }
}

/** Parsed journal lines; a torn last line from a crash mid-write is ignored (its batch was never acted on). */
async function* readLines(path: string): AsyncGenerator<Line> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const text of lines) {
    try {
      const line = JSON.parse(text) as Line;
      if (line && typeof line === 'object' && typeof line.run === 'string') yield line;
    } catch {
      // torn line
    }
  }
}

/** What happened to an intent whose completion was never written. */
async function resolveOnDisk(intent: JournalIntent): Promise<JournalResult> {
  const src = await lstatOrUndefined(intent.path);
  const same = src !== undefined && src.dev === intent.dev && src.ino === intent.ino;
  // The name no longer refers to the inode: the unlink happened before the crash (the crash ate its done line).
  if (intent.op === 'delete') return same ? 'not-done' : 'deleted';
  if (same) return 'not-done';
  const dst = intent.dest ? await lstatOrUndefined(intent.dest) : undefined;
  return dst !== undefined && dst.ino === intent.ino && dst.dev === intent.dev ? 'moved' : 'gone';
}
