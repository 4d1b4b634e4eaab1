// MQTT reporting bench: events/s through a real mosquitto at QoS 1 via the disk outbox, and the replay time
// of 100,000 events queued during an outage. Needs dist/ (npx tsc -p tsconfig.build.json). Prints JSON.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../dist/config/schema.js';
import { MemoryAuditSink } from '../dist/model/audit-sink.js';
import { Outbox } from '../dist/reporting/outbox.js';
import { Reporter } from '../dist/reporting/reporter.js';
import { silentLogger } from '../dist/util/logger.js';
import { freePort, MOSQUITTO_BIN, startMosquitto } from './lib/mosquitto.mjs';

const THROUGHPUT_EVENTS = Number(process.env.BENCH_MQTT_EVENTS ?? 50_000);
const REPLAY_EVENTS = Number(process.env.BENCH_MQTT_REPLAY ?? 100_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function emitMany(outbox, n) {
  // concurrent emitters share fsyncs (group commit), as a busy agent would
  const batch = 2000;
  for (let i = 0; i < n; i += batch) {
    const ps = [];
    for (let j = i; j < Math.min(n, i + batch); j++)
      ps.push(outbox.emit('scan.completed', { n: j, camera: 'cam-0001' }));
    await Promise.all(ps);
  }
}

async function waitDrained(outbox, timeoutMs = 600_000) {
  const end = Date.now() + timeoutMs;
  while (outbox.stats().depth > 0) {
    if (Date.now() > end) throw new Error(`not drained, depth ${outbox.stats().depth}`);
    await sleep(5);
  }
}

function reporterFor(url, dataDir) {
  const config = configSchema.parse({
    site: { id: 'bench', gatewayId: 'gw' },
    dataDir,
    mqtt: { url, maxInflight: 256 },
  });
  const logger = silentLogger();
  const outbox = new Outbox({ dataDir, logger, alarmEvents: 500_000, maxEvents: 2_000_000 });
  const reporter = new Reporter({
    config,
    logger,
    outbox,
    audit: new MemoryAuditSink(),
    version: 'bench',
    backoffBaseMs: 50,
    backoffMaxMs: 200,
  });
  return { reporter, outbox };
}

if (!MOSQUITTO_BIN) {
  console.log(JSON.stringify({ skipped: 'mosquitto not installed' }));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-mqtt-'));
chmodSync(dir, 0o777);
const port = await freePort();
const url = `mqtt://127.0.0.1:${port}`;
let broker = await startMosquitto(port, dir);
const result = { broker: 'mosquitto', qos: 1 };
try {
  // 1. steady state: emit (durable) and drain concurrently
  {
    const { reporter, outbox } = reporterFor(url, join(dir, 'a'));
    await reporter.start();
    while (!reporter.health().connected) await sleep(10);
    const t0 = performance.now();
    await emitMany(outbox, THROUGHPUT_EVENTS);
    const tEmit = performance.now();
    await waitDrained(outbox);
    const t1 = performance.now();
    result.throughput = {
      events: THROUGHPUT_EVENTS,
      seconds: +((t1 - t0) / 1000).toFixed(3),
      eventsPerSecond: Math.round(THROUGHPUT_EVENTS / ((t1 - t0) / 1000)),
      durableEmitsPerSecond: Math.round(THROUGHPUT_EVENTS / ((tEmit - t0) / 1000)),
      goal: 5000,
    };
    await reporter.stop();
  }
  // 2. outage: queue while the broker is down, then time the replay once it is back
  {
    broker.kill('SIGTERM');
    await new Promise((r) => broker.once('exit', r));
    const { reporter, outbox } = reporterFor(url, join(dir, 'b'));
    await reporter.start();
    const q0 = performance.now();
    await emitMany(outbox, REPLAY_EVENTS);
    const queueS = (performance.now() - q0) / 1000;
    broker = await startMosquitto(port, dir);
    const r0 = performance.now();
    await waitDrained(outbox);
    const replayS = (performance.now() - r0) / 1000;
    result.replay = {
      events: REPLAY_EVENTS,
      queueSeconds: +queueS.toFixed(3),
      replaySeconds: +replayS.toFixed(3),
      replayEventsPerSecond: Math.round(REPLAY_EVENTS / replayS),
      note: 'replaySeconds includes the reconnect backoff (<= 200 ms here)',
    };
    await reporter.stop();
  }
  result.rssMb = Math.round(process.memoryUsage().rss / 1e6);
} finally {
  broker.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
