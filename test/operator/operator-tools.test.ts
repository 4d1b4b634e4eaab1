import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { createAgent } from '../../src/agent/create-agent.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load-config.js';
import { sendRequest } from '../../src/operator/send-request.js';
import { PAYLOAD_SCHEMAS, scanResultSchema } from '../../src/reporting/schemas/index.js';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { loadEd25519PrivateKey } from '../../src/util/ed25519-keys.js';
import { silentLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/brokers.js';
import { mosquittoAvailable, requireCapability } from '../helpers/capabilities.js';
import { captureIo } from '../helpers/cli-io.js';
import { expectValid, publishedValidators } from '../helpers/json-schema.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The operator tools against a running agent through a real broker: every op end to end through the CLI, the
 * refusals, and every payload seen on the wire checked against the published schemas.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SITE = 'op-site';
const GATEWAY = 'op-gw';
const BASE = `camwarden/${SITE}/${GATEWAY}`;
const ZONE = (z: string) => `onvif://www.onvif.org/location/zone/${z}`;

const kinds = (['mosquitto', 'embedded'] as const).filter(
  (k) => k === 'embedded' || requireCapability('mosquitto', mosquittoAvailable()),
);

/** Sorted keys, no whitespace: enough of RFC 8785 for these requests, written apart from the code under test. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The signature covers topic + "\n" + canonical JSON of the request without `signature` (docs/mqtt.md). */
function expectSignedPerContract(topic: string, request: Record<string, unknown>, trusted: KeyObject): void {
  const { signature, ...unsigned } = request;
  const bytes = Buffer.from(`${topic}\n${sortedJson(unsigned)}`, 'utf8');
  const good = verify(null, bytes, trusted, Buffer.from(String(signature), 'base64'));
  // the stranger's requests are on the wire too: they must not verify with the operator's key
  expect(good, topic).toBe(request.keyId === keyIdFromSpki(trusted));
}

function keyIdFromSpki(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

type PayloadName = 'status' | 'inventory' | 'camera' | 'event' | 'request' | 'response';

function payloadNameOf(rest: string): PayloadName | undefined {
  if (rest === 'status' || rest === 'inventory') return rest;
  if (rest === 'events') return 'event';
  if (rest.startsWith('cameras/')) return 'camera';
  if (rest.startsWith('request/')) return 'request';
  if (rest.startsWith('response/')) return 'response';
  return undefined;
}

describe.each(kinds)('operator tools against the agent through %s', (kind) => {
  const work = mkdtempSync(join(tmpdir(), `cw-op-${kind}-`));
  const keys = join(work, 'keys');
  const strangerKeys = join(work, 'stranger');
  const profiles = join(work, 'profiles');
  const prefix = `127.${kind === 'mosquitto' ? 61 : 62}.${1 + (process.pid % 250)}`;
  let broker: TestBroker;
  let site: SimulatedSite;
  let agent: Agent;
  let monitor: MqttClient;
  /** Every payload seen under the gateway's base, in arrival order, and the last one per topic. */
  const all: Array<{ topic: string; payload: string }> = [];
  const last = new Map<string, string>();
  let env: Record<string, string> = {};

  /** `camwarden …` in-process with the operator's environment. */
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const t = captureIo(env);
    const code = await main(args, t.io);
    return { code, out: t.out(), err: t.err() };
  }

  const target = (gateway = GATEWAY) => ['--site', SITE, '--gateway', gateway];

  async function request(op: string, args?: unknown, extra: string[] = []) {
    const argsFlag = args === undefined ? [] : ['--args', JSON.stringify(args)];
    const r = await cli([
      'request',
      op,
      ...argsFlag,
      '--key',
      join(keys, 'private.pem'),
      ...target(),
      '--timeout',
      '15s',
      ...extra,
    ]);
    return { ...r, response: r.out ? (JSON.parse(r.out) as Record<string, unknown>) : undefined };
  }

  const cameraIdOf = (name: string) =>
    site.devices.find((d) => d.spec.name === name)?.endpoint.replace('urn:uuid:', '') ?? '';

  beforeAll(async () => {
    broker = await startBroker(kind);
    env = { CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_LOG_LEVEL: 'silent' };
    site = await startSimulatedSite({
      devices: [
        { name: 'toilet', vendor: 'hikvision', address: `${prefix}.10`, httpPort: 8080, scopes: [ZONE('toilet')] },
        { name: 'lobby', vendor: 'axis', address: `${prefix}.11`, httpPort: 8080, scopes: [ZONE('public-other')] },
        {
          name: 'perimeter',
          vendor: 'bosch',
          address: `${prefix}.12`,
          httpPort: 8080,
          scopes: [ZONE('military-restricted-adjacent')],
        },
        {
          name: 'nvr',
          vendor: 'hikvision',
          kind: 'nvr',
          address: `${prefix}.13`,
          httpPort: 8080,
          channels: [
            { token: 'CH1', name: 'Gate', location: 'entrance gate', maximumRetentionTime: 'P30D' },
            { token: 'CH2', name: 'Locker', location: '更衣室' },
          ],
        },
        // answers discovery, then garbage: listed unverified, its identity fields null
        {
          name: 'broken',
          vendor: 'dahua',
          address: `${prefix}.14`,
          httpPort: 8080,
          faults: [{ kind: 'invalid-xml', operations: ['GetDeviceInformation'] }],
        },
      ],
    });
    // the operator's keys, a stranger's, and device-profiles signed with the operator's key
    expect((await cli(['keys', 'generate', '--out', keys])).code).toBe(0);
    expect((await cli(['keys', 'generate', '--out', strangerKeys])).code).toBe(0);
    cpSync(join(ROOT, 'device-profiles'), profiles, { recursive: true });
    const signed = await cli(['profiles', 'sign', profiles, '--key', join(keys, 'private.pem')]);
    expect(signed.code, signed.err).toBe(0);

    mkdirSync(join(work, 'recordings'));
    writeFileSync(join(work, 'camwarden.yaml'), `profileKeysFile: ${join(keys, 'public.pem')}\n`);
    const { config } = loadConfig(
      {
        CAMWARDEN_CONFIG: join(work, 'camwarden.yaml'),
        CAMWARDEN_SITE_ID: SITE,
        CAMWARDEN_GATEWAY_ID: GATEWAY,
        CAMWARDEN_MQTT_URL: broker.url,
        CAMWARDEN_DATA_DIR: join(work, 'data'),
        CAMWARDEN_PROFILES_DIR: profiles,
        CAMWARDEN_RECORDINGS_DIR: join(work, 'recordings'),
        CAMWARDEN_COMMAND_KEYS: join(keys, 'public.pem'),
        CAMWARDEN_PROBE_TARGETS: `${prefix}.10-14`,
        CAMWARDEN_MULTICAST: '0',
        CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *',
        CAMWARDEN_SWEEP_SCHEDULE: '0 0 1 1 *',
        CAMWARDEN_ENFORCE: 'dry-run',
      },
      work,
    );
    config.discovery.timeoutMs = 1000;
    monitor = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    monitor.on('message', (topic, payload) => {
      last.set(topic, payload.toString());
      all.push({ topic, payload: payload.toString() });
    });
    await monitor.subscribeAsync(`${BASE}/#`, { qos: 1 });
    agent = createAgent({ config, logger: silentLogger(), version: 'test', hello: false, scanOverrides: {} });
    await agent.start();
    await waitFor('the first inventory', () => last.get(`${BASE}/inventory`));
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await monitor?.endAsync();
    await site?.stop();
    await broker?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('keys generate writes a 0600 private key, prints its keyId and never overwrites', async () => {
    expect(statSync(join(keys, 'private.pem')).mode & 0o777).toBe(0o600);
    const again = await cli(['keys', 'generate', '--out', keys]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('refusing to overwrite');
    const fresh = await cli(['keys', 'generate', '--out', join(work, 'fresh')]);
    expect(fresh.code).toBe(0);
    expect(fresh.out.trim()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('status, scan, sweep and reload-profiles answer ok with their data', async () => {
    const status = await request('status');
    expect(status.code, status.err).toBe(0);
    expect(status.response).toMatchObject({ status: 'ok', data: { cameras: { block: expect.any(Number) } } });
    const scan = await request('scan');
    expect(scan.code, scan.err).toBe(0);
    expect(scan.response).toMatchObject({ status: 'ok', data: { cameras: 7 } });
    const sweep = await request('sweep', { dryRun: true });
    expect(sweep.code, sweep.err).toBe(0);
    expect(sweep.response).toMatchObject({ status: 'ok', data: { dryRun: true, deleted: 0 } });
    const reload = await request('reload-profiles');
    expect(reload.code, reload.err).toBe(0);
    expect(reload.response).toMatchObject({ status: 'ok', data: { problems: [] } });
  }, 60_000);

  it('legal-hold/add then legal-hold/remove; removing it twice is an error response (exit 1)', async () => {
    const cameraId = cameraIdOf('toilet');
    const add = await request('legal-hold/add', {
      id: 'case-17',
      cameraId,
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
      reason: 'police request',
    });
    expect(add.code, add.err).toBe(0);
    const holds = JSON.parse(readFileSync(join(work, 'data', 'legal-holds.json'), 'utf8')) as { holds: unknown[] };
    expect(holds.holds).toEqual([expect.objectContaining({ id: 'case-17', camera: cameraId })]);
    expect((await request('legal-hold/remove', { id: 'case-17' })).code).toBe(0);
    const again = await request('legal-hold/remove', { id: 'case-17' });
    expect(again.code).toBe(1);
    expect(again.response).toMatchObject({ status: 'error', error: { code: 'invalid-request' } });
  }, 30_000);

  it('consent/record clears the Art 10 flag of that camera', async () => {
    const cameraId = cameraIdOf('perimeter');
    const camTopic = `${BASE}/cameras/${cameraId}`;
    const reasons = () =>
      (
        JSON.parse(last.get(camTopic) ?? '{}') as { decision?: { reasons: Array<{ code: string }> } }
      ).decision?.reasons.map((r) => r.code) ?? [];
    expect(reasons()).toContain('consent-required');
    const r = await request('consent/record', {
      cameraId,
      reference: 'C-2026-01',
      grantedBy: 'XX Military Sub-district',
      unitKind: 'military',
      validUntil: '2030-01-01T00:00:00Z',
    });
    expect(r.code, r.err).toBe(0);
    expect((await request('scan')).code).toBe(0);
    await waitFor('the consent to take effect', () => (reasons().includes('consent-required') ? undefined : true));
  }, 30_000);

  it('profiles/apply takes a bundle signed by profiles sign and refuses a tampered one', async () => {
    const next = join(work, 'next-profiles');
    cpSync(profiles, next, { recursive: true });
    writeFileSync(join(next, 'site', 'notes.txt'), 'applied by the operator test\n');
    expect((await cli(['profiles', 'sign', next, '--key', join(keys, 'private.pem')])).code).toBe(0);
    const ok = await request('profiles/apply', undefined, ['--files', next]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.response).toMatchObject({ status: 'ok', data: { problems: [] } });
    writeFileSync(join(next, 'site', 'notes.txt'), 'changed after signing\n');
    const tampered = await request('profiles/apply', { dryRun: true }, ['--files', next]);
    expect(tampered.code).toBe(0); // the op ran; its answer lists why the bundle was refused
    expect(JSON.stringify(tampered.response)).toContain('does not match the signed manifest');
  }, 30_000);

  it('refuses a key the gateway does not trust, an expired request and a replay, each with its code', async () => {
    const stranger = await cli(['request', 'status', '--key', join(strangerKeys, 'private.pem'), ...target()]);
    expect(stranger.code).toBe(1);
    expect(JSON.parse(stranger.out)).toMatchObject({ status: 'error', error: { code: 'unauthorized' } });

    const expired = await request('status', undefined, ['--valid-for', '1ms']);
    expect(expired.code).toBe(1);
    expect(expired.response).toMatchObject({ status: 'error', error: { code: 'expired' } });

    const key = await loadEd25519PrivateKey(join(keys, 'private.pem'));
    const { config } = loadConfig(env, work);
    const send = () =>
      sendRequest({
        mqtt: { ...config.mqtt, url: broker.url },
        base: BASE,
        op: 'status',
        args: {},
        key,
        timeoutMs: 10_000,
        validForMs: 60_000,
        logger: silentLogger(),
        transaction: `replay-${kind}-${process.pid}`,
      });
    expect(await send()).toMatchObject({ kind: 'response', response: { status: 'ok' } });
    expect(await send()).toMatchObject({
      kind: 'response',
      response: { status: 'error', error: { code: 'replayed' } },
    });
    await waitFor('request.refused events', () => {
      const refused = all
        .filter((m) => m.topic === `${BASE}/events`)
        .map((m) => JSON.parse(m.payload) as { type: string; code?: string })
        .filter((e) => e.type === 'request.refused')
        .map((e) => e.code);
      return ['unauthorized', 'expired', 'replayed'].every((c) => refused.includes(c)) ? refused : undefined;
    });
  }, 30_000);

  it('refuses bad usage locally, before anything is published (exit 2), and times out with exit 3', async () => {
    const published = () => all.filter((m) => m.topic.startsWith(`${BASE}/request/`)).length;
    const before = published();
    const unknownOp = await request('reboot');
    expect(unknownOp.code).toBe(2);
    expect(unknownOp.err).toContain('unknown op "reboot"');
    const badArgs = await request('legal-hold/add', { cameraId: 'c', from: 'yesterday' });
    expect(badArgs.code).toBe(2);
    expect(badArgs.err).toMatch(/args\.from: .*args\.to: /s);
    const notJson = await cli(['request', 'status', '--args', '{', '--key', join(keys, 'private.pem'), ...target()]);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toContain('--args');
    const noKey = await cli(['request', 'status', ...target()]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('--key');
    expect(published()).toBe(before);
    const t0 = Date.now();
    const silent = await cli([
      'request',
      'status',
      '--key',
      join(keys, 'private.pem'),
      ...target('nobody-home'),
      '--timeout',
      '700ms',
    ]);
    expect(silent.code).toBe(3);
    expect(silent.err).toContain('no response');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
  }, 30_000);

  it('every payload on the wire matches the published JSON Schema and the zod schema', async () => {
    const validators = await publishedValidators();
    const operatorKey = createPublicKey(readFileSync(join(keys, 'public.pem')));
    const counted: Record<PayloadName, number> = {
      status: 0,
      inventory: 0,
      camera: 0,
      event: 0,
      request: 0,
      response: 0,
    };
    for (const { topic, payload } of all) {
      if (payload === '') continue; // a camera that is gone: an empty retained payload
      const name = payloadNameOf(topic.slice(BASE.length + 1));
      if (!name) throw new Error(`unexpected topic ${topic}`);
      const value = JSON.parse(payload) as unknown;
      expectValid(validators[name], value, topic);
      expect(PAYLOAD_SCHEMAS[name].safeParse(value).success, topic).toBe(true);
      if (name === 'request') expectSignedPerContract(topic, value as Record<string, unknown>, operatorKey);
      counted[name]++;
    }
    for (const [name, n] of Object.entries(counted)) expect(n, name).toBeGreaterThan(0);
    // the unverified device and the NVR channels carry every identity field, null
    const inventory = JSON.parse(last.get(`${BASE}/inventory`) ?? '{}') as { cameras: Array<Record<string, unknown>> };
    const broken = inventory.cameras.find((c) => c.address === `${prefix}.14`);
    expect(broken).toMatchObject({ unverified: true, manufacturer: null, serial: null, hardwareId: null });
    const channel = inventory.cameras.find((c) => typeof c.channel === 'string');
    expect(channel).toMatchObject({ kind: 'camera', manufacturer: null, model: null, parent: expect.any(String) });
  });

  it('scan --json against the simulator matches the scan schema', async () => {
    const r = await cli(['scan', '--no-multicast', '--target', `${prefix}.10-14`, '--timeout', '8000', '--json']);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as unknown;
    expectValid((await publishedValidators()).scan, result, 'scan --json');
    expect(scanResultSchema.parse(result)).toEqual(result);
  }, 30_000);
});
