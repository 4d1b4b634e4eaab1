// Registry ingest bench: a gateway replays 100,000 events through a real mosquitto at QoS 1; the registry stores
// them in PostgreSQL and in its embedded database (PGlite). Reports events/s (first publish to last row committed)
// and the end-to-end lag of each event (publish to its row being visible, i.e. committed). The replaying gateway
// runs in a worker thread (its own event loop, the same clock). Needs dist/ and mosquitto; PostgreSQL at
// CAMWARDEN_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) or that part is skipped.
// Prints one JSON line last.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { configSchema } from '../dist/config/schema.js';
import { Registry } from '../dist/registry/registry.js';
import { silentLogger } from '../dist/util/logger.js';
import { freePort, MOSQUITTO_BIN, startMosquitto } from './lib/mosquitto.mjs';

const EVENTS = Number(process.env.BENCH_REGISTRY_EVENTS ?? 100_000);
const ADMIN_URL = process.env.CAMWARDEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// Lag in normal operation: a gateway publishing 1,000 events/s for 5 s (the replay's lag is mostly its backlog).
const STEADY = { events: 5000, ratePerS: 1000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The replaying gateway: the agent's event envelope, QoS 1, up to 256 in flight (the agent's outbox drain).
const REPLAYER = `
const { parentPort, workerData } = require('node:worker_threads');
const mqtt = require(workerData.mqttPath);
const { url, events, bootId, ratePerS } = workerData;
const client = mqtt.connect(url, { protocolVersion: 5, clientId: 'bench-gateway', clean: true, reconnectPeriod: 0 });
client.on('connect', async () => {
  const sentAt = new Float64Array(events);
  const happened = Date.now() - 3600_000;
  let next = 0;
  const inflight = 256;
  const start = Date.now();
  async function lane() {
    while (next < events) {
      const i = next++;
      const seq = i + 1;
      // paced: event i leaves at start + i/rate (a gateway in normal operation); else as fast as it can (a replay)
      const due = ratePerS ? start + (i * 1000) / ratePerS : 0;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const ev = { id: bootId + '-' + seq, bootId, seq, ts: new Date(happened + i).toISOString(),
        type: 'scan.completed', replayed: true, cameras: 12, errors: 0 };
      sentAt[i] = performance.timeOrigin + performance.now();
      await client.publishAsync('camwarden/bench-site/bench-gw/events', JSON.stringify(ev), { qos: 1 });
    }
  }
  await Promise.all(Array.from({ length: inflight }, lane));
  await client.endAsync();
  parentPort.postMessage(sentAt, [sentAt.buffer]);
});
`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runOnce(store, brokerUrl, databaseUrl, { events = EVENTS, ratePerS } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `cw-bench-reg-${store}-`));
  const config = configSchema.parse({
    site: { id: 'central', gatewayId: 'registry' },
    dataDir,
    mqtt: { url: brokerUrl },
    registry: { listen: '127.0.0.1:0', clientId: `bench-registry-${store}`, ...(databaseUrl ? { databaseUrl } : {}) },
  });
  const registry = new Registry({ config, logger: silentLogger() });
  await registry.start();
  while (!registry.isConnected()) await sleep(20);
  await sleep(300); // the subscription is in place
  const bootId = `bench-boot-${store}-${ratePerS ?? 'replay'}`;
  const committedAt = new Map();
  let stored = 0;
  let lastCommit = 0;
  const progress = setInterval(
    () => process.stderr.write(`  ${store}: stored ${stored} ${JSON.stringify(registry.rejects.snapshot())}\n`),
    2000,
  );
  const done = new Promise((resolve) => {
    registry.onCommit((s) => {
      const now = performance.timeOrigin + performance.now();
      for (const id of s.eventIds) committedAt.set(id, now);
      stored += s.eventIds.length;
      lastCommit = now;
      if (stored >= events) resolve();
    });
  });
  const worker = new Worker(REPLAYER, {
    eval: true,
    workerData: {
      url: brokerUrl,
      events,
      bootId,
      ratePerS,
      mqttPath: new URL('../node_modules/mqtt/build/index.js', import.meta.url).pathname,
    },
  });
  const sentP = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let timer;
  await Promise.race([
    done,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${store}: only ${stored} of ${events} stored after 15 min`)),
        15 * 60_000,
      );
    }),
    new Promise((_, reject) =>
      worker.once('exit', (code) => code !== 0 && reject(new Error(`replayer exited ${code}`))),
    ),
  ]);
  clearTimeout(timer);
  clearInterval(progress);
  const sentAt = await sentP;
  await worker.terminate();
  const firstSend = sentAt.reduce((m, t) => Math.min(m, t), Number.POSITIVE_INFINITY);
  const lags = [];
  for (let i = 0; i < events; i++) {
    const c = committedAt.get(`${bootId}-${i + 1}`);
    if (c !== undefined) lags.push(c - sentAt[i]);
  }
  lags.sort((a, b) => a - b);
  const [{ n, gaps }] = await registry.database.query(
    `SELECT (SELECT count(*)::int FROM events WHERE boot_id = $1) AS n,
            (SELECT count(*)::int FROM event_gaps WHERE boot_id = $1) AS gaps`,
    [bootId],
  );
  const seconds = (lastCommit - firstSend) / 1000;
  const stats = registry.rejects.total();
  await registry.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    events,
    ...(ratePerS ? { publishedPerSecond: ratePerS } : {}),
    rowsStored: n,
    gaps,
    refused: stats,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(events / seconds),
    lagMs: {
      p50: Math.round(percentile(lags, 50)),
      p95: Math.round(percentile(lags, 95)),
      p99: Math.round(percentile(lags, 99)),
      max: Math.round(lags.at(-1) ?? 0),
    },
  };
}

async function createBenchDatabase() {
  const name = `cw_bench_registry_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

if (!MOSQUITTO_BIN) {
  console.log(JSON.stringify({ skipped: 'mosquitto not installed' }));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-reg-mosq-'));
chmodSync(dir, 0o777); // mosquitto runs as its own user
const port = await freePort();
const broker = await startMosquitto(port, dir);
const brokerUrl = `mqtt://127.0.0.1:${port}`;
const result = { loadavgBefore: loadavg().map((l) => Number(l.toFixed(2))) };
try {
  const db = await createBenchDatabase();
  if (db) {
    try {
      result.postgres = await runOnce('postgres', brokerUrl, db.url);
      console.error(`postgres: ${JSON.stringify(result.postgres)}`);
      result.postgresSteady = await runOnce('postgres', brokerUrl, db.url, STEADY);
      console.error(`postgres, steady: ${JSON.stringify(result.postgresSteady)}`);
    } finally {
      await db.drop();
    }
  } else {
    result.postgres = { skipped: `no PostgreSQL at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')}` };
  }
  result.embedded = await runOnce('embedded', brokerUrl);
  console.error(`embedded: ${JSON.stringify(result.embedded)}`);
  result.embeddedSteady = await runOnce('embedded', brokerUrl, undefined, STEADY);
  console.error(`embedded, steady: ${JSON.stringify(result.embeddedSteady)}`);
} finally {
  broker.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
result.loadavgAfter = loadavg().map((l) => Number(l.toFixed(2)));
result.targetPostgresEventsPerSecond = 5000;
result.meetsTarget = typeof result.postgres?.eventsPerSecond === 'number' && result.postgres.eventsPerSecond >= 5000;
console.log(JSON.stringify(result));
