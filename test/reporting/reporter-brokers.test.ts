import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import type { CameraRecord, ScanResult } from '../../src/model/camera-records.js';
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

/** Reconnects an observer's persistent session (its subscription is the broker's): what was queued for it comes. */
function resumeObserver(url: string, clientId: string, msgs: Msg[]): MqttClient {
  const c = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 200, clientId, clean: false });
  c.on('message', (t, p, pk) => msgs.push({ topic: t, text: p.toString(), retain: pk.retain }));
  return c;
}

/** The status an agent published itself (retained ones of earlier agents on the same topic do not count). */
function statusOf(msgs: Msg[], topic: string, bootId: string): Array<{ state: string; [k: string]: unknown }> {
  return msgs
    .filter((m) => m.topic === topic && m.text !== '')
    .map((m) => JSON.parse(m.text))
    .filter((st) => st.bootId === bootId);
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
    // A subscriber with a persistent session, which the broker keeps across its restart: what the agent publishes
    // while the subscriber is away is queued for it.
    const obsId = `obs-outage-${kind}`;
    const obs = await observer(broker.url, `${BASE}/events`, obsId);
    let resumed: MqttClient | undefined;
    const acceptedBefore = broker.accepted?.length ?? 0;
    await reporter.start();
    const total = 600;
    for (let i = 0; i < total; i++) {
      await outbox.emit('scan.completed', { cameras: i, errors: 0, policyRevision: 'r' });
      if (i === 200) {
        await obs.c.endAsync(); // the session stays; the subscriber comes back only when told below
        await broker.stop();
      }
      if (i === 450) {
        await sleep(300);
        await broker.start();
        // The agent comes back first and sends the whole outage backlog with no subscriber online; the subscriber
        // returns while the events below are published. Load once made this order happen by chance.
        await waitFor(() => reporter.health().connected === true && outbox.stats().depth === 0);
        resumed = resumeObserver(broker.url, obsId, obs.msgs);
      }
    }
    // What proves the agent's publish order. The embedded broker (aedes) delivers a resumed session's queue
    // interleaved with live messages, and can hold part of it back until the next reconnect, so none of its
    // subscribers can show the order: there it is the order in which the broker accepted the agent's messages.
    // mosquitto delivers a resumed session's queue first, then newer messages: there it is the subscriber's view.
    const fromAgent = broker.accepted !== undefined;
    const delivered = () =>
      (broker.accepted
        ? broker.accepted
            .slice(acceptedBefore)
            .filter((m) => m.clientId === 'camwarden-s1-gw1' && m.topic === `${BASE}/events`)
            .map((m) => m.payload)
        : obs.msgs.map((m) => m.text)
      ).map((t) => JSON.parse(t));
    await waitFor(() => new Set(delivered().map((e) => e.id)).size >= total);
    const firstSeen: number[] = [];
    const seenIds = new Map<string, number>();
    for (const e of delivered()) {
      if (seenIds.has(e.id)) {
        // the same event again: our replay (or, for a subscriber, the broker redelivering to its session)
        expect(e.seq).toBe(seenIds.get(e.id));
        if (fromAgent) expect(e.replayed).toBe(true);
        continue;
      }
      seenIds.set(e.id, e.seq);
      firstSeen.push(e.seq);
    }
    expect(firstSeen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // the last events can be seen a moment before their PUBACKs reach the agent
    await waitFor(() => outbox.stats().depth === 0);
    await reporter.stop();
    await resumed?.endAsync();
  });

  it('retained state is rebuilt after the broker loses its retained store', async () => {
    const { reporter, outbox } = makeReporter(broker.url, tmp());
    await reporter.start();
    await reporter.updateInventory(scan([camera('a', 'allow'), camera('b', 'block')]), {
      unit: 'U',
      retentionDays: 30,
    });
    const { bootId } = outbox;
    // the broker holds the retained state before it loses it
    const before = await observer(broker.url, `${BASE}/inventory`);
    await waitFor(() => before.msgs.some((m) => JSON.parse(m.text || '{}').bootId === bootId));
    await before.c.endAsync();
    await broker.stop();
    await broker.start({ dropRetained: true });
    const obs = await observer(broker.url, `${BASE}/#`);
    // only the agent's republish can bring these back; the three are published side by side, in no set order
    await waitFor(
      () =>
        obs.msgs.some((m) => m.topic === `${BASE}/inventory`) &&
        obs.msgs.some((m) => m.topic === `${BASE}/cameras/b`) &&
        statusOf(obs.msgs, `${BASE}/status`, bootId).length > 0,
    );
    const inv = JSON.parse(obs.msgs.find((m) => m.topic === `${BASE}/inventory`)?.text ?? '{}');
    expect(inv.cameraCount).toBe(2);
    expect(inv.unit).toBe('U');
    expect(inv.retentionDays).toBe(30);
    const st = statusOf(obs.msgs, `${BASE}/status`, bootId).at(-1);
    expect(st?.state).toBe('online');
    expect(st?.cameras).toEqual({ total: 2, allow: 1, flag: 0, block: 1 });
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
    await outbox.emit('scan.completed', { cameras: 1, errors: 0, policyRevision: 'r' });
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
    // the agent subscribes to its requests before it publishes `online` on the same connection, and a broker takes
    // one client's packets in order: once its own `online` is out, its subscription is in place
    const status = await observer(broker.url, `${BASE}/status`);
    await waitFor(() => statusOf(status.msgs, `${BASE}/status`, outbox.bootId).some((st) => st.state === 'online'));
    await status.c.endAsync();
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

  it('a key removed from the command keys file is no longer trusted, without a restart', async () => {
    const dataDir = tmp();
    const kept = generateKeyPairSync('ed25519');
    const removed = generateKeyPairSync('ed25519');
    const pemOf = (k: typeof kept) => String(k.publicKey.export({ type: 'spki', format: 'pem' }));
    const keysFile = join(dataDir, 'keys.pem');
    writeFileSync(keysFile, pemOf(kept) + pemOf(removed));
    const { reporter, outbox } = makeReporter(broker.url, dataDir, { commandKeysFile: keysFile });
    let scans = 0;
    reporter.registerHandlers({ scan: async () => ({ started: ++scans }) });
    await reporter.start();
    const obs = await observer(broker.url, `${BASE}/response/#`);
    const status = await observer(broker.url, `${BASE}/status`);
    await waitFor(() => statusOf(status.msgs, `${BASE}/status`, outbox.bootId).some((st) => st.state === 'online'));
    await status.c.endAsync();
    const topic = `${BASE}/request/scan`;
    const now = Date.now();
    const signed = (tx: string, key: typeof kept) =>
      signRequest(
        topic,
        {
          transaction: tx,
          issuedAt: new Date(now - 1000).toISOString(),
          expiresAt: new Date(now + 60_000).toISOString(),
          args: {},
        },
        key.privateKey,
      );
    const ask = async (req: unknown, tx: string) => {
      await obs.c.publishAsync(topic, JSON.stringify(req), { qos: 1 });
      await waitFor(() => obs.msgs.some((m) => JSON.parse(m.text).transaction === tx));
      return JSON.parse(obs.msgs.find((m) => JSON.parse(m.text).transaction === tx)?.text ?? '{}');
    };
    expect((await ask(signed('before', removed), 'before')).status).toBe('ok');
    // the operator revokes the key: only the other one stays in the file
    writeFileSync(keysFile, pemOf(kept));
    expect((await ask(signed('after', removed), 'after')).error?.code).toBe('unauthorized');
    expect((await ask(signed('other', kept), 'other')).status).toBe('ok');
    // a key file that became unreadable trusts no key
    writeFileSync(keysFile, 'garbage');
    expect((await ask(signed('broken', kept), 'broken')).error?.code).toBe('unauthorized');
    expect(scans).toBe(2);
    await reporter.stop();
    await obs.c.endAsync();
  });
});

describe.each(kinds)('agent process SIGKILLed (%s broker)', (kind) => {
  let broker: TestBroker;
  // a failed test must not leave an agent process running
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  beforeAll(async () => {
    ensureDist();
    broker = await startBroker(kind);
  }, 120_000);
  afterAll(async () => broker.close());

  it('mid-drain kill loses nothing, and the offline last will is seen', async () => {
    const dataDir = tmp();
    const base = 'camwarden/s1/gwk';
    const obs = await observer(broker.url, `${base}/#`);
    const child = (args: string[]): { proc: ChildProcess; out: () => string } => {
      const proc = spawn(
        process.execPath,
        ['test/reporting/fixtures/reporter-child.mjs', dataDir, broker.url, ...args],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(proc);
      let out = '';
      proc.stdout?.on('data', (d) => {
        out += String(d);
      });
      return { proc, out: () => out };
    };
    const total = 3000;
    const held = 50;
    // The first agent sends events 1..50 and never takes the PUBACK of the 50th: it is killed mid-drain, with
    // all 3000 on its disk, whatever the machine's speed.
    const c1 = child([String(total), String(held)]);
    await waitFor(() => c1.out().includes('emitted') && c1.out().includes(`held ${held}`), 60_000);
    c1.proc.kill('SIGKILL');
    await new Promise((r) => c1.proc.once('exit', r));
    const bootId = /^emitted (\S+)$/m.exec(c1.out())?.[1] ?? '';
    const events = () =>
      obs.msgs
        .filter((m) => m.topic === `${base}/events`)
        .map((m) => JSON.parse(m.text))
        .filter((e) => e.bootId === bootId);
    await waitFor(() => statusOf(obs.msgs, `${base}/status`, bootId).some((st) => st.state === 'offline'));
    // what the killed agent got out: the events up to the held one, nothing after it
    await waitFor(() => events().length >= held);
    expect([...new Set(events().map((e) => e.seq))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: held }, (_, i) => i + 1),
    );
    const c2 = child(['0']);
    await waitFor(() => new Set(events().map((e) => e.id)).size >= total, 90_000);
    const firstSeen: number[] = [];
    const seen = new Map<string, number>();
    for (const e of events()) {
      if (seen.has(e.id)) {
        expect(e.seq).toBe(seen.get(e.id)); // a duplicate is a replay of the same event
        expect(e.replayed).toBe(true);
        continue;
      }
      seen.set(e.id, e.seq);
      firstSeen.push(e.seq);
    }
    expect(firstSeen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // the held event reached the broker but was never acked: the restarted agent sends it again, as a replay
    expect(events().filter((e) => e.seq === held && e.replayed === true).length).toBeGreaterThan(0);
    // what the first agent never sent comes from the second one, written by an earlier boot: a replay
    expect(events().filter((e) => e.seq > held && e.replayed !== true)).toEqual([]);
    c2.proc.kill('SIGTERM');
    await new Promise((r) => c2.proc.once('exit', r));
    await obs.c.endAsync();
  }, 180_000);
});
