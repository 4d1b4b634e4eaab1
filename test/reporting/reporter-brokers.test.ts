import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/audit-sink.js';
import { configSchema } from '../../src/config/schema.js';
import type { CameraRecord, ScanResult } from '../../src/inventory/types.js';
import { Outbox } from '../../src/reporting/outbox.js';
import { Reporter } from '../../src/reporting/reporter.js';
import { signRequest } from '../../src/reporting/requests/signing.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/brokers.js';
import { mosquittoAvailable, requireCapability } from '../helpers/capabilities.js';
import { ensureDist } from '../helpers/dist.js';

const kinds = [
  'embedded',
  ...(requireCapability('mosquitto', mosquittoAvailable()) ? ['mosquitto' as const] : []),
] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

interface Msg {
  topic: string;
  text: string;
  retain: boolean;
}

async function observer(url: string, topic: string, clientId?: string): Promise<{ c: MqttClient; msgs: Msg[] }> {
  const msgs: Msg[] = [];
  const c = mqtt.connect(url, {
    protocolVersion: 4,
    reconnectPeriod: 200,
    ...(clientId ? { clientId, clean: false } : {}),
  });
  c.on('message', (t, p, pk) => msgs.push({ topic: t, text: p.toString(), retain: pk.retain }));
  await new Promise<void>((r) => c.once('connect', () => r()));
  await c.subscribeAsync(topic, { qos: 1 });
  return { c, msgs };
}

function camera(id: string, action: 'allow' | 'flag' | 'block'): CameraRecord {
  return {
    id,
    kind: 'camera',
    endpoint: `urn:uuid:${id}`,
    address: '192.0.2.10',
    xaddr: 'http://192.0.2.10/onvif/device_service',
    manufacturer: 'Acme',
    model: 'C1',
    scopes: [],
    location: { zone: 'toilet', source: 'scope', tags: [] },
    decision: { action, reasons: [] },
    errors: [],
  };
}

function scan(cams: CameraRecord[]): ScanResult {
  return {
    site: 's1',
    gateway: 'gw1',
    scannedAt: new Date().toISOString(),
    policyRevision: 'r1',
    cameras: cams,
    errors: [],
  };
}

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cw-rep-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function makeReporter(url: string, dataDir: string, extra: Record<string, unknown> = {}) {
  const config = configSchema.parse({ site: { id: 's1', gatewayId: 'gw1' }, dataDir, mqtt: { url }, ...extra });
  const logger = process.env.CW_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger();
  const outbox = new Outbox({ dataDir, logger, alarmEvents: 500_000, maxEvents: 2_000_000, segmentRecords: 100 });
  const audit = new MemoryAuditSink();
  const reporter = new Reporter({ config, logger, outbox, audit, version: 't', backoffBaseMs: 50, backoffMaxMs: 300 });
  live.push(reporter);
  return { reporter, outbox, audit };
}

const BASE = 'camwarden/s1/gw1';
// a failed test must not leave a reporter with the same clientId fighting the next test's one
const live: Reporter[] = [];
afterEach(async () => {
  for (const r of live.splice(0)) await r.stop().catch(() => undefined);
});

describe.each(kinds)('reporting against %s broker', (kind) => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker(kind, { persistence: true });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('broker outage: every event arrives in order; duplicates are replays of the same id', async () => {
    const { reporter, outbox } = makeReporter(broker.url, tmp());
    const obs = await observer(broker.url, `${BASE}/events`, `obs-outage-${kind}`);
    const acceptedBefore = broker.accepted?.length ?? 0;
    await reporter.start();
    const total = 600;
    for (let i = 0; i < total; i++) {
      await outbox.emit('scan.completed', { n: i });
      if (i === 200) await broker.stop();
      if (i === 450) {
        await sleep(300);
        await broker.start();
      }
    }
    await waitFor(() => new Set(obs.msgs.map((m) => JSON.parse(m.text).id)).size >= total);
    // Every event reached the subscriber; the order the agent published in is what the broker accepted (aedes
    // may deliver a resumed session's queue interleaved with live messages; mosquitto delivers in order).
    const evs = (
      broker.accepted
        ?.slice(acceptedBefore)
        .filter((m) => m.topic === `${BASE}/events`)
        .map((m) => m.payload) ?? obs.msgs.map((m) => m.text)
    ).map((t) => JSON.parse(t));
    const firstSeen: number[] = [];
    const seenIds = new Map<string, number>();
    for (const e of evs) {
      if (seenIds.has(e.id)) {
        // the same event again (our replay, or the broker redelivering to the observer's session)
        expect(e.seq).toBe(seenIds.get(e.id));
        continue;
      }
      seenIds.set(e.id, e.seq);
      firstSeen.push(e.seq);
    }
    expect(firstSeen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // the observer may see the last events a moment before their PUBACKs reach the agent
    await waitFor(() => outbox.stats().depth === 0);
    await reporter.stop();
    await obs.c.endAsync();
  });

  it('retained state is rebuilt after the broker loses its retained store', async () => {
    const { reporter } = makeReporter(broker.url, tmp());
    await reporter.start();
    await reporter.updateInventory(scan([camera('a', 'allow'), camera('b', 'block')]), {
      unit: 'U',
      retentionDays: 30,
    });
    await sleep(300);
    await broker.stop();
    // mosquitto persistence is on: drop its store by restarting without a save
    if (kind === 'mosquitto') broker.kill9?.();
    await broker.start({ dropRetained: true });
    const obs = await observer(broker.url, `${BASE}/#`);
    await waitFor(
      () =>
        obs.msgs.some((m) => m.topic === `${BASE}/inventory`) && obs.msgs.some((m) => m.topic === `${BASE}/cameras/b`),
    );
    const inv = JSON.parse(obs.msgs.find((m) => m.topic === `${BASE}/inventory`)?.text ?? '{}');
    expect(inv.cameraCount).toBe(2);
    expect(inv.unit).toBe('U');
    expect(inv.retentionDays).toBe(30);
    const st = JSON.parse(obs.msgs.filter((m) => m.topic === `${BASE}/status`).at(-1)?.text ?? '{}');
    expect(st.state).toBe('online');
    expect(st.cameras).toEqual({ total: 2, allow: 1, flag: 0, block: 1 });
    await reporter.stop();
    await waitFor(() => obs.msgs.some((m) => m.topic === `${BASE}/status` && JSON.parse(m.text).state === 'stopped'));
    await obs.c.endAsync();
  });

  it('a camera id that is not a topic level (#, +, /, ..) never stops the others, the status or the events', async () => {
    // a gateway of its own: retained camera topics of the other tests must not count here
    const base = 'camwarden/s1/gw-ids';
    const { reporter, outbox } = makeReporter(broker.url, tmp(), { site: { id: 's1', gatewayId: 'gw-ids' } });
    const obs = await observer(broker.url, `${base}/#`);
    await reporter.start();
    // ids are made safe where they are born; this is the sink's own defence, whatever produced the id
    await reporter.updateInventory(
      scan(['a#b', 'c+d', 'e/f', '..', '-x', 'good'].map((id) => camera(id, id === 'good' ? 'block' : 'allow'))),
    );
    await outbox.emit('scan.completed', { n: 1 });
    await waitFor(() =>
      obs.msgs.some((m) => m.topic === `${base}/events` && JSON.parse(m.text).type === 'scan.completed'),
    );
    await waitFor(() => obs.msgs.some((m) => m.topic === `${base}/cameras/good`));
    const status = obs.msgs.filter((m) => m.topic === `${base}/status`).map((m) => JSON.parse(m.text).state);
    expect(status).not.toContain('offline');
    expect(status.at(-1)).toBe('online');
    const cameraTopics = obs.msgs.filter((m) => m.topic.startsWith(`${base}/cameras/`)).map((m) => m.topic);
    expect(new Set(cameraTopics)).toEqual(new Set([`${base}/cameras/good`]));
    // the inventory document still lists every record
    const inv = JSON.parse(obs.msgs.filter((m) => m.topic === `${base}/inventory`).at(-1)?.text ?? '{}');
    expect(inv.cameras).toHaveLength(6);
    await reporter.stop();
    await obs.c.endAsync();
  });

  it('signed requests: unsigned, expired, replayed and badly signed are refused with their codes; a good one is ok', async () => {
    const dataDir = tmp();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const keysFile = join(dataDir, 'keys.pem');
    writeFileSync(keysFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const { reporter, audit, outbox } = makeReporter(broker.url, dataDir, { commandKeysFile: keysFile });
    let scans = 0;
    reporter.registerHandlers({ scan: async () => ({ started: ++scans }) });
    await reporter.start();
    const obs = await observer(broker.url, `${BASE}/response/#`);
    const events = await observer(broker.url, `${BASE}/events`);
    await waitFor(() => reporter.health().connected === true);
    await sleep(200);
    const topic = `${BASE}/request/scan`;
    const now = Date.now();
    const body = (tx: string, exp = now + 60_000) => ({
      transaction: tx,
      issuedAt: new Date(now - 1000).toISOString(),
      expiresAt: new Date(exp).toISOString(),
      args: {},
    });
    const send = (req: unknown) => obs.c.publishAsync(topic, JSON.stringify(req), { qos: 1 });
    const response = async (tx: string, nth = 1) => {
      await waitFor(() => obs.msgs.filter((m) => JSON.parse(m.text).transaction === tx).length >= nth);
      return JSON.parse(obs.msgs.filter((m) => JSON.parse(m.text).transaction === tx)[nth - 1]?.text ?? '{}');
    };
    await send({ ...body('unsigned'), keyId: '0123456789abcdef' });
    expect((await response('unsigned')).error.code).toBe('unauthorized');
    await send(signRequest(topic, body('expired', now - 1000), privateKey));
    expect((await response('expired')).error.code).toBe('expired');
    const bad = signRequest(topic, body('badsig'), other.privateKey);
    await send({ ...bad, keyId: signRequest(topic, body('x'), privateKey).keyId });
    expect((await response('badsig')).error.code).toBe('unauthorized');
    const good = signRequest(topic, body('good'), privateKey);
    await send(good);
    const ok = await response('good');
    expect(ok).toEqual({ transaction: 'good', status: 'ok', data: { started: 1 } });
    await send(good);
    expect((await response('good', 2)).error.code).toBe('replayed');
    expect(scans).toBe(1);
    expect(audit.entries.filter((e) => e.data.event === 'request.refused')).toHaveLength(4);
    // Each refusal is an event that reaches the registry: published on events/, then gone from the outbox.
    const refusals = () => events.msgs.map((m) => JSON.parse(m.text)).filter((e) => e.type === 'request.refused');
    await waitFor(() => refusals().length >= 4);
    expect(refusals().map((e) => [e.transaction, e.code])).toEqual([
      ['unsigned', 'unauthorized'],
      ['expired', 'expired'],
      ['badsig', 'unauthorized'],
      ['good', 'replayed'],
    ]);
    await waitFor(() => outbox.stats().depth === 0);
    await reporter.stop();
    await obs.c.endAsync();
    await events.c.endAsync();
  });
});

describe.each(kinds)('agent process SIGKILLed (%s broker)', (kind) => {
  let broker: TestBroker;
  beforeAll(async () => {
    ensureDist();
    broker = await startBroker(kind);
  }, 120_000);
  afterAll(async () => broker.close());

  it('mid-drain kill loses nothing, and the offline last will is seen', async () => {
    const dataDir = tmp();
    const obs = await observer(broker.url, 'camwarden/s1/gwk/#');
    const child = (n: number): ChildProcess =>
      spawn(process.execPath, ['test/reporting/fixtures/reporter-child.mjs', dataDir, broker.url, String(n)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const total = 3000;
    const c1 = child(total);
    let out = '';
    c1.stdout?.on('data', (d) => {
      out += String(d);
    });
    await waitFor(() => out.includes('emitted'), 20_000);
    const events = () => obs.msgs.filter((m) => m.topic.endsWith('/events')).map((m) => JSON.parse(m.text));
    await waitFor(() => events().length > 50);
    c1.kill('SIGKILL');
    await new Promise((r) => c1.once('exit', r));
    const seenAtKill = new Set(events().map((e) => e.id)).size;
    await waitFor(() =>
      obs.msgs.some((m) => m.topic === 'camwarden/s1/gwk/status' && JSON.parse(m.text || '{}').state === 'offline'),
    );
    const bootId = out.split('\n')[0]?.split(' ')[1];
    const c2 = child(0);
    await waitFor(
      () =>
        new Set(
          events()
            .filter((e) => e.bootId === bootId)
            .map((e) => e.id),
        ).size >= total,
      30_000,
    );
    const seqs = new Set(
      events()
        .filter((e) => e.bootId === bootId)
        .map((e) => e.seq),
    );
    expect(seqs.size).toBe(total);
    expect(seenAtKill).toBeLessThan(total);
    const replays = events().filter((e) => e.bootId === bootId && e.replayed === true);
    expect(replays.length).toBeGreaterThan(0);
    c2.kill('SIGTERM');
    await new Promise((r) => c2.once('exit', r));
    await obs.c.endAsync();
  }, 60_000);
});
