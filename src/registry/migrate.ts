import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../config/load-config.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Database } from './database.js';

/** The checked-in .sql files, shipped with the package next to the code that applies them. */
const MIGRATIONS_DIR = resolve(PACKAGE_ROOT, 'src', 'registry', 'migrations');

const FILE_RE = /^(\d{4})-[a-z0-9-]+\.sql$/;
/** Any constant: registries starting together wait for each other instead of applying a migration twice. */
const MIGRATION_LOCK = 727_170_001;

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => FILE_RE.test(n)).sort();
  const out: Migration[] = [];
  for (const name of names) {
    const version = FILE_RE.exec(name)?.[1] ?? '';
    if (out.some((m) => m.version === version)) {
      throw new CamwardenError(ErrorCode.Internal, `${join(dir, name)}: migration version ${version} used twice`);
    }
    out.push({ version, name, sql: await readFile(join(dir, name), 'utf8') });
  }
  return out;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, in order, in one transaction (PostgreSQL
 * DDL is transactional: a failing file leaves the schema as it was). Returns the names applied.
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const rows = await tx.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    const applied = new Set(rows.map((r) => r.version));
    const known = new Set(all.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      // fail closed: an older registry must not write into a schema it does not understand
      throw new CamwardenError(
        ErrorCode.InvalidConfig,
        `the database has migration(s) ${unknown.join(', ')} that this registry does not know: upgrade camwarden`,
      );
    }
    const done: string[] = [];
    for (const m of all) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(m.name);
    }
    return done;
  });
}
