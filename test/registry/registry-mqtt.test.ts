import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Config, configSchema } from '../../src/config/schema.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import type { CameraRecord, ScanResult } from '../../src/model/camera-records.js';
import { Registry } from '../../src/registry/registry.js';
import { Outbox } from '../../src/reporting/outbox.js';
import { Reporter } from '../../src/reporting/reporter.js';
import { cameraRecordSchema } from '../../src/reporting/schemas/index.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';
import { freePort, startBroker, type TestBroker } from '../helpers/brokers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { cameraRecord, event } from './payloads.js';
import { hasMosquitto, hasPostgres, registrySetups } from './setups.js';

/**
 * `camwarden registry` end to end: the agent's own Reporter publishes through a real broker (mosquitto, and the
 * embedded aedes), the registry stores into PGlite or a real PostgreSQL, and the HTTP API is read back.
 */
const setups = registrySetups;

const logger = () => (process.env.CW_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function getJson<T = unknown>(base: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, base));
  return { status: res.status, body: (await res.json()) as T };
}

function scanOf(cameras: CameraRecord[]): ScanResult {
  return { site: 's1', gateway: 'gw1', scannedAt: new Date().toISOString(), policyRevision: 'r1', cameras, errors: [] };
}

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cw-reg-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const stoppers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
});

function registryConfig(url: string, dataDir: string, registry: Record<string, unknown>): Config {
  return configSchema.parse({
    site: { id: 'central', gatewayId: 'registry' },
    dataDir,
    mqtt: { url },
    registry: { listen: '127.0.0.1:0', ...registry },
  });
}

async function startRegistry(config: Config): Promise<Registry> {
  const r = new Registry({ config, logger: logger(), backoffBaseMs: 50, ingest: { lingerMs: 5 } });
  await r.start();
  stoppers.push(() => r.stop());
  await waitFor('registry connected', async () => (r.isConnected() ? true : undefined));
  return r;
}

async function startReporter(url: string, site = 's1', gateway = 'gw1') {
  const dataDir = tmp();
  const config = configSchema.parse({ site: { id: site, gatewayId: gateway }, dataDir, mqtt: { url } });
  const outbox = new Outbox({ dataDir, logger: logger(), alarmEvents: 500_000, maxEvents: 2_000_000 });
  const reporter = new Reporter({
    config,
    logger: logger(),
    outbox,
    audit: new MemoryAuditSink(),
    version: 't',
    backoffBaseMs: 50,
    backoffMaxMs: 300,
  });
  await reporter.start();
  stoppers.push(() => reporter.stop());
  return { reporter, outbox };
}

async function rawClient(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, ...opts });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  stoppers.push(() => c.endAsync(true));
  return c;
}

/**
 * A TCP proxy between the registry and the broker. `freeze()` drops what the registry sends from then on (its
 * PUBACKs never arrive), `cut()` closes every connection, so the broker delivers again what it sent unacknowledged.
 * `received(text)` resolves once `text` went from the broker to the registry on a connection opened after cut().
 */
async function startProxy(brokerUrl: string) {
  const target = new URL(brokerUrl);
  const sockets = new Set<Socket>();
  let frozen = false;
  let generation = 0;
  let seen = '';
  const watchers: Array<{ text: string; resolve: () => void }> = [];
  const server = createServer((client) => {
    const gen = generation;
    const upstream = createConnection(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (gen === 0) return;
      seen += chunk.toString('latin1');
      for (const w of watchers.splice(0)) {
        if (seen.includes(w.text)) w.resolve();
        else watchers.push(w);
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxy = {
    url: `mqtt://127.0.0.1:${port}`,
    freeze: () => {
      frozen = true;
    },
    cut: () => {
      generation++;
      frozen = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    received: (text: string) =>
      new Promise<void>((resolve) => {
        if (seen.includes(text)) resolve();
        else watchers.push({ text, resolve });
      }),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  stoppers.push(proxy.close);
  return proxy;
}

function signedRequest(transaction: string) {
  return JSON.stringify({
    transaction,
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
    keyId: '0123456789abcdef',
    args: { dryRun: true },
    signature: 'c2ln',
  });
}

describe.each(setups)('registry ($store database, $broker broker)', ({ store, broker: brokerKind }) => {
  let broker: TestBroker;
  let pgdb: TestDatabase | undefined;
  let dataDir: string;
  const registry: Record<string, unknown> = {};

  beforeAll(async () => {
    broker = await startBroker(brokerKind);
    dataDir = tmp();
    if (store === 'postgres') {
      pgdb = await createTestDatabase('mqtt');
      registry.databaseUrl = pgdb.url;
    }
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
    await pgdb?.drop();
  });

  it('stores what an agent publishes and serves sites, gateways, cameras and events in the shapes of docs/registry.md', async () => {
    const reg = await startRegistry(registryConfig(broker.url, dataDir, registry));
    const { reporter, outbox } = await startReporter(broker.url);
    reporter.setPolicyRevision('r1');
    await reporter.updateInventory(
      scanOf([cameraRecord('cam-toilet', 'block', 'toilet'), cameraRecord('cam-lobby', 'allow', 'public-other')]),
      { unit: 'Example Retail Co.', location: 'Hangzhou', retentionDays: 30 },
    );
    await outbox.emit('scan.completed', { cameras: 2, errors: 0, policyRevision: 'r1' });

    const blocked = await waitFor('blocked camera', async () => {
      const { body } = await getJson<Array<Record<string, unknown>>>(reg.url, '/api/cameras?action=block');
      return body.length > 0 ? body : undefined;
    });
    expect(blocked).toHaveLength(1);
    const cam = blocked[0] ?? {};
    // a camera record (docs/scan-json.md) with every field present, plus site, gateway, lastSeen
    for (const key of Object.keys(cameraRecordSchema.shape)) expect(cam, key).toHaveProperty(key);
    expect(cam).toMatchObject({
      id: 'cam-toilet',
      site: 's1',
      gateway: 'gw1',
      decision: { action: 'block', reasons: [{ article: 'Article 8', message: 'toilet camera' }] },
      location: { zone: 'toilet' },
      serial: null,
    });
    expect(Date.parse(String(cam.lastSeen))).not.toBeNaN();
    expect((await getJson<unknown[]>(reg.url, '/api/cameras?site=s1&zone=public-other')).body).toHaveLength(1);
    expect((await getJson<unknown[]>(reg.url, '/api/cameras?gateway=nope')).body).toEqual([]);

    const sites = await waitFor('site counts', async () => {
      const { body } = await getJson<Array<Record<string, unknown>>>(reg.url, '/api/sites');
      return (body[0]?.cameras as { total?: number } | undefined)?.total === 2 ? body : undefined;
    });
    expect(sites).toEqual([
      { site: 's1', gateways: 1, cameras: { total: 2, allow: 1, flag: 0, block: 1 }, lastSeen: expect.any(String) },
    ]);

    const gateways = await waitFor('gateway status', async () => {
      const { body } = await getJson<Array<Record<string, unknown>>>(reg.url, '/api/gateways');
      return body[0]?.state === 'online' ? body : undefined;
    });
    expect(gateways[0]).toMatchObject({
      site: 's1',
      gateway: 'gw1',
      state: 'online',
      bootId: outbox.bootId,
      version: 't',
      policyRevision: 'r1',
      outbox: { depth: expect.any(Number), oldestAgeS: expect.any(Number) },
    });
    expect(Date.parse(String(gateways[0]?.lastSeen))).not.toBeNaN();

    const events = await waitFor('events', async () => {
      const { body } = await getJson<{ events: Array<Record<string, unknown>>; gaps: unknown[] }>(
        reg.url,
        '/api/events?site=s1',
      );
      return body.events.length >= 3 ? body : undefined;
    });
    expect(events.gaps).toEqual([]);
    expect(events.events.map((e) => e.seq)).toEqual([3, 2, 1]); // newest first
    expect(events.events[0]).toMatchObject({
      type: 'scan.completed',
      bootId: outbox.bootId,
      site: 's1',
      gateway: 'gw1',
    });
    const added = await getJson<{ events: unknown[] }>(reg.url, '/api/events?type=camera.added&limit=1');
    expect(added.body.events).toHaveLength(1);
    expect((await getJson(reg.url, '/api/events?limit=0')).status).toBe(400);
    expect((await getJson(reg.url, '/api/events?since=yesterday')).status).toBe(400);
    expect((await getJson(reg.url, '/api/cameras?action=maybe')).status).toBe(400);

    await reporter.stop();
    await waitFor('stopped', async () => {
      const { body } = await getJson<Array<Record<string, unknown>>>(reg.url, '/api/gateways');
      return body[0]?.state === 'stopped' ? true : undefined;
    });
  }, 90_000);

  it('marks a gateway offline from its last will', async () => {
    const reg = await startRegistry(registryConfig(broker.url, dataDir, registry));
    const topic = 'camwarden/s2/gw9/status';
    const gw = await rawClient(broker.url, {
      clientId: `lwt-${process.pid}-${brokerKind}`,
      will: {
        topic,
        payload: Buffer.from(JSON.stringify({ state: 'offline', bootId: 'boot-9' })),
        qos: 1,
        retain: true,
      },
    });
    const online = {
      state: 'online',
      bootId: 'boot-9',
      ts: new Date().toISOString(),
      version: '1',
      policyRevision: 'p',
      cameras: { total: 0, allow: 0, flag: 0, block: 0 },
      outbox: { depth: 0, oldestAgeS: 0 },
    };
    await gw.publishAsync(topic, JSON.stringify(online), { qos: 1, retain: true });
    const state = async () =>
      (await getJson<Array<{ gateway: string; state: string }>>(reg.url, '/api/gateways?site=s2')).body[0]?.state;
    await waitFor('online', async () => ((await state()) === 'online' ? true : undefined));
    gw.stream.destroy(); // vanishes without DISCONNECT: the broker publishes the will
    await waitFor('offline', async () => ((await state()) === 'offline' ? true : undefined));
  }, 90_000);

  it('counts bad input per reason, stores none of it, and keeps ingesting', async () => {
    const reg = await startRegistry(registryConfig(broker.url, dataDir, { ...registry, maxMessageBytes: 65_536 }));
    const c = await rawClient(broker.url);
    const ev = (id: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        id,
        bootId: 'boot-bad',
        seq: 1,
        ts: new Date().toISOString(),
        type: 'scan.completed',
        ...extra,
      });
    const bad: Array<[string, string | Buffer]> = [
      ['camwarden/s3/gw1/events', '{"id": "unterminated'],
      ['camwarden/s3/gw1/bogus', '{}'],
      ['camwarden/s3/gw1/events', Buffer.alloc(100_000, 0x20)],
      ["camwarden/s3/gw1/cameras/x';DROP TABLE cameras;--", '{}'],
      ["camwarden/s3'--/gw1/status", '{}'],
      ['camwarden/s3/gw1/events', ev("1'; DROP TABLE events; --")],
      ['camwarden/s3/gw1/status', JSON.stringify({ state: 'online' })],
      ['camwarden/s3/gw1/events', ev('nul-1', { note: 'a\u0000b' })],
      ['camwarden/s3/gw1/inventory', ''],
    ];
    for (const [topic, payload] of bad) await c.publishAsync(topic, payload, { qos: 1 });
    await c.publishAsync('camwarden/s3/gw1/events', ev('boot-bad-1'), { qos: 1 });
    const stored = await waitFor('the good event', async () => {
      const { body } = await getJson<{ events: Array<{ id: string }> }>(reg.url, '/api/events?site=s3');
      return body.events.length > 0 ? body.events : undefined;
    });
    expect(stored.map((e) => e.id)).toEqual(['boot-bad-1']);
    const { body } = await getJson<{ rejects: Record<string, number> }>(reg.url, '/api/rejects');
    expect(body.rejects).toEqual({
      'empty-payload': 1,
      'invalid-event': 1,
      'invalid-status': 1,
      'invalid-topic-id': 2,
      'malformed-json': 1,
      'too-large': 1,
      'unknown-topic': 1,
      'unstorable-text': 1,
    });
    const metrics = await (await fetch(new URL('/metrics', reg.url))).text();
    expect(metrics).toMatch(/^camwarden_registry_rejected_invalid_topic_id 2$/m);
    // nothing was dropped: the tables are all there and hold the earlier data
    expect((await getJson<unknown[]>(reg.url, '/api/sites')).body.length).toBeGreaterThan(0);
    expect((await reg.database.query('SELECT count(*)::int AS n FROM cameras'))[0]).toBeDefined();
    expect((await reg.database.query("SELECT 1 FROM events WHERE id LIKE '%DROP%'")).length).toBe(0);
  }, 90_000);

  it("serves a camera's decision history, newest first, and 404 for a camera never reported", async () => {
    const reg = await startRegistry(registryConfig(broker.url, dataDir, registry));
    const c = await rawClient(broker.url);
    const publish = (seq: number, type: string, data: Record<string, unknown>) =>
      c.publishAsync('camwarden/s5/gw1/events', JSON.stringify(event('boot-h', seq, type, data)), { qos: 1 });
    await publish(1, 'camera.added', { cameraId: 'cam-h', kind: 'camera', zone: 'toilet', action: 'block' });
    await publish(2, 'decision.changed', {
      cameraId: 'cam-h',
      previousAction: 'block',
      action: 'flag',
      reasons: [{ code: 'unclassified-zone', rule: 'cn-2025', article: '', message: 'zone unknown' }],
    });
    const history = await waitFor('two decisions', async () => {
      const { status, body } = await getJson<Array<Record<string, unknown>>>(reg.url, '/api/cameras/cam-h/history');
      return status === 200 && body.length === 2 ? body : undefined;
    });
    expect(history.map((h) => [h.change, h.action, h.previousAction])).toEqual([
      ['changed', 'flag', 'block'],
      ['added', 'block', null],
    ]);
    expect(history[0]).toMatchObject({ site: 's5', gateway: 'gw1', cameraId: 'cam-h', eventId: 'boot-h-2' });
    expect((await getJson(reg.url, '/api/cameras/cam-h/history?site=s5&limit=1')).body).toHaveLength(1);
    expect((await getJson(reg.url, '/api/cameras/cam-h/history?site=elsewhere')).status).toBe(404);
    expect((await getJson(reg.url, '/api/cameras/cam-nobody/history')).status).toBe(404);
    expect((await getJson(reg.url, '/api/cameras/cam-h/history?limit=0')).status).toBe(400);
  }, 90_000);

  it('counts a request the broker delivers again after a lost PUBACK once', async () => {
    const proxy = await startProxy(broker.url);
    const clientId = `redeliver-${store}-${brokerKind}-${process.pid}`;
    const reg = await startRegistry(registryConfig(proxy.url, dataDir, { ...registry, clientId }));
    const operator = await rawClient(broker.url);
    const topic = 'camwarden/s9/gw9/request/sweep';
    const request = signedRequest('tx-redelivery');
    const timesSeen = async (transaction: string) => {
      const { body } = await getJson<Array<{ transaction: string; timesSeen: number }>>(
        reg.url,
        '/api/requests?site=s9',
      );
      return body.find((r) => r.transaction === transaction)?.timesSeen;
    };
    // the subscription is in place once a first request is stored
    await operator.publishAsync(topic, signedRequest('tx-warm-up'), { qos: 1 });
    await waitFor('warm-up stored', () => timesSeen('tx-warm-up'));

    proxy.freeze();
    await operator.publishAsync(topic, request, { qos: 1 });
    expect(await waitFor('request stored', () => timesSeen('tx-redelivery'))).toBe(1);
    // the registry committed it and acknowledged into the void: the broker still holds it as unacknowledged
    proxy.cut();
    await proxy.received('tx-redelivery');
    // delivered again on the new connection; a message published after it is stored after it
    await operator.publishAsync(topic, signedRequest('tx-barrier'), { qos: 1 });
    await waitFor('barrier stored', () => timesSeen('tx-barrier'));
    expect(await timesSeen('tx-redelivery')).toBe(1);

    // published again (a replay): that is a new delivery, and counts
    await operator.publishAsync(topic, request, { qos: 1 });
    await waitFor('replay counted', async () => ((await timesSeen('tx-redelivery')) === 2 ? true : undefined));
  }, 90_000);

  it('does not count a retained request again when it subscribes again; a live publish still counts', async () => {
    const proxy = await startProxy(broker.url);
    const clientId = `retained-${store}-${brokerKind}-${process.pid}`;
    const reg = await startRegistry(registryConfig(proxy.url, dataDir, { ...registry, clientId }));
    const operator = await rawClient(broker.url);
    const topic = 'camwarden/s12/gw12/request/sweep';
    const request = signedRequest('tx-retained');
    const timesSeen = async (transaction: string) => {
      const { body } = await getJson<Array<{ transaction: string; timesSeen: number }>>(
        reg.url,
        '/api/requests?site=s12',
      );
      return body.find((r) => r.transaction === transaction)?.timesSeen;
    };
    const barrier = async (transaction: string) => {
      await operator.publishAsync(topic, signedRequest(transaction), { qos: 1 });
      await waitFor(transaction, () => timesSeen(transaction));
    };
    await barrier('tx-warm-up');
    // our tools never publish a request retained (a gateway refuses one), but anyone with access to the topic can
    stoppers.push(async () => {
      await operator.publishAsync(topic, '', { qos: 1, retain: true });
    });
    await operator.publishAsync(topic, request, { qos: 1, retain: true });
    expect(await waitFor('retained request stored', () => timesSeen('tx-retained'))).toBe(1);

    // a new connection subscribes again, and the broker hands out the retained request with the retain flag set
    proxy.cut();
    await proxy.received('tx-retained');
    await barrier('tx-after-resubscribe');
    expect(await timesSeen('tx-retained')).toBe(1);

    // published again, live: counts
    await operator.publishAsync(topic, request, { qos: 1 });
    await waitFor('live publish counted', async () => ((await timesSeen('tx-retained')) === 2 ? true : undefined));
  }, 90_000);

  it('stores a response once when the broker delivers it again after a lost PUBACK or the gateway publishes it twice', async () => {
    const proxy = await startProxy(broker.url);
    const clientId = `response-once-${store}-${brokerKind}-${process.pid}`;
    const reg = await startRegistry(registryConfig(proxy.url, dataDir, { ...registry, clientId }));
    const operator = await rawClient(broker.url);
    const gateway = await rawClient(broker.url);
    const base = 'camwarden/s11/gw11';
    const ok = JSON.stringify({ transaction: 'tx-answered', status: 'ok', data: { deleted: 0 } });
    const latest = async () => {
      const { body } = await getJson<Array<{ transaction: string; response: { status: string } | null }>>(
        reg.url,
        '/api/requests?site=s11',
      );
      return body.find((r) => r.transaction === 'tx-answered')?.response ?? undefined;
    };
    const stored = async () =>
      (
        await reg.database.query<{ status: string }>(
          "SELECT status FROM responses WHERE site = 's11' AND transaction = 'tx-answered' ORDER BY received_at",
        )
      ).map((r) => r.status);
    const barrier = async (transaction: string) => {
      await operator.publishAsync(`${base}/request/sweep`, signedRequest(transaction), { qos: 1 });
      await waitFor(transaction, async () => {
        const { body } = await getJson<Array<{ transaction: string }>>(reg.url, '/api/requests?site=s11');
        return body.some((r) => r.transaction === transaction) ? true : undefined;
      });
    };
    await operator.publishAsync(`${base}/request/sweep`, signedRequest('tx-answered'), { qos: 1 });
    await barrier('tx-warm-up');

    proxy.freeze();
    await gateway.publishAsync(`${base}/response/sweep`, ok, { qos: 1 });
    await waitFor('response stored', latest);
    // committed, acknowledged into the void: the broker delivers it again on the next connection
    proxy.cut();
    await proxy.received('tx-answered');
    await barrier('tx-after-redelivery');
    expect(await stored()).toEqual(['ok']);

    // the gateway publishing the same answer twice (e.g. a QoS 1 resend after its own reconnect)
    await gateway.publishAsync(`${base}/response/sweep`, ok, { qos: 1 });
    await barrier('tx-after-second-publish');
    expect(await stored()).toEqual(['ok']);

    // a different answer to the same transaction (a replay refused) is kept, and listed as the latest
    const refused = { transaction: 'tx-answered', status: 'error', error: { code: 'replayed', message: 'seen' } };
    await gateway.publishAsync(`${base}/response/sweep`, JSON.stringify(refused), { qos: 1 });
    await waitFor('refusal listed', async () => ((await latest())?.status === 'error' ? true : undefined));
    expect(await stored()).toEqual(['ok', 'error']);
  }, 90_000);

  it('resumes its broker session when restarted on another listen port: what was published meanwhile is stored', async () => {
    const on = async () => ({ ...registry, listen: `127.0.0.1:${await freePort()}` });
    let reg = await startRegistry(registryConfig(broker.url, dataDir, await on()));
    const first = { port: new URL(reg.url).port, clientId: reg.clientId };
    const operator = await rawClient(broker.url);
    const topic = 'camwarden/s8/gw8/request/sweep';
    const stored = async (transaction: string) => {
      const { body } = await getJson<Array<{ transaction: string }>>(reg.url, '/api/requests?site=s8');
      return body.some((r) => r.transaction === transaction) ? true : undefined;
    };
    // the subscription is in place once a first request is stored
    await operator.publishAsync(topic, signedRequest('tx-before'), { qos: 1 });
    await waitFor('first request stored', () => stored('tx-before'));
    await reg.stop();
    await operator.publishAsync(topic, signedRequest('tx-while-away'), { qos: 1 });

    reg = await startRegistry(registryConfig(broker.url, dataDir, await on()));
    expect(new URL(reg.url).port).not.toBe(first.port);
    await waitFor('request published while it was down stored', () => stored('tx-while-away'));
    expect(reg.clientId).toBe(first.clientId);
  }, 90_000);

  it('keeps its data across a restart and reads the retained state again', async () => {
    const config = registryConfig(broker.url, dataDir, registry);
    const first = await startRegistry(config);
    const { reporter } = await startReporter(broker.url, 's4', 'gw4');
    await reporter.updateInventory(scanOf([cameraRecord('cam-keep', 'flag', 'state-organ-adjacent')]));
    await waitFor('camera stored', async () => {
      const { body } = await getJson<unknown[]>(first.url, '/api/cameras?site=s4');
      return body.length === 1 ? true : undefined;
    });
    await first.stop();
    const second = await startRegistry(config);
    const { body } = await getJson<Array<{ id: string; site: string }>>(second.url, '/api/cameras?site=s4');
    expect(body.map((c) => c.id)).toEqual(['cam-keep']);
  }, 90_000);
});

describe.runIf(hasMosquitto && hasPostgres)('two registries sharing the load (MQTT 5 shared subscription)', () => {
  let broker: TestBroker;
  let pgdb: TestDatabase;

  beforeAll(async () => {
    broker = await startBroker('mosquitto');
    pgdb = await createTestDatabase('share');
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
    await pgdb?.drop();
  });

  it('each gets part of the events, together all of them, and the gaps close', async () => {
    const shared = (name: string) =>
      registryConfig(broker.url, tmp(), { databaseUrl: pgdb.url, share: true, clientId: `${name}-${process.pid}` });
    const a = await startRegistry(shared('reg-a'));
    const b = await startRegistry(shared('reg-b'));
    const seen = { a: 0, b: 0 };
    a.onCommit((s) => {
      seen.a += s.eventIds.length;
    });
    b.onCommit((s) => {
      seen.b += s.eventIds.length;
    });
    const { outbox } = await startReporter(broker.url, 's5', 'gw5');
    const total = 2000;
    for (let i = 0; i < total; i++) await outbox.emit('scan.completed', { cameras: i, errors: 0, policyRevision: 'r' });
    await waitFor('all events', async () => (seen.a + seen.b >= total ? true : undefined), 60_000);
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
    expect(seen.a + seen.b).toBe(total);
    // each message went to one of them: what they received adds up to the events (plus a few retained states),
    // where two plain subscriptions would each have received all of them
    const received = a.ingestStats().stored + b.ingestStats().stored;
    expect(received).toBeGreaterThanOrEqual(total);
    expect(received).toBeLessThan(total + 50);
    const [count] = await a.database.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE site = 's5'");
    expect(count?.n).toBe(total);
    const { body } = await getJson<{ gaps: unknown[] }>(b.url, '/api/events?site=s5&limit=1');
    expect(body.gaps).toEqual([]);
  }, 90_000);
});
