import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MOSQUITTO_BIN,
  mosquittoAvailable,
  netnsAvailable,
  nftAvailable,
  requireCapability,
} from '../helpers/capabilities.js';
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
// gateway netns (agent + mosquitto) ↔ camera netns (simulator); the test reaches the broker over a third veth.
const ns = `cw-run-${process.pid}`;
const camNs = `cw-runcam-${process.pid}`;
const tag = process.pid % 100000;
const hostIf = `cwr${tag}h`;
const nsIf = `cwr${tag}n`;
const gwCamIf = `cwr${tag}g`;
const camIf = `cwr${tag}c`;
const third = 10 + (process.pid % 200);
const hostAddr = `10.213.${third}.1`;
const nsAddr = `10.213.${third}.2`;
const camBase = `10.214.${third}`;
const DAY = 86_400_000;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
}

function inNs(args: string[], opts: { env?: Record<string, string> } = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

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
  const seen: Seen = { status: [], inventory: undefined, events: [] };

  beforeAll(async () => {
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    sh('ip', ['link', 'set', nsIf, 'netns', ns]);
    sh('ip', ['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    sh('ip', ['-n', ns, 'link', 'set', nsIf, 'up']);
    sh('ip', ['netns', 'add', camNs]);
    sh('ip', ['-n', camNs, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'link', 'add', gwCamIf, 'type', 'veth', 'peer', 'name', camIf]);
    sh('ip', ['-n', ns, 'link', 'set', camIf, 'netns', camNs]);
    sh('ip', ['-n', ns, 'addr', 'add', `${camBase}.1/24`, 'dev', gwCamIf]);
    sh('ip', ['-n', ns, 'link', 'set', gwCamIf, 'up']);
    for (const host of [10, 11, 12, 13]) sh('ip', ['-n', camNs, 'addr', 'add', `${camBase}.${host}/24`, 'dev', camIf]);
    sh('ip', ['-n', camNs, 'link', 'set', camIf, 'up']);
    sh('ip', ['-n', camNs, 'route', 'add', 'default', 'via', `${camBase}.1`]);

    // mosquitto inside the namespace, reachable from the test over the veth
    const conf = join(work, 'mosquitto.conf');
    writeFileSync(conf, `listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\n`);
    const broker = inNs([MOSQUITTO_BIN ?? 'mosquitto', '-c', conf]);
    children.push(broker);

    // four devices: a toilet camera (block), a lobby camera, a factory-placeholder camera, an NVR
    const site = {
      devices: [
        {
          name: 'toilet',
          vendor: 'hikvision',
          address: `${camBase}.10`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000010',
          scopes: ['onvif://www.onvif.org/location/zone/toilet'],
        },
        {
          name: 'lobby',
          vendor: 'axis',
          address: `${camBase}.11`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000011',
          scopes: ['onvif://www.onvif.org/location/zone/public-other'],
        },
        {
          name: 'placeholder',
          vendor: 'dahua',
          address: `${camBase}.12`,
          httpPort: 8080,
          endpoint: 'urn:uuid:0f000000-0000-4000-8000-000000000012',
        },
        {
          name: 'nvr',
          vendor: 'hikvision',
          kind: 'nvr',
          address: `${camBase}.13`,
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
    const sim = spawn(
      'ip',
      ['netns', 'exec', camNs, 'node', cli, 'simulate', '--site', join(work, 'site.json'), '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(sim);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      sim.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve();
      });
      sim.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
      setTimeout(() => reject(new Error('simulator did not start')), 15_000);
    });

    // recordings: one expired and one young segment for the lobby camera
    const recordings = join(work, 'recordings');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    for (const [when, name] of [
      [Date.now() - 45 * DAY, '10-00-00.mp4'],
      [Date.now() - 2 * DAY, '10-00-00.mp4'],
    ] as const) {
      const dir = join(recordings, '0f000000-0000-4000-8000-000000000011', day(when));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), Buffer.alloc(1024));
    }

    client = await mqtt.connectAsync(`mqtt://${nsAddr}:1883`, {
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

    agent = inNs(['node', cli, 'run'], {
      env: {
        CAMWARDEN_SITE_ID: 't-site',
        CAMWARDEN_GATEWAY_ID: 't-gw',
        CAMWARDEN_MQTT_URL: 'mqtt://127.0.0.1:1883',
        CAMWARDEN_DATA_DIR: join(work, 'data'),
        CAMWARDEN_RECORDINGS_DIR: recordings,
        CAMWARDEN_PROBE_TARGETS: `${camBase}.10-13`,
        CAMWARDEN_MULTICAST: '0',
        CAMWARDEN_SCAN_SCHEDULE: '*/20 * * * * *',
        CAMWARDEN_SWEEP_SCHEDULE: '0 0 * * *',
        CAMWARDEN_ENFORCE: 'on',
        CAMWARDEN_LOG_LEVEL: 'info',
      },
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
    try {
      sh('ip', ['link', 'del', hostIf]);
    } catch {
      // gone with the namespace
    }
    for (const name of [ns, camNs]) {
      try {
        sh('ip', ['netns', 'del', name]);
      } catch {
        // already gone
      }
    }
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
      () => seen.events.find((e) => e.type === 'enforcement.applied' && JSON.stringify(e).includes(`${camBase}.10`)),
      30_000,
    );
    expect(applied.bootId).toBe(online.bootId);
    const set = sh('ip', ['netns', 'exec', ns, 'nft', 'list', 'set', 'inet', 'camwarden', 'blocked_v4']);
    expect(set).toContain(`${camBase}.10`);
    expect(set).not.toContain(`${camBase}.11`);

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
    // the audit trail recorded the enforcement
    expect(readFileSync(join(work, 'data', 'audit.jsonl'), 'utf8')).toContain('enforcement');
  }, 120_000);
});
