import pg from 'pg';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { type Database, type Queryable, type Row, redactUrl } from './database.js';

/** PostgreSQL through a small `pg` pool: several registries (shared subscription) may write at once. */
export async function openPostgres(url: string, opts: { poolSize?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 4, application_name: 'camwarden-registry' });
  // an idle client losing its connection must not crash the process; the pool replaces it
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new CamwardenError(ErrorCode.Unreachable, `database ${redactUrl(url)}: ${errorMessage(err)}`, undefined, {
      cause: err,
    });
  }
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
