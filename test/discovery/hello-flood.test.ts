import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { HelloListener } from '../../src/discovery/hello-listener.js';
import { runScan } from '../../src/inventory/scan.js';
import type { DiscoveredDevice, ScanResult } from '../../src/model/camera-records.js';
import { floodHellos } from '../../src/simulator/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { renderMetrics } from '../../src/util/prometheus-text.js';
import { quietPorts } from '../agent/quiet-ports.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A LAN host floods the gateway's Hello listener from many (spoofed-looking) source addresses: 127.x.y.z on
 * loopback, each a sender of its own. The listener and the agent must stay bounded: datagrams past the rate are
 * dropped unread, the pending list is capped, scans are spaced, and the scan never fails because of it.
 */
const second = 150 + (process.pid % 50);
const senders = (block: number, n: number) => Array.from({ length: n }, (_, i) => `127.${second}.${block}.${i + 1}`);
const listenPort = (k: number) => 20000 + ((process.pid * 7 + k) % 20000);

let listener: HelloListener | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  listener?.stop();
  listener = undefined;
});

describe('Hello listener under a flood', () => {
  it('parses at most helloPerSecond datagrams a second, and helloPerSenderPerSecond from one sender', async () => {
    const port = listenPort(1);
    listener = new HelloListener({ port, interfaces: ['cw-none'], perSecond: 20, perSenderPerSecond: 3 });
    await listener.start();
    const seen: DiscoveredDevice[] = [];
    listener.on('hello', (d) => seen.push(d));
    const t0 = Date.now();
    const flood = await floodHellos({ target: '127.0.0.1', port, senders: senders(11, 64), perSender: 30 });
    await new Promise((r) => setTimeout(r, 300));
    const seconds = Math.ceil((Date.now() - t0) / 1000) + 1;
    expect(flood.sent).toBeGreaterThan(1000);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(20 * seconds);
    const perSender = new Map<string, number>();
    for (const d of seen) perSender.set(d.address, (perSender.get(d.address) ?? 0) + 1);
    expect(Math.max(...perSender.values())).toBeLessThanOrEqual(3 * seconds);
    const c = listener.counters;
    expect(c.received).toBe(seen.length + (listener.health().dropped ?? 0));
    // Far more arrived than the budget, and every datagram past it was dropped unread.
    expect(c.received).toBeGreaterThan(20 * seconds * 4);
    expect(c.droppedRate + c.droppedSenderRate).toBe(c.received - seen.length - c.droppedOther - c.droppedUnparsable);
    expect(c.droppedUnparsable + c.droppedOther).toBe(0);
  });

  it('one sender alone gets helloPerSenderPerSecond through, not the whole budget', async () => {
    const port = listenPort(2);
    listener = new HelloListener({ port, interfaces: ['cw-none'], perSecond: 50, perSenderPerSecond: 2 });
    await listener.start();
    let hellos = 0;
    listener.on('hello', () => hellos++);
    const t0 = Date.now();
    await floodHellos({ target: '127.0.0.1', port, senders: senders(12, 1), perSender: 200 });
    await new Promise((r) => setTimeout(r, 200));
    expect(hellos).toBeLessThanOrEqual(2 * (Math.ceil((Date.now() - t0) / 1000) + 1));
    expect(listener.counters.received).toBeGreaterThan(100);
    expect(listener.counters.droppedSenderRate).toBe(listener.counters.received - hellos);
  });
});

/** An agent config for the flood tests: no schedule, no multicast, 6 pending Hellos, short device timeouts. */
function floodConfig(discovery: Partial<Config['discovery']>): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-hello-'));
  const { config } = loadConfig(
    { CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *', CAMWARDEN_MULTICAST: '0' },
    dataDir,
  );
  config.discovery = {
    ...config.discovery,
    timeoutMs: 300,
    helloMaxPending: 6,
    helloScanIntervalS: 60,
    helloPerSecond: 1000,
    helloPerSenderPerSecond: 1000,
    ...discovery,
  };
  config.onvif = { ...config.onvif, callTimeoutMs: 500, deviceTimeoutMs: 1000 };
  return config;
}

describe('agent fed by a Hello flood', () => {
  it('caps the pending list, triggers one scan per interval, and the scan drops the excess instead of failing', async () => {
    const config = floodConfig({ maxTargets: 4 });
    const port = listenPort(3);
    listener = new HelloListener({ port, interfaces: ['cw-none'], perSecond: 1000, perSenderPerSecond: 1000 });
    const scans: ScanResult[] = [];
    const failures: unknown[] = [];
    agent = new Agent({
      config,
      logger: silentLogger(),
      ...quietPorts(),
      retention: undefined,
      hello: listener,
      scan: async ({ decide, policyRevision, announced }) => {
        try {
          return await runScan({ config, decide, policyRevision, announced, logger: silentLogger() });
        } catch (err) {
          failures.push(err);
          throw err;
        }
      },
      onScan: (r) => scans.push(r),
    });
    await agent.start();
    await waitFor('the start-up scan', () => (scans.length === 1 ? true : undefined));
    const health = () => agent?.health()['hello-listener'] ?? {};

    // 40 senders, 5 devices each: 200 announcements, many more hosts than maxTargets.
    await floodHellos({ target: '127.0.0.1', port, senders: senders(13, 40), perSender: 5, xaddrPort: 9 });
    await waitFor('150 Hellos read', () => (Number(health().hello) >= 150 ? true : undefined));
    expect(health().pending).toBe(6);
    expect(Number(health().pendingDropped)).toBeGreaterThanOrEqual(150);
    await waitFor('the Hello-triggered scan', () => (scans.length === 2 ? true : undefined));
    expect(failures).toEqual([]);
    const hello = scans[1]?.errors.filter((e) => e.code === 'hello-dropped') ?? [];
    expect(hello.map((e) => e.message).join(' ')).toMatch(/^\d+ Hello-announced devices over/);
    expect(health().scansTriggered).toBe(1);
    // The counters are on /metrics.
    const metrics = renderMetrics(agent.health());
    expect(metrics).toMatch(/^camwarden_hello_listener_pending_dropped \d+$/m);
    expect(metrics).toMatch(/^camwarden_discovery_bounds_hello_dropped [1-9]\d*$/m);

    // A second flood inside helloScanIntervalS schedules nothing new and keeps the list capped.
    await floodHellos({ target: '127.0.0.1', port, senders: senders(14, 40), perSender: 5, xaddrPort: 9 });
    await new Promise((r) => setTimeout(r, 3000));
    expect(scans).toHaveLength(2);
    expect(health().pending).toBe(6);
    expect(health().scansTriggered).toBe(1);
  }, 40_000);

  it('one sender announcing many devices gets maxDevicesPerAddress pending, leaving room for other cameras', async () => {
    const config = floodConfig({ maxDevicesPerAddress: 2 });
    const port = listenPort(4);
    listener = new HelloListener({ port, interfaces: ['cw-none'], perSecond: 1000, perSenderPerSecond: 1000 });
    const scans: ScanResult[] = [];
    const announcedPerScan: string[][] = [];
    agent = new Agent({
      config,
      logger: silentLogger(),
      ...quietPorts(),
      retention: undefined,
      hello: listener,
      scan: async ({ decide, policyRevision, announced }) => {
        announcedPerScan.push(announced);
        return runScan({ config, decide, policyRevision, announced, logger: silentLogger() });
      },
      onScan: (r) => scans.push(r),
    });
    await agent.start();
    await waitFor('the start-up scan', () => (scans.length === 1 ? true : undefined));
    const health = () => agent?.health()['hello-listener'] ?? {};
    const hellos = (n: number) => () => (Number(health().hello) === n ? true : undefined);

    // A first Hello triggers a scan; the next one may start only helloScanIntervalS later, so nothing takes the
    // pending list while the flood and the camera's Hello arrive.
    const [first, flooder, camera] = senders(15, 3) as [string, string, string];
    await floodHellos({ target: '127.0.0.1', port, senders: [first], perSender: 1, xaddrPort: 9 });
    await waitFor('the Hello-triggered scan', () => (scans.length === 2 ? true : undefined));
    expect(health().pending).toBe(0);

    // One host announces 40 devices (more than helloMaxPending), then a real camera says Hello.
    await floodHellos({ target: '127.0.0.1', port, senders: [flooder], perSender: 40, xaddrPort: 9 });
    await waitFor('the flood read', hellos(41));
    await floodHellos({ target: '127.0.0.1', port, senders: [camera], perSender: 1, xaddrPort: 9 });
    await waitFor("the camera's Hello read", hellos(42));
    expect(health().pending).toBe(3);
    expect(health().pendingDropped).toBe(38);
    expect(health().pendingDroppedSender).toBe(38);
    expect(renderMetrics(agent.health())).toMatch(/^camwarden_hello_listener_pending_dropped_sender 38$/m);

    // The next scan asks the camera directly, and the flooding host for no more than its share.
    await agent.scanJob.runNow();
    const announced = announcedPerScan[2] ?? [];
    expect(announced).toContain(`http://${camera}:9/onvif/device_service`);
    expect(announced.filter((url) => url.includes(`//${flooder}:`))).toHaveLength(2);
    expect(announced).toHaveLength(3);
    expect(health().pending).toBe(0);
  }, 40_000);
});
