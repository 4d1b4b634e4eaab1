/**
 * `<dataDir>/camwarden.lock`: one writer per data dir. Two agents (or an agent and `camwarden sweep`) on one data
 * dir would fork the audit chain, share an outbox and a retention journal; the second one refuses to start. The
 * file names its holder (pid, the process's start time and the boot, so a pid reused after a crash or a reboot is
 * not mistaken for the holder). A lock left by a process that is gone is taken over.
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CamwardenError, ErrorCode } from '../util/errors.js';

export const LOCK_FILE = 'camwarden.lock';

interface Holder {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22). */
  start: string;
  boot: string;
  host: string;
  what: string;
  since: string;
}

export class DataDirLock {
  private constructor(
    private readonly file: string,
    private readonly me: Holder,
  ) {}

  /** Takes the lock, or throws a CamwardenError naming the holder. */
  static async acquire(dataDir: string, what: string): Promise<DataDirLock> {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, LOCK_FILE);
    const me: Holder = {
      pid: process.pid,
      start: startTime(process.pid) ?? '',
      boot: bootId(),
      host: hostname(),
      what,
      since: new Date().toISOString(),
    };
    const text = `${JSON.stringify(me)}\n`;
    try {
      const fh = await open(file, 'wx', 0o644);
      await fh.writeFile(text).finally(() => fh.close());
      return new DataDirLock(file, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (holder && alive(holder)) throw locked(dataDir, holder);
    // Stale: replace it in one rename, then make sure a concurrent taker did not win the race.
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', 0o644);
    await fh.writeFile(text).finally(() => fh.close());
    await rename(tmp, file);
    const now = await readHolder(file);
    if (now?.pid !== me.pid || now.start !== me.start || now.host !== me.host) {
      throw locked(dataDir, now ?? holder ?? me);
    }
    return new DataDirLock(file, me);
  }

  /** Removes the lock file if it is still ours. */
  async release(): Promise<void> {
    const now = await readHolder(this.file);
    if (now?.pid === this.me.pid && now.start === this.me.start) await unlink(this.file).catch(() => undefined);
  }
}

function locked(dataDir: string, h: Holder): CamwardenError {
  return new CamwardenError(
    ErrorCode.DataDirLocked,
    `${dataDir} is in use by camwarden ${h.what} (pid ${h.pid} on ${h.host}, since ${h.since}); ` +
      `one writer per data dir, a second would fork the audit chain. If that process is gone from another host, ` +
      `remove ${join(dataDir, LOCK_FILE)}.`,
  );
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Holder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined; // missing or torn: nobody holds it
  }
}

/** Whether the recorded holder still runs; a holder on another host is assumed to (fail closed). */
function alive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  if (h.boot !== bootId()) return false;
  const start = startTime(h.pid);
  if (start !== undefined) return start === h.start;
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
