import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { LockFile } from '../util/lock-file.js';
import type { Database, Queryable, Row } from './database.js';

/**
 * One opener per embedded database: PGlite has no server to arbitrate, and two writers would corrupt it. The lock
 * (`<dir>.lock`, util/lock-file.ts) names its holder; a lock whose process is gone (a crash) is taken over.
 */
async function lock(dir: string): Promise<() => Promise<void>> {
  const held = await LockFile.acquire(
    `${dir}.lock`,
    'registry',
    (holder) =>
      new CamwardenError(
        ErrorCode.InvalidConfig,
        `embedded database ${dir} is in use by process ${holder.pid} on ${holder.host}: one registry per data dir (or use PostgreSQL)`,
      ),
  );
  return () => held.release();
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
