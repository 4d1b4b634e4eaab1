/**
 * A lock file that names its holder: one process at a time holds it. The holder is recorded with its pid, the
 * process's start time and the boot (a pid reused after a crash or a reboot is not mistaken for the holder) and a
 * token of its own (two holders in one process are told apart). A lock left by a process that is gone is taken over.
 *
 * Races (docs/audit.md): a lock file appears whole or not at all (written aside, synced, then hard-linked into
 * place), so one being created is never read as torn and taken over. A stale lock is replaced in place (rename), and
 * only by the process that holds `<file>.takeover`, created the same way: of several processes that find the same
 * stale lock, one takes it over and the others are refused.
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CamwardenError, ErrorCode } from './errors.js';

/** Attempts when the lock changes hands between two of our steps (released, or a crashed taker's guard removed). */
const ATTEMPTS = 3;

export interface LockHolder {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22); '' when unknown. */
  start: string;
  boot: string;
  host: string;
  what: string;
  since: string;
  /** Tells two holders apart whatever else they share. */
  token: string;
}

export class LockFile {
  private constructor(
    private readonly file: string,
    /** The lock file's text as we wrote it: ours while the file still reads so. */
    private readonly text: string,
  ) {}

  /** Takes the lock as `what`, or throws what `refuse` makes of the holder. */
  static async acquire(file: string, what: string, refuse: (holder: LockHolder) => CamwardenError): Promise<LockFile> {
    mkdirSync(dirname(file), { recursive: true });
    const guard = `${file}.takeover`;
    const me: LockHolder = {
      pid: process.pid,
      start: startTime(process.pid) ?? '',
      boot: bootId(),
      host: hostname(),
      what,
      since: new Date().toISOString(),
      token: randomUUID(),
    };
    const text = `${JSON.stringify(me)}\n`;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await createWhole(file, text, me.token)) return new LockFile(file, text);
      const seen = await readIfThere(file);
      if (seen === undefined) continue; // released in between
      const holder = parseHolder(seen);
      if (holder && alive(holder)) throw refuse(holder);
      // Stale: its holder is gone, or the file names none (damaged). Only the holder of the takeover guard replaces it.
      if (!(await createWhole(guard, text, me.token))) {
        const other = await readIfThere(guard);
        if (other === undefined) continue;
        const taker = parseHolder(other);
        if (taker && alive(taker)) throw refuse(taker);
        await unlinkIfStill(guard, other); // left by a taker that crashed
        continue;
      }
      try {
        if ((await readIfThere(file)) !== seen) continue; // released or replaced meanwhile: judge again
        await replaceWhole(file, text, me.token);
        return new LockFile(file, text);
      } finally {
        await unlinkIfStill(guard, text);
      }
    }
    const now = await readIfThere(file);
    throw refuse((now === undefined ? undefined : parseHolder(now)) ?? me);
  }

  /** Removes the lock file if it is still ours. */
  async release(): Promise<void> {
    await unlinkIfStill(this.file, this.text);
  }
}

/** A draft of `file` with `text`, written and synced beside it. */
async function draft(file: string, text: string, token: string): Promise<string> {
  const path = `${file}.${token}.new`;
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return path;
}

/** Creates `file` with `text`, whole: a draft hard-linked into place, which fails when the file exists. */
async function createWhole(file: string, text: string, token: string): Promise<boolean> {
  const path = await draft(file, text, token);
  try {
    await link(path, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new CamwardenError(
      ErrorCode.Internal,
      `cannot create ${file} (${code ?? String(err)}): the data dir's file system must support hard links`,
    );
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

/** Replaces `file` with `text` in one step: there is never a moment without a lock file. */
async function replaceWhole(file: string, text: string, token: string): Promise<void> {
  await rename(await draft(file, text, token), file);
}

/**
 * Unlinks `file` if it still reads `text`. Not atomic: only for a file nobody else may change in between (our own
 * lock or guard, or the guard of a taker that crashed).
 */
async function unlinkIfStill(file: string, text: string): Promise<void> {
  if ((await readIfThere(file)) === text) await unlink(file).catch(() => undefined);
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The holder a lock file names; undefined for a file that names none (damaged), which nobody holds. A bare pid (the
 * registry's lock before this format) names a holder on this host whose start is unknown, unless it is ours.
 */
function parseHolder(text: string): LockHolder | undefined {
  if (/^\d+\n?$/.test(text)) {
    // Our own pid there is a previous process that had it (pids repeat, e.g. in containers): we write no bare pids.
    if (Number(text) === process.pid) return undefined;
    return { pid: Number(text), start: '', boot: bootId(), host: hostname(), what: 'registry', since: '?', token: '' };
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h === 'object' && h !== null && typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the recorded holder still runs; a holder on another host is assumed to (fail closed). */
function alive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.boot !== bootId()) return false;
  const start = startTime(h.pid);
  if (start !== undefined && h.start !== '') return start === h.start;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces and parentheses: count fields after its closing one
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}
