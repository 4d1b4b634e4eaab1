import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model/camera-records.js';
import { generateSite, type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { HTTP_PORT } from '../simulator/helpers.js';
import { buildDist, runCli } from './run-cli.js';

const third = 1 + Math.floor(Math.random() * 250);
const second = 150 + (process.pid % 50);
const BASE = `127.${second}.${third}.1`;
const RANGE = `127.${second}.${third}.1-254`;
const HOSTILE = [
  'entity-bomb',
  'huge-body',
  'hang',
  'invalid-xml',
  'spoof-relates-to',
  'foreign-xaddr',
  'non-onvif',
] as const;
let site: SimulatedSite;
const foreign: { server?: Server; connections: number; host?: string } = { connections: 0 };

const idOf = (endpoint: string) => endpoint.replace(/^urn:uuid:/i, '').replace(/^uuid:/i, '');

beforeAll(async () => {
  buildDist();
  const spec = generateSite({
    base: BASE,
    count: 40,
    seed: third,
    nvrs: 2,
    hostile: [...HOSTILE],
    auth: { mode: 'both', username: 'admin', password: 'pw' },
    zones: ['toilet', 'public-other', 'changing-room'],
    httpPort: HTTP_PORT,
  });
  // The foreign-xaddr device points at a host of this run, where a listener counts connections (must stay 0).
  const target = new URL(`http://127.254.${second}.${third}:${HTTP_PORT}/onvif/device_service`);
  const f = spec.devices.flatMap((d) => d.faults ?? []).find((x) => x.kind === 'foreign-xaddr');
  if (!f) throw new Error('the generated site has no foreign-xaddr device');
  f.xaddr = target.href;
  site = await startSimulatedSite(spec);
  foreign.host = target.hostname;
  foreign.server = createServer((s) => {
    foreign.connections++;
    s.destroy();
  });
  // A listener that could not start would count nothing and make the assertion below vacuous: fail instead.
  await new Promise<void>((resolve, reject) => {
    foreign.server?.once('error', reject);
    foreign.server?.listen(Number(target.port), target.hostname, resolve);
  });
}, 60_000);

afterAll(async () => {
  await site?.stop();
  await new Promise((r) => (foreign.server?.listening ? foreign.server.close(r) : r(undefined)));
});

describe('scan of a simulated site (≥40 devices, 7 vendor styles, NVRs, hostile devices)', () => {
  it('lists every honest device exactly once with verbatim identity; hostile ones neither crash nor stall it', async () => {
    const timeoutMs = 10_000;
    const r = await runCli(['scan', '--no-multicast', '--target', RANGE, '--timeout', String(timeoutMs), '--json'], {
      CAMWARDEN_ONVIF_USERNAME: 'admin',
      CAMWARDEN_ONVIF_PASSWORD: 'pw',
    });
    expect(r.code, r.stderr).toBe(0);
    // A hanging device must not hold the scan past its time limit; the margin covers node start-up on a busy
    // machine (this is a liveness check, not a speed target: bench/scan.mjs measures speed).
    expect(r.ms).toBeLessThan(timeoutMs * 2);
    expect(r.hwmKb).toBeLessThan(200 * 1024);
    const result = JSON.parse(r.stdout) as ScanResult;
    const ids = result.cameras.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const vendors = new Set<string>();
    for (const d of site.devices) {
      const faults = (d.spec.faults ?? []).map((f) => f.kind);
      const rec = result.cameras.find((c) => c.id === idOf(d.endpoint));
      if (faults.includes('spoof-relates-to') || faults.includes('non-onvif')) {
        expect(rec, `${d.spec.name} must not be listed`).toBeUndefined();
        continue;
      }
      expect(rec, d.spec.name).toBeDefined();
      if (faults.length > 0) {
        expect(rec?.errors.length, d.spec.name).toBeGreaterThan(0);
        expect(rec?.decision.reasons.map((x) => x.code)).toContain('unverified-device');
        continue;
      }
      vendors.add(d.spec.vendor);
      expect(rec?.errors, d.spec.name).toEqual([]);
      if (d.spec.serial !== undefined) expect(rec?.serial).toBe(d.spec.serial);
      if (d.spec.hardwareId !== undefined) expect(rec?.hardwareId).toBe(d.spec.hardwareId);
      expect(rec?.kind).toBe(d.spec.kind === 'nvr' ? 'recorder' : 'camera');
      if (d.spec.kind === 'nvr') {
        const channels = result.cameras.filter((c) => c.parent === rec?.id);
        expect(channels.length).toBe(d.spec.channels?.length ?? 0);
      }
    }
    expect(vendors.size).toBeGreaterThanOrEqual(5);
    expect(foreign.connections).toBe(0);
    expect(r.stdout).not.toContain('"pw"');
  }, 40_000);
});
