import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/registry/database.js';
import { openEmbedded } from '../../src/registry/embedded-database.js';
import { openPostgres } from '../../src/registry/postgres-database.js';
import { embeddedDatabaseDir } from '../../src/registry/registry.js';
import { startBroker, type TestBroker } from '../helpers/brokers.js';
import { collectOutput } from '../helpers/child-output.js';
import { ensureDist } from '../helpers/dist.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { event } from './payloads.js';
import { registrySetups } from './setups.js';

/**
 * A registry killed mid-ingest (SIGKILL, no chance to drain) loses nothing: it acknowledges a message to the
 * broker only once it is committed, so the broker delivers the rest again to its persistent session, and
 * events de-duplicate on id. The registry runs as an operator runs it: the built CLI in a child process.
 */
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const setups = registrySetups;

const EVENTS = 4000;
const BOOT = 'crashboot';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface RunningRegistry {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});

async function startRegistry(env: Record<string, string>): Promise<RunningRegistry> {
  const child = spawn(process.execPath, [cli, 'registry', '--listen', '127.0.0.1:0'], {
    env: { PATH: process.env.PATH ?? '', CAMWARDEN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const output = collectOutput(child);
  const url = await waitFor(
    'the registry to print its URL',
    async () => {
      if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}: ${output.stderr()}`);
      return /fleet page (http:\/\/\S+)/.exec(output.stdout())?.[1];
    },
    60_000,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}; stderr: ${output.stderr().slice(-2000)}`);
  });
  await waitFor('the registry connected to the broker', async () =>
    (await fetch(new URL('/healthz', url))).status === 200 ? true : undefined,
  );
  return { child, url, exited };
}

async function ingestStored(url: string): Promise<number | undefined> {
  const res = await fetch(new URL('/api/rejects', url));
  const body = (await res.json()) as { ingest: { stored: number } };
  return body.ingest.stored;
}

describe.each(setups)('registry killed mid-ingest ($store database, $broker broker)', ({ store, broker: kind }) => {
  let broker: TestBroker;
  let pgdb: TestDatabase | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cw-reg-crash-'));

  beforeAll(async () => {
    ensureDist();
    broker = await startBroker(kind);
    if (store === 'postgres') pgdb = await createTestDatabase('crash');
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
    await pgdb?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('stores every event exactly once after a SIGKILL and a restart', async () => {
    const configFile = join(work, 'camwarden.yaml');
    // a fixed client id: the restarted registry resumes the session the broker kept for the killed one
    writeFileSync(configFile, `registry:\n  clientId: crash-${store}-${kind}-${process.pid}\n`);
    const env: Record<string, string> = {
      CAMWARDEN_CONFIG: configFile,
      CAMWARDEN_DATA_DIR: work,
      CAMWARDEN_MQTT_URL: broker.url,
      ...(pgdb ? { CAMWARDEN_REGISTRY_DATABASE_URL: pgdb.url } : {}),
    };
    const first = await startRegistry(env);

    const gateway = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: `gw-${process.pid}` });
    const publish = (seq: number) =>
      gateway.publishAsync('camwarden/s1/gw1/events', JSON.stringify(event(BOOT, seq, 'scan.completed')), { qos: 1 });
    try {
      // the subscription is in place once a first event is stored
      await publish(1);
      await waitFor('the first event stored', async () => ((await ingestStored(first.url)) ?? 0) >= 1 || undefined);

      const published = Promise.all(Array.from({ length: EVENTS - 1 }, (_, i) => publish(i + 2)));
      // mid-ingest: some stored, most still on their way
      await waitFor('part of the burst stored', async () => {
        const stored = (await ingestStored(first.url)) ?? 0;
        return stored > 50 ? stored : undefined;
      });
      first.child.kill('SIGKILL');
      await first.exited;
      // every event reached the broker: from here on, only the broker has what the registry had not stored
      await published;

      const second = await startRegistry(env);
      // the restarted registry sees the newest event and no gap behind it
      await waitFor('every event stored again', async () => {
        const res = await fetch(new URL('/api/events?limit=1', second.url));
        const body = (await res.json()) as { events: Array<{ seq: number }>; gaps: unknown[] };
        return body.events[0]?.seq === EVENTS && body.gaps.length === 0 ? true : undefined;
      });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await gateway.endAsync();
    }

    const db: Database = pgdb ? await openPostgres(pgdb.url) : await openEmbedded(embeddedDatabaseDir(work));
    try {
      const rows = await db.query<{ id: string; seq: unknown }>(
        "SELECT id, seq::float8 AS seq FROM events WHERE site = 's1' AND gateway = 'gw1' ORDER BY seq",
      );
      const ids = rows.map((r) => r.id);
      const stored = new Set(ids);
      expect(stored.size).toBe(ids.length);
      const missing = Array.from({ length: EVENTS }, (_, i) => `${BOOT}-${i + 1}`).filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      expect(ids).toHaveLength(EVENTS);
      const gaps = await db.query('SELECT * FROM event_gaps');
      expect(gaps).toEqual([]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
