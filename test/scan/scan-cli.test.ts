import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model/camera-records.js';
import { ensureDist } from '../helpers/dist.js';
import { type MiniSite, startMiniSite } from './mini-site.js';
import { runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const _MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const prefix = `127.${100 + (process.pid % 100)}.${1 + Math.floor(Math.random() * 250)}`;
const HOSTILE = ['entity-bomb', 'huge-body', 'hang', 'invalid-xml', 'spoof', 'foreign-xaddr', 'printer'] as const;
let site: MiniSite;

beforeAll(async () => {
  ensureDist();
  site = await startMiniSite(prefix, 40, [...HOSTILE], 18080 + (process.pid % 1000));
}, 60_000);

afterAll(async () => {
  await site?.stop();
});

describe('camwarden scan --no-multicast --target <range> --json', () => {
  it('lists every honest device once with verbatim identity; hostile ones harmless', async () => {
    const timeoutMs = 8000;
    const r = await runCli(
      ['scan', '--no-multicast', '--target', `${prefix}.1-254`, '--timeout', String(timeoutMs), '--json'],
      {
        CAMWARDEN_ONVIF_USERNAME: 'admin',
        CAMWARDEN_ONVIF_PASSWORD: 'pw',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    // A hanging device must not hold the scan past its time limit; the margin covers node start-up on a busy
    // machine (this is a liveness check, not a speed target: bench/scan.mjs measures speed).
    expect(r.ms).toBeLessThan(timeoutMs * 2);
    expect(r.hwmKb).toBeGreaterThan(0);
    expect(r.hwmKb).toBeLessThan(200 * 1024); // a 30 MB body never lands in memory
    const result = JSON.parse(r.stdout) as ScanResult;
    const byId = new Map(result.cameras.map((c) => [c.id, c]));
    expect(byId.size).toBe(result.cameras.length);
    for (const d of site.devices.filter((x) => !x.hostile)) {
      const id = d.endpoint.replace('urn:uuid:', '');
      const rec = byId.get(id);
      expect(rec, d.address).toBeDefined();
      expect(rec?.serial).toBe(d.serial);
      expect(rec?.hardwareId).toBe('0727');
      expect(rec?.address).toBe(d.address);
      expect(rec?.errors).toEqual([]);
      expect(rec?.kind).toBe(d.nvr ? 'recorder' : 'camera');
    }
    // NVR channels
    const nvr = site.devices.find((d) => d.nvr);
    const nvrId = nvr?.endpoint.replace('urn:uuid:', '') ?? '';
    expect(byId.get(`${nvrId}:CH1`)?.location.tags).toEqual(['channel/name/更衣室']);
    expect(byId.get(`${nvrId}:CH2`)?.parent).toBe(nvrId);
    // Hostile devices
    const hostile = (h: string) => site.devices.find((d) => d.hostile === h)?.endpoint.replace('urn:uuid:', '') ?? '';
    for (const [h, code] of [
      ['entity-bomb', 'doctype-refused'],
      ['huge-body', 'response-too-large'],
      ['hang', 'timeout'],
      ['invalid-xml', 'invalid-xml'],
      ['foreign-xaddr', 'foreign-xaddr'],
    ] as const) {
      const rec = byId.get(hostile(h));
      expect(rec, h).toBeDefined();
      expect(rec?.errors.map((e) => e.code)).toContain(code);
      expect(rec?.decision.action).toBe('flag');
      expect(rec?.decision.reasons[0]?.code).toBe('unverified-device');
    }
    expect(byId.has(hostile('spoof'))).toBe(false);
    expect(byId.has(hostile('printer'))).toBe(false);
    expect(site.foreignConnections()).toBe(0);
    expect(result.cameras).toHaveLength(40 + 2 + 5);
    expect(JSON.stringify(result)).not.toContain('pw"');
  }, 30_000);

  it('human table fits 80 columns', async () => {
    const r = await runCli(['scan', '--no-multicast', '--target', `${prefix}.1-12`, '--timeout', '3000']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(12);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
  }, 20_000);

  it.each([
    [['--target', '10.0.0.999'], '10.0.0.999'],
    [['--timeout', 'soon'], '--timeout'],
    [['--device', 'not a url'], '--device'],
    [['--bogus'], 'bogus'],
  ])('bad flags exit 2 naming the flag: %s', async (args, name) => {
    const r = await runCli(['scan', '--no-multicast', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(name);
  });
});
