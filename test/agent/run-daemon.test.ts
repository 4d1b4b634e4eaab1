import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailable, netnsAvailable, nftAvailable, requireCapability } from '../helpers/capabilities.js';
import {
  createGatewayNetns,
  type GatewayNetns,
  sh,
  spawnInNs,
  startMosquittoIn,
  startSimulatorIn,
} from '../helpers/gateway-netns.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * `camwarden run` as a child process, in a network namespace of its own (so its nftables table and the
 * simulator's addresses touch nothing on the host), against the simulator and a real mosquitto.
 */
const enabled =
  requireCapability('netns', netnsAvailable() && nftAvailable()) &&
  requireCapability('mosquitto', mosquittoAvailable());
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const DAY = 86_400_000;

interface Seen {
  status: Array<Record<string, unknown>>;
  inventory: Record<string, unknown> | undefined;
  events: Array<Record<string, unknown>>;
}

describe.runIf(enabled)('camwarden run (child process, netns, mosquitto, simulator)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cw-run-'));
  const children: ChildProcess[] = [];
  let agent: ChildProcess | undefined;
  let agentStderr = '';
  let client: MqttClient | undefined;
  let recordings = '';
  let expiredSegment = '';
  const seen: Seen = { status: [], inventory: undefined, events: [] };
  let net: GatewayNetns | undefined;
  const camBase = () => net?.camNet ?? '';

  beforeAll(async () => {
    // gateway netns (agent + mosquitto) ↔ camera netns (simulator); the test reaches the broker over a third veth.
    net = createGatewayNetns({ prefix: 'run', hostNet: '10.213', camNet: '10.214', camHosts: [10, 11, 12, 13] });
    const cams = net.camNet;
    children.push(startMosquittoIn(net.ns, work));

    // four devices: a toilet camera (block), a lobby camera, a factory-placeholder camera, an NVR
    const site = {
      devices: [
        {
          name: 'toilet',
          vendor: 'hikvision',
          address: `${cams}.10`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000010',
          scopes: ['onvif://www.onvif.org/location/zone/toilet'],
        },
        {
          name: 'lobby',
          vendor: 'axis',
          address: `${cams}.11`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000011',
          scopes: ['onvif://www.onvif.org/location/zone/public-other'],
        },
        {
          name: 'placeholder',
          vendor: 'dahua',
          address: `${cams}.12`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000012',
        },
        {
          name: 'nvr',
          vendor: 'hikvision',
          kind: 'nvr',
          address: `${cams}.13`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000013',
          channels: [
            { token: 'CH1', name: 'Gate', location: 'entrance gate' },
            { token: 'CH2', name: 'Locker', location: '更衣室' },
          ],
        },
      ],
    };
    writeFileSync(join(work, 'site.json'), JSON.stringify(site));
    children.push(await startSimulatorIn(net.camNs, cli, join(work, 'site.json')));

    // recordings: one expired and one young segment for the lobby camera
    recordings = join(work, 'recordings');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    for (const [when, name] of [
      [Date.now() - 45 * DAY, '10-00-00.mp4'],
      [Date.now() - 2 * DAY, '10-00-00.mp4'],
    ] as const) {
      const dir = join(recordings, '0f000000-0000-4000-8000-000000000011', day(when));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), Buffer.alloc(1024));
      expiredSegment ||= join(dir, name);
    }

    client = await mqtt.connectAsync(`mqtt://${net.nsAddr}:1883`, {
      clientId: `cw-run-test-${process.pid}`,
      connectTimeout: 10_000,
    });
    client.on('message', (topic, payload) => {
      if (payload.length === 0) return;
      const value = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (topic.endsWith('/status')) seen.status.push(value);
      else if (topic.endsWith('/inventory')) seen.inventory = value;
      else if (topic.endsWith('/events')) seen.events.push(value);
    });
    await client.subscribeAsync('camwarden/t-site/t-gw/#', { qos: 1 });

    agent = spawnInNs(net.ns, ['node', cli, 'run'], {
      CAMWARDEN_SITE_ID: 't-site',
      CAMWARDEN_GATEWAY_ID: 't-gw',
      CAMWARDEN_MQTT_URL: 'mqtt://127.0.0.1:1883',
      CAMWARDEN_DATA_DIR: join(work, 'data'),
      CAMWARDEN_RECORDINGS_DIR: recordings,
      CAMWARDEN_PROBE_TARGETS: `${cams}.10-13`,
      CAMWARDEN_MULTICAST: '0',
      CAMWARDEN_SCAN_SCHEDULE: '*/20 * * * * *',
      CAMWARDEN_SWEEP_SCHEDULE: '0 0 * * *',
      CAMWARDEN_ENFORCE: 'on',
      CAMWARDEN_LOG_LEVEL: 'info',
    });
    agent.stderr?.on('data', (c: Buffer) => {
      agentStderr += c.toString();
    });
  }, 60_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null) agent.kill('SIGKILL');
    await client?.endAsync().catch(() => undefined);
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    net?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('reports online, the inventory, an enforced block and a sweep; SIGTERM gives stopped and exit 0', async () => {
    const online = await waitFor('status online', () => seen.status.find((s) => s.state === 'online'), 30_000);
    expect(typeof online.bootId).toBe('string');

    const inventory = await waitFor(
      'inventory with cameras',
      () =>
        Array.isArray(seen.inventory?.cameras) && (seen.inventory.cameras as unknown[]).length >= 4
          ? seen.inventory
          : undefined,
      40_000,
    );
    const cameras = inventory.cameras as Array<{ id: string; decision: { action: string }; kind: string }>;
    const toilet = cameras.find((c) => c.id === '0f000000-0000-4000-8000-000000000010');
    expect(toilet?.decision.action).toBe('block');
    expect(cameras.find((c) => c.id === '0f000000-0000-4000-8000-000000000013:CH2')?.decision.action).toBe('block');

    const applied = await waitFor(
      'enforcement.applied for the toilet camera',
      () => seen.events.find((e) => e.type === 'enforcement.applied' && JSON.stringify(e).includes(`${camBase()}.10`)),
      30_000,
    );
    expect(applied.bootId).toBe(online.bootId);
    const set = sh('ip', ['netns', 'exec', net?.ns ?? '', 'nft', 'list', 'set', 'inet', 'camwarden', 'blocked_v4']);
    expect(set).toContain(`${camBase()}.10`);
    expect(set).not.toContain(`${camBase()}.11`);

    // quarantine moves of the blocked cameras are sweeps too; the scheduled pass deletes the lobby's expired segment
    const swept = await waitFor(
      'retention.swept with a deletion',
      () => seen.events.find((e) => e.type === 'retention.swept' && Number(e.deleted) >= 1),
      30_000,
    );
    expect(Number(swept.bytesFreed)).toBeGreaterThanOrEqual(1024);

    const exit = new Promise<number | null>((resolve) => agent?.once('exit', (code) => resolve(code)));
    agent?.kill('SIGTERM');
    expect(await exit).toBe(0);
    const stopped = await waitFor('status stopped', () => seen.status.find((s) => s.state === 'stopped'), 10_000);
    expect(stopped.bootId).toBe(online.bootId);
    expect(agentStderr).not.toMatch(/"level":(50|60)/);
    // the audit trail recorded the enforcement, and the deletion the daemon's sweep made, path by path
    const auditFile = join(work, 'data', 'audit.jsonl');
    const entries = readFileSync(auditFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; hash: string; seq: number; data: Record<string, unknown> });
    expect(entries.some((e) => e.kind === 'enforcement')).toBe(true);
    const deleted = entries
      .filter((e) => e.kind === 'deletion')
      .flatMap((e) => (e.data.paths as string[]).map((p) => join(e.data.root as string, p)));
    expect(deleted).toContain(expiredSegment);
    // the published head is the log's last entry: an anchor the registry keeps, which catches a log cut short
    const head = stopped.audit as { head: string; seq: number };
    expect(head).toEqual({ head: entries.at(-1)?.hash, seq: entries.at(-1)?.seq });
    const verify = (args: string[]) =>
      spawnSync(process.execPath, [cli, 'audit', 'verify', '--file', auditFile, ...args], { encoding: 'utf8' });
    expect(verify(['--anchor', head.head]).status).toBe(0);
    writeFileSync(auditFile, `${readFileSync(auditFile, 'utf8').split('\n').slice(0, 3).join('\n')}\n`);
    expect(verify([]).status).toBe(0);
    expect(verify(['--anchor', head.head]).stdout).toContain('anchor-missing');
  }, 120_000);
});
