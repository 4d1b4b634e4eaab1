import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Database, Queryable, Row } from './database.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Embedded databases this process has open (a pid in a lock file may also be a previous life of ours). */
const heldHere = new Set<string>();

/**
 * One opener per embedded database: PGlite has no server to arbitrate, and two writers would corrupt it. The
 * lock file holds the owner's pid; a lock whose process is gone (a crash) is taken over.
 */
async function lock(dir: string): Promise<() => Promise<void>> {
  const file = `${dir}.lock`;
  if (heldHere.has(file)) {
    throw new CamwardenError(ErrorCode.InvalidConfig, `embedded database ${dir} is in use by process ${process.pid}`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      heldHere.add(file);
      return async () => {
        heldHere.delete(file);
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      // our own pid here is a previous process that had it (pids repeat, e.g. in containers)
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new CamwardenError(
          ErrorCode.InvalidConfig,
          `embedded database ${dir} is in use by process ${owner}: one registry per data dir (or use PostgreSQL)`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new CamwardenError(ErrorCode.Internal, `embedded database ${dir}: could not take its lock`);
}

/** PGlite (PostgreSQL compiled to WebAssembly) persisted in `dir`: one process, no server to run. */
export async function openEmbedded(dir: string): Promise<Database> {
  await mkdir(dir, { recursive: true });
  const unlock = await lock(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (err) {
    await unlock();
    throw err;
  }
  const on = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await q.query<T>(sql, params as unknown[])).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'embedded',
    ...on(db),
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    close: async () => {
      await db.close();
      await unlock();
    },
  };
}
