/**
 * `<dataDir>/camwarden.lock`: one writer per data dir. Two agents (or an agent and `camwarden sweep`) on one data
 * dir would fork the audit chain, share an outbox and a retention journal; the second one refuses to start, naming
 * the holder. How the lock is taken, and taken over from a process that is gone: util/lock-file.ts.
 */

import { join } from 'node:path';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { LockFile, type LockHolder } from '../util/lock-file.js';

export const LOCK_FILE = 'camwarden.lock';

export class DataDirLock {
  private constructor(private readonly lock: LockFile) {}

  /** Takes the lock, or throws a CamwardenError naming the holder. */
  static async acquire(dataDir: string, what: string): Promise<DataDirLock> {
    return new DataDirLock(await LockFile.acquire(join(dataDir, LOCK_FILE), what, (h) => locked(dataDir, h)));
  }

  /** Removes the lock file if it is still ours. */
  release(): Promise<void> {
    return this.lock.release();
  }
}

function locked(dataDir: string, h: LockHolder): CamwardenError {
  return new CamwardenError(
    ErrorCode.DataDirLocked,
    `${dataDir} is in use by camwarden ${h.what} (pid ${h.pid} on ${h.host}, since ${h.since}); ` +
      `one writer per data dir, a second would fork the audit chain. If that process is gone from another host, ` +
      `remove ${join(dataDir, LOCK_FILE)}.`,
  );
}
