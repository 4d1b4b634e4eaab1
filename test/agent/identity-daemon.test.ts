import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFromEndpoint } from '../../src/inventory/identity.js';
import { signRequest } from '../../src/reporting/requests/signing.js';
import { mosquittoAvailable, netnsAvailable, nftAvailable, requireCapability } from '../helpers/capabilities.js';
import { isContractId } from '../helpers/contract-id.js';
import { ensureDist } from '../helpers/dist.js';
import {
  createGatewayNetns,
  type GatewayNetns,
  pidOctet,
  sh,
  spawnInNs,
  startMosquittoIn,
  startSimulatorIn,
} from '../helpers/gateway-netns.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The identity attacks against `camwarden run` (docs/identity.md), end to end: the agent and mosquitto in a gateway
 * network namespace with real nftables, simulated cameras in another. A toilet camera is blocked and pinned; an
 * impostor claims its EndpointReference; its owner changes its password; the agent's inventory.json is lost; a
 * device outside the configured targets announces itself by Hello; odd EndpointReferences ('#', '+', '..', '--all',
 * …) sit among them; an operator finally releases the block by a signed request.
 */
const enabled =
  requireCapability('netns', netnsAvailable() && nftAvailable()) &&
  requireCapability('mosquitto', mosquittoAvailable());
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const camNet = `10.222.${pidOctet()}`;
const gwCam = `${camNet}.1`;
/** Off the gateway's subnets and outside the probe targets: routed through the camera namespace. */
const farNet = `10.223.${pidOctet()}`;
const TOILET = `${camNet}.10`;
const IMPOSTOR = `${camNet}.11`;
const FAR = `${farNet}.5`;
const TOILET_EP = 'urn:uuid:0f000000-0000-4000-8000-0000000000d1';
const TOILET_ID = '0f000000-0000-4000-8000-0000000000d1';
const ODD = ['urn:uuid:..', '.', 'a/b', 'cam#1', 'cam+1', '--all', `urn:uuid:${'e'.repeat(500)}`];
const oddAddress = (i: number) => `${camNet}.${20 + i}`;
/** The odd cameras tagged as toilets (blocked: hook, quarantine and isolation see their ids). */
const ODD_BLOCKED = new Set(['urn:uuid:..', '--all']);
const AUTH = { mode: 'both', username: 'admin', password: 'pw' };
const DAY = 86_400_000;

type Json = Record<string, unknown>;
interface Camera {
  id: string;
  endpoint: string;
  address: string;
  decision: { action: string; reasons: Array<{ code: string }> };
  errors: Array<{ code: string; message: string }>;
  unverified?: boolean;
}

describe.runIf(enabled)('identity attacks against camwarden run (netns, nftables, mosquitto, simulator)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cw-idd-'));
  let net: GatewayNetns | undefined;
  const gw = (): GatewayNetns => {
    if (!net) throw new Error('namespaces not set up');
    return net;
  };
  const sims = new Map<string, ChildProcess>();
  const others: ChildProcess[] = [];
  let agent: ChildProcess | undefined;
  let agentStderr = '';
  let client: MqttClient | undefined;
  const status: Json[] = [];
  const events: Json[] = [];
  const responses: Json[] = [];
  const cameraTopics = new Map<string, string>();
  let inventory: { cameras: Camera[] } | undefined;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const base = 'camwarden/t-site/t-gw';
  const hookLog = join(work, 'hook.log');
  const recordings = join(work, 'recordings');

  async function startSim(name: string, devices: Json[]): Promise<void> {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify({ devices }));
    sims.set(name, await startSimulatorIn(gw().camNs, cli, file));
  }
  async function stopSim(name: string): Promise<void> {
    const sim = sims.get(name);
    if (!sim || sim.exitCode !== null) return;
    const gone = new Promise((r) => sim.once('exit', r));
    sim.kill('SIGTERM');
    await gone;
    sims.delete(name);
  }
  /** The owner reconfigures cameras (a restart of the simulated site with changed specs). */
  async function restartSite(change: (device: Json) => Json): Promise<void> {
    const spec = JSON.parse(readFileSync(join(work, 'site.json'), 'utf8')) as { devices: Json[] };
    await stopSim('site');
    await startSim('site', spec.devices.map(change));
  }
  let agentEnv: Record<string, string> = {};
  function startAgent(): void {
    agent = spawnInNs(gw().ns, [process.execPath, cli, 'run'], agentEnv);
    agent.stderr?.on('data', (c: Buffer) => {
      agentStderr += c.toString();
    });
  }
  async function stopAgent(): Promise<void> {
    const exit = new Promise<number | null>((resolve) => agent?.once('exit', (code) => resolve(code)));
    agent?.kill('SIGTERM');
    expect(await exit).toBe(0);
  }
  async function request(op: string, args: Json): Promise<Json> {
    const transaction = randomUUID();
    const now = Date.now();
    const topic = `${base}/request/${op}`;
    const body = signRequest(
      topic,
      {
        transaction,
        issuedAt: new Date(now - 1000).toISOString(),
        expiresAt: new Date(now + 120_000).toISOString(),
        args,
      },
      privateKey,
    );
    await client?.publishAsync(topic, JSON.stringify(body), { qos: 1 });
    return waitFor(`response to ${op}`, () => responses.find((r) => r.transaction === transaction), 60_000);
  }
  const camera = (pred: (c: Camera) => boolean) => inventory?.cameras.find(pred);
  /** The isolated addresses ('' until the agent has written its table). */
  const blockedSet = (): string => {
    try {
      return sh('ip', ['netns', 'exec', gw().ns, 'nft', 'list', 'set', 'inet', 'camwarden', 'blocked_v4']);
    } catch {
      return '';
    }
  };

  beforeAll(async () => {
    ensureDist();
    net = createGatewayNetns({
      prefix: 'idd',
      hostNet: '10.221',
      camNet: '10.222',
      camHosts: [10, 11, ...ODD.map((_, i) => 20 + i)],
    });
    sh('ip', ['-n', net.camNs, 'addr', 'add', `${FAR}/32`, 'dev', net.camIf]);
    sh('ip', ['-n', net.ns, 'route', 'add', `${farNet}.0/24`, 'via', TOILET]);
    others.push(startMosquittoIn(net.ns, work));

    // profiles: the shipped set plus a recorder hook that logs its argv (one JSON line per call)
    const profiles = join(work, 'profiles');
    cpSync(join(root, 'device-profiles'), profiles, { recursive: true });
    const hook = join(work, 'hook.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(hookLog)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
    );
    const siteYaml = join(profiles, 'site', 'site.yaml');
    writeFileSync(
      siteYaml,
      readFileSync(siteYaml, 'utf8').replace(
        'recorderHooks: {}',
        `recorderHooks:\n  stop: { kind: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(hook)}, stop, "{camera}", "{address}"] }\n  start: { kind: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(hook)}, start, "{camera}", "{address}"] }`,
      ) +
        // a class for every camera: an unclassified one gets the strictest retention floor, and the simulated
        // cameras that record on board keep an hour (flagged retention-below-minimum), which is not what this tests
        'defaultSystemClass: art33-non-public\n',
    );
    // footage of the toilet camera, quarantined while it is blocked
    const day = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
    mkdirSync(join(recordings, TOILET_ID, day), { recursive: true });
    writeFileSync(join(recordings, TOILET_ID, day, '10-00-00.mp4'), Buffer.alloc(512));
    const keys = join(work, 'command-keys.pem');
    writeFileSync(keys, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const config = join(work, 'camwarden.yaml');
    writeFileSync(config, `discovery:\n  interfaces: [${net.gwCamIf}]\n`);

    await startSim('site', [
      {
        name: 'toilet',
        vendor: 'hikvision',
        address: TOILET,
        httpPort: 8080,
        endpoint: TOILET_EP,
        serial: 'SN-REAL',
        scopes: ['onvif://www.onvif.org/location/zone/toilet'],
        auth: AUTH,
      },
      ...ODD.map((endpoint, i) => ({
        name: `odd-${i}`,
        vendor: 'axis',
        address: oddAddress(i),
        httpPort: 8080,
        endpoint,
        serial: `SN-ODD-${i}`,
        scopes: [`onvif://www.onvif.org/location/zone/${ODD_BLOCKED.has(endpoint) ? 'toilet' : 'public-other'}`],
        auth: AUTH,
      })),
    ]);

    client = await mqtt.connectAsync(`mqtt://${net.nsAddr}:1883`, {
      clientId: `cw-idd-test-${process.pid}`,
      connectTimeout: 10_000,
    });
    client.on('message', (topic, payload) => {
      const rest = topic.slice(base.length + 1);
      if (rest.startsWith('cameras/')) {
        cameraTopics.set(rest.slice('cameras/'.length), payload.toString());
        return;
      }
      if (payload.length === 0) return;
      const value = JSON.parse(payload.toString()) as Json;
      if (rest === 'status') status.push(value);
      else if (rest === 'inventory') inventory = value as unknown as { cameras: Camera[] };
      else if (rest === 'events') events.push(value);
      else if (rest.startsWith('response/')) responses.push(value);
    });
    await client.subscribeAsync(`${base}/#`, { qos: 1 });

    agentEnv = {
      CAMWARDEN_CONFIG: config,
      CAMWARDEN_SITE_ID: 't-site',
      CAMWARDEN_GATEWAY_ID: 't-gw',
      CAMWARDEN_MQTT_URL: 'mqtt://127.0.0.1:1883',
      CAMWARDEN_DATA_DIR: join(work, 'data'),
      CAMWARDEN_PROFILES_DIR: profiles,
      CAMWARDEN_RECORDINGS_DIR: recordings,
      CAMWARDEN_COMMAND_KEYS: keys,
      CAMWARDEN_PROBE_TARGETS: `${camNet}.10-40`,
      CAMWARDEN_MULTICAST: '1',
      CAMWARDEN_ONVIF_USERNAME: AUTH.username,
      CAMWARDEN_ONVIF_PASSWORD: AUTH.password,
      CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *',
      CAMWARDEN_SWEEP_SCHEDULE: '0 0 1 1 *',
      CAMWARDEN_ENFORCE: 'on',
      CAMWARDEN_LOG_LEVEL: 'info',
    };
    startAgent();
  }, 90_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null) agent.kill('SIGKILL');
    await client?.endAsync().catch(() => undefined);
    for (const child of [...sims.values(), ...others]) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const child of [...sims.values(), ...others]) if (child.exitCode === null) child.kill('SIGKILL');
    net?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('odd EndpointReferences: safe ids everywhere, the agent stays online and its events flow', async () => {
    await waitFor('status online', () => status.find((s) => s.state === 'online'), 30_000);
    await waitFor(
      'scan.completed event (the outbox drains)',
      () => events.find((e) => e.type === 'scan.completed'),
      60_000,
    );
    const cameras = await waitFor(
      'inventory with the toilet and odd cameras',
      () => (inventory && inventory.cameras.length >= ODD.length + 1 ? inventory.cameras : undefined),
      30_000,
    );
    for (const [i, endpoint] of ODD.entries()) {
      const rec = cameras.find((c) => c.address === oddAddress(i));
      expect(rec?.endpoint, endpoint).toBe(endpoint);
      expect(isContractId(rec?.id ?? ''), `${endpoint} → ${rec?.id}`).toBe(true);
      expect(rec?.id).toBe(idFromEndpoint(endpoint));
      // public-other cameras are flagged, not allowed: the shipped site profile records no class or sign for them.
      expect(rec?.decision.action).toBe(ODD_BLOCKED.has(endpoint) ? 'block' : 'flag');
    }
    // every camera has its retained topic: no id broke the topic syntax
    await waitFor(
      'a camera topic per camera',
      () => (cameras.every((c) => cameraTopics.has(c.id)) ? true : undefined),
      10_000,
    );
    expect(status.every((s) => s.state === 'online')).toBe(true);

    // the toilet camera is blocked and isolated; the recorder hook saw only plain ids, never an option
    expect(camera((c) => c.id === TOILET_ID)?.decision.action).toBe('block');
    await waitFor('isolation of the toilet camera', () => (blockedSet().includes(TOILET) ? true : undefined), 30_000);
    const calls = await waitFor(
      'hook calls for every blocked camera',
      () => {
        if (!existsSync(hookLog)) return undefined;
        // only whole lines: a hook may be appending its line while the test reads
        const text = readFileSync(hookLog, 'utf8');
        const lines = text
          .slice(0, text.lastIndexOf('\n') + 1)
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string[]);
        return lines.length >= 1 + ODD_BLOCKED.size ? lines : undefined;
      },
      30_000,
    );
    for (const argv of calls) {
      expect(
        argv.slice(1).every((a) => !a.startsWith('-')),
        JSON.stringify(argv),
      ).toBe(true);
      expect(isContractId(argv[1] ?? '')).toBe(true);
    }
    expect(calls.map((a) => a[1])).toEqual(expect.arrayContaining([TOILET_ID, idFromEndpoint('--all')]));
    await waitFor(
      'toilet footage quarantined',
      () => (existsSync(join(recordings, TOILET_ID)) ? undefined : true),
      30_000,
    );
  }, 150_000);

  it('an impostor claiming the blocked camera’s EndpointReference never takes its record', async () => {
    // the impostor answers discovery first (the real camera is slow), which used to win it the record
    await restartSite((d) => (d.name === 'toilet' ? { ...d, faults: [{ kind: 'slow', ms: 400 }] } : d));
    await startSim('impostor', [
      {
        name: 'impostor',
        vendor: 'axis',
        address: IMPOSTOR,
        httpPort: 8080,
        endpoint: TOILET_EP,
        serial: 'SN-FAKE',
        scopes: ['onvif://www.onvif.org/location/zone/public-other'],
        auth: AUTH,
      },
    ]);
    expect(await request('scan', {})).toMatchObject({ status: 'ok' });
    const conflict = await waitFor(
      'identity.conflict',
      () => events.find((e) => e.type === 'identity.conflict' && e.cameraId === TOILET_ID),
      30_000,
    );
    expect(conflict).toMatchObject({ address: TOILET, claimantAddress: IMPOSTOR, addresses: [TOILET, IMPOSTOR] });
    await waitFor('inventory with the impostor', () => camera((c) => c.address === IMPOSTOR), 30_000);
    expect(camera((c) => c.id === TOILET_ID)).toMatchObject({ address: TOILET, decision: { action: 'block' } });
    const fake = camera((c) => c.address === IMPOSTOR);
    expect(fake?.id).toBe(conflict.claimantId);
    expect(fake?.decision.action).toBe('flag');
    const set = blockedSet();
    expect(set).toContain(TOILET);
    expect(set).not.toContain(IMPOSTOR);
  }, 90_000);

  it('a password change keeps the block and all of its enforcement', async () => {
    await stopSim('impostor');
    await restartSite((d) => {
      if (d.name !== 'toilet') return d;
      const { faults: _slow, ...rest } = d;
      return { ...rest, auth: { ...AUTH, password: 'changed-by-owner' } };
    });
    const before = events.length;
    expect(await request('scan', {})).toMatchObject({ status: 'ok' });
    const rec = await waitFor(
      'toilet record after the password change',
      () => {
        const c = camera((x) => x.id === TOILET_ID);
        return c?.errors.some((e) => e.code === 'unauthorized') ? c : undefined;
      },
      30_000,
    );
    expect(rec.decision.action).toBe('block');
    expect(rec.decision.reasons.map((r) => r.code)).toEqual(['unverified-device', 'prohibited-zone']);
    expect(rec.address).toBe(TOILET);
    expect(blockedSet()).toContain(TOILET);
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(join(recordings, TOILET_ID))).toBe(false);

    // an agent restart reconciles from the held record: the block and its isolation survive it, and its first scan
    await stopAgent();
    const bootIds = new Set(status.map((x) => x.bootId));
    startAgent();
    const online = await waitFor(
      'online after the restart',
      () => status.find((x) => x.state === 'online' && !bootIds.has(x.bootId)),
      30_000,
    );
    await waitFor(
      'the first scan after the restart',
      () => events.find((e) => e.type === 'scan.completed' && e.bootId === online.bootId),
      60_000,
    );
    expect(camera((x) => x.id === TOILET_ID)?.decision.action).toBe('block');
    expect(blockedSet()).toContain(TOILET);
    const reverted = events.slice(before).filter((e) => e.type === 'enforcement.reverted');
    expect(reverted).toEqual([]);
    expect(existsSync(join(recordings, TOILET_ID))).toBe(false);
  }, 150_000);

  it('a lost inventory.json keeps the block and all of its enforcement (the enforcement state has it)', async () => {
    // deleted, or lost with a disk swap, while the agent was down; the toilet camera still refuses the credentials
    await stopAgent();
    rmSync(join(work, 'data', 'inventory.json'));
    const before = events.length;
    const bootIds = new Set(status.map((x) => x.bootId));
    startAgent();
    const online = await waitFor(
      'online after the restart',
      () => status.find((x) => x.state === 'online' && !bootIds.has(x.bootId)),
      30_000,
    );
    await waitFor(
      'the first scan after the restart',
      () => events.find((e) => e.type === 'scan.completed' && e.bootId === online.bootId),
      60_000,
    );
    const rec = await waitFor(
      'the toilet record in the inventory of the new boot',
      () => ((inventory as Json | undefined)?.bootId === online.bootId ? camera((x) => x.id === TOILET_ID) : undefined),
      30_000,
    );
    expect(rec.errors.map((e) => e.code)).toContain('unauthorized');
    expect(rec.decision.action).toBe('block');
    expect(rec.decision.reasons.map((r) => r.code)).toContain('unverified-device');
    expect(blockedSet()).toContain(TOILET);
    const reverted = events.slice(before).filter((e) => e.type === 'enforcement.reverted');
    expect(reverted).toEqual([]);
    expect(existsSync(join(recordings, TOILET_ID))).toBe(false);
  }, 150_000);

  it('a device outside the configured targets and subnets gets no credentials (Hello)', async () => {
    await startSim('far', [
      {
        name: 'far',
        vendor: 'dahua',
        address: FAR,
        httpPort: 8080,
        serial: 'SN-FAR',
        scopes: ['onvif://www.onvif.org/location/zone/public-other'],
        auth: AUTH,
        announceTo: [`${gwCam}:3702`],
      },
    ]);
    const far = await waitFor(
      'the Hello-announced device in the inventory',
      () => camera((c) => c.address === FAR),
      60_000,
    );
    expect(far.errors.map((e) => e.code)).toContain('credentials-withheld');
    expect(far.unverified).toBe(true);
    expect(far.decision.action).toBe('flag');
  }, 90_000);

  it('a signed block/release lifts the block (flag while unverified), audited with the key', async () => {
    const response = await request('block/release', {
      cameraId: TOILET_ID,
      reason: 'tag corrected on site',
      unit: 'Store 12',
      name: 'Wang Fang',
    });
    expect(response).toMatchObject({
      status: 'ok',
      data: { cameraId: TOILET_ID, previousAction: 'block', action: 'flag' },
    });
    await waitFor('isolation lifted', () => (blockedSet().includes(TOILET) ? undefined : true), 30_000);
    await waitFor(
      'footage back from quarantine',
      () => (existsSync(join(recordings, TOILET_ID)) ? true : undefined),
      30_000,
    );
    const released = events.find((e) => e.type === 'block.released');
    const keyId = signRequest('t', { a: 1 }, privateKey).keyId;
    expect(released).toMatchObject({
      cameraId: TOILET_ID,
      keyId,
      reason: 'tag corrected on site',
      unit: 'Store 12',
      name: 'Wang Fang',
    });
    const audit = readFileSync(join(work, 'data', 'audit.jsonl'), 'utf8');
    const entry = audit
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; data: Json })
      .find((e) => e.kind === 'block-release');
    expect(entry?.data).toMatchObject({
      cameraId: TOILET_ID,
      keyId,
      reason: 'tag corrected on site',
      unit: 'Store 12',
      name: 'Wang Fang',
    });
    // the footage's way out of quarantine is in the release register, naming the operator, not "decision-changed"
    const register = audit
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; data: Json })
      .find((e) => e.kind === 'quarantine' && e.data.event === 'released');
    expect(register?.data).toMatchObject({
      camera: TOILET_ID,
      keyId,
      reason: 'tag corrected on site',
      unit: 'Store 12',
      name: 'Wang Fang',
      files: 1,
    });

    await stopAgent();
    expect(agentStderr).not.toMatch(/"level":(50|60)/);
  }, 90_000);
});
