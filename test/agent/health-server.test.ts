import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from '../../src/agent/health-server.js';
import { renderMetrics } from '../../src/util/prometheus-text.js';
import { requireCapability } from '../helpers/capabilities.js';

/** Whether this machine has the IPv6 loopback (containers without IPv6 do not). */
async function canBind(host: string): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, host, () => probe.close(() => resolve(true)));
  });
}
const ipv6Loopback = requireCapability('ipv6-loopback', await canBind('::1'));

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('local health and metrics endpoint', () => {
  it('serves /healthz (503 until ready) and Prometheus /metrics on loopback', async () => {
    let ready = false;
    server = new HealthServer(
      '127.0.0.1:0',
      { health: () => ({ cameras: { total: 3, block: 1 }, reporting: { connected: true, state: 'online' } }) },
      () => ready,
    );
    await server.start();
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    ready = true;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', modules: { cameras: { total: 3 } } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('camwarden_cameras_total 3');
    expect(metrics).toContain('camwarden_cameras_block 1');
    expect(metrics).toContain('camwarden_reporting_connected 1');
    expect(metrics).not.toContain('online'); // strings are not gauges
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it.skipIf(!ipv6Loopback)('binds a bracketed IPv6 address ([::1]:0)', async () => {
    server = new HealthServer('[::1]:0', { health: () => ({}) }, () => true);
    await server.start();
    expect((await fetch(`http://[::1]:${server.port}/healthz`)).status).toBe(200);
  });

  it('names metrics in snake_case', () => {
    expect(renderMetrics({ reporting: { outboxDepth: 7 } })).toContain('camwarden_reporting_outbox_depth 7');
  });
});
