import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadActiveProfileSet } from '../../src/agent/active-profile-set.js';
import { loadConfig } from '../../src/config/load-config.js';
import { discover } from '../../src/discovery/ws-discovery.js';
import { planScan, runScan } from '../../src/inventory/scan.js';
import type { ScanResult } from '../../src/model/camera-records.js';
import { decisionsFor } from '../../src/policy/index.js';
import { type SimDeviceSpec, type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { onTestPort } from '../simulator/helpers.js';
import { probeMatch, type Responder, startResponder } from './responder.js';

/**
 * Attacks on discovery and on what devices say about themselves, through the simulator on loopback (each test its
 * own 127.x.y.z block, derived from the pid): every bound drops and counts, never fails the scan, never drops a
 * claimant silently.
 */
const second = 100 + (process.pid % 50);
let block = Math.floor(Math.random() * 200);
const nextPrefix = (): string => {
  block = (block + 1) % 250;
  return `127.${second}.${block}`;
};

let site: SimulatedSite | undefined;
let responders: Responder[] = [];
afterEach(async () => {
  await site?.stop();
  site = undefined;
  await Promise.all(responders.map((r) => r.close()));
  responders = [];
});

function configFor(extra: Record<string, string> = {}, file: Record<string, unknown> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-untrusted-'));
  const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_MULTICAST: '0', ...extra }, dataDir);
  return { ...config, ...file } as typeof config;
}

async function scanSite(devices: SimDeviceSpec[], config = configFor()): Promise<ScanResult> {
  site = await startSimulatedSite(onTestPort({ devices }));
  return runScan({
    config,
    targets: [...new Set(site.devices.map((d) => d.address))],
    multicast: false,
    timeoutMs: 8000,
    // What is judged here is discovery and identity, not decisions.
    decide: (records) => records,
  });
}

describe('one EndpointReference answering from several addresses', () => {
  it('lists every claimant, each under an id of its own, none dropped', async () => {
    const p = nextPrefix();
    const endpoint = 'urn:uuid:6a1f1c2e-0000-4000-8000-00000000beef';
    const r = await scanSite([
      // One host with two addresses…
      { vendor: 'axis', address: `${p}.1`, endpoint, extraAddresses: [`${p}.2`], serial: 'REAL-1' },
      // …and a second device claiming the same EndpointReference.
      { vendor: 'hikvision', address: `${p}.3`, endpoint, serial: 'OTHER-3' },
    ]);
    const claimants = r.cameras.filter((c) => c.endpoint === endpoint);
    expect(claimants.map((c) => c.address).sort()).toEqual([`${p}.1`, `${p}.2`, `${p}.3`]);
    expect(new Set(claimants.map((c) => c.id)).size).toBe(3);
    // Nobody gets the plain id on its own say-so.
    expect(claimants.some((c) => c.id === '6a1f1c2e-0000-4000-8000-00000000beef')).toBe(false);
    for (const c of claimants) {
      expect(c.errors).toContainEqual(expect.objectContaining({ code: 'duplicate-endpoint' }));
      expect(c.id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    }
    expect(claimants.find((c) => c.address === `${p}.3`)?.serial).toBe('OTHER-3');
  });

  it('discovery yields one device per (EndpointReference, address) pair, retransmits collapsed', async () => {
    const p = nextPrefix();
    const endpoint = 'urn:uuid:shared';
    const port = 40000 + (process.pid % 20000);
    for (const host of [1, 2]) {
      responders.push(
        await startResponder(`${p}.${host}`, port, (_probe, id) => [
          probeMatch({ relatesTo: id, endpoint, xaddrs: `http://${p}.${host}/onvif/device_service` }),
          probeMatch({ relatesTo: id, endpoint, xaddrs: `http://${p}.${host}/onvif/device_service` }),
        ]),
      );
    }
    const result = await discover({
      multicast: false,
      unicastTargets: [`${p}.1`, `${p}.2`],
      timeoutMs: 1500,
      port,
    });
    expect(result.devices.map((d) => `${d.endpoint}@${d.address}`).sort()).toEqual([
      `${endpoint}@${p}.1`,
      `${endpoint}@${p}.2`,
    ]);
  });
});

describe('replies that answer no probe of ours', () => {
  it('missing, empty and foreign RelatesTo are counted and reported in the scan errors', async () => {
    const p = nextPrefix();
    const r = await scanSite([
      { vendor: 'axis', address: `${p}.1` },
      { vendor: 'dahua', address: `${p}.2`, faults: [{ kind: 'spoof-relates-to', relatesTo: 'none' }] },
      { vendor: 'bosch', address: `${p}.3`, faults: [{ kind: 'spoof-relates-to', relatesTo: 'empty' }] },
      { vendor: 'uniview', address: `${p}.4`, faults: [{ kind: 'spoof-relates-to' }] },
    ]);
    expect(r.cameras.map((c) => c.address)).toEqual([`${p}.1`]);
    const bySource = (code: string) =>
      r.errors
        .filter((e) => e.code === code)
        .map((e) => e.source)
        .sort();
    expect(bySource('missing-relates-to')).toEqual([`discovery:${p}.2`, `discovery:${p}.3`]);
    expect(bySource('unrelated-reply')).toEqual([`discovery:${p}.4`]);
    expect(r.errors.find((e) => e.source === `discovery:${p}.2`)?.message).toMatch(
      /^\d+ ProbeMatches without a RelatesTo/,
    );
  });

  it('names at most 16 senders per reason, however many spoof', async () => {
    const p = nextPrefix();
    const port = 40000 + ((process.pid + 7) % 20000);
    const hosts = Array.from({ length: 24 }, (_, i) => `${p}.${i + 1}`);
    for (const h of hosts) {
      responders.push(
        await startResponder(h, port, () => [
          probeMatch({ relatesTo: 'urn:uuid:nobody-sent-this', endpoint: `urn:uuid:${h}`, xaddrs: `http://${h}/` }),
        ]),
      );
    }
    const result = await discover({ multicast: false, unicastTargets: hosts, timeoutMs: 1500, port });
    const unrelated = result.errors.filter((e) => e.code === 'unrelated-reply');
    expect(unrelated).toHaveLength(17);
    expect(unrelated.at(-1)?.source).toBe('discovery');
    expect(unrelated.at(-1)?.message).toMatch(/further senders/);
  });
});

describe('devices per address', () => {
  it('one address announcing many EndpointReferences gets maxDevicesPerAddress of them, the rest counted', async () => {
    const p = nextPrefix();
    const port = 40000 + ((process.pid + 13) % 20000);
    responders.push(
      await startResponder(`${p}.1`, port, (_probe, id) =>
        Array.from({ length: 40 }, (_, i) =>
          probeMatch({ relatesTo: id, endpoint: `urn:uuid:fake-${i}`, xaddrs: `http://${p}.1/onvif/${i}` }),
        ),
      ),
    );
    const result = await discover({
      multicast: false,
      unicastTargets: [`${p}.1`],
      timeoutMs: 1500,
      port,
      maxPerSender: 8,
    });
    expect(result.devices).toHaveLength(8);
    const limit = result.errors.filter((e) => e.code === 'device-limit');
    expect(limit).toHaveLength(1);
    expect(limit[0]?.source).toBe(`discovery:${p}.1`);
    expect(Number(/^(\d+)/.exec(limit[0]?.message ?? '')?.[1])).toBeGreaterThanOrEqual(32);
  });

  it('one host announcing many devices by Hello gets maxDevicesPerAddress interrogations, not helloMaxPending', () => {
    const config = configFor();
    const urls = Array.from({ length: 40 }, (_, i) => `http://10.9.9.9:${8000 + i}/onvif/device_service`);
    const plan = planScan({
      config,
      announced: [...urls, urls[0] ?? '', 'http://10.9.9.10/onvif/device_service'],
      multicast: false,
      decide: (r) => r,
    });
    expect(plan.announced.filter((d) => d.address === '10.9.9.9')).toHaveLength(config.discovery.maxDevicesPerAddress);
    expect(plan.announced.map((d) => d.address)).toContain('10.9.9.10');
    expect(new Set(plan.announced.map((d) => d.xaddrs[0])).size).toBe(plan.announced.length);
    expect(plan.errors).toEqual([
      expect.objectContaining({ code: 'hello-dropped', message: expect.stringMatching(/^32 Hello-announced/) }),
    ]);
  });
});

describe('scopes over the bounds', () => {
  const toilet = 'onvif://www.onvif.org/location/zone/toilet';

  it('40,000 scopes from GetScopes: 128 kept, the rest counted, and the camera is flagged, never allowed', async () => {
    const p = nextPrefix();
    // Even with the response caps raised to let the flood in, the scopes are bounded where they are read.
    const config = configFor({}, {});
    config.onvif = { ...config.onvif, maxResponseBytes: 8 * 1024 * 1024, maxResponseElements: 200_000 };
    site = await startSimulatedSite(
      onTestPort({
        devices: [
          { vendor: 'axis', address: `${p}.1`, scopes: [toilet], faults: [{ kind: 'scope-flood', count: 40_000 }] },
          { vendor: 'axis', address: `${p}.2`, scopes: [toilet] },
        ],
      }),
    );
    const { decide } = decisionsFor(await loadActiveProfileSet(config));
    const r = await runScan({
      config,
      targets: [`${p}.1`, `${p}.2`],
      multicast: false,
      timeoutMs: 15_000,
      decide,
    });
    const flooded = r.cameras.find((c) => c.address === `${p}.1`);
    const honest = r.cameras.find((c) => c.address === `${p}.2`);
    expect(flooded?.scopes).toHaveLength(128);
    expect(flooded?.errors).toContainEqual(
      expect.objectContaining({
        code: 'scopes-dropped',
        message: expect.stringMatching(/40\d{3} scopes, \d+ dropped/),
      }),
    );
    // The toilet tag sat past the bound: the decision must not be allow.
    expect(flooded?.decision.action).toBe('flag');
    expect(flooded?.decision.reasons.map((x) => x.code)).toContain('scopes-dropped');
    expect(honest?.decision.action).toBe('block');
    expect(honest?.errors.some((e) => e.code === 'scopes-dropped')).toBe(false);
  }, 40_000);

  it('64 KiB scopes are dropped whole, from GetScopes and from the ProbeMatch', async () => {
    const p = nextPrefix();
    const r = await scanSite([
      {
        vendor: 'bosch',
        address: `${p}.1`,
        scopes: [toilet],
        faults: [{ kind: 'scope-flood', count: 3, length: 65_536 }],
      },
    ]);
    const cam = r.cameras[0];
    expect(cam?.scopes.every((s) => s.length <= 1024)).toBe(true);
    expect(cam?.scopes).toContain(toilet);
    expect(cam?.errors).toContainEqual(
      expect.objectContaining({ code: 'scopes-dropped', message: expect.stringMatching(/3 longer than 1024/) }),
    );
  });

  it('a ProbeMatch stuffed with scopes keeps the first maxScopes and says so', async () => {
    const p = nextPrefix();
    site = await startSimulatedSite(
      onTestPort({
        devices: [
          { vendor: 'axis', address: `${p}.1`, faults: [{ kind: 'scope-flood', count: 2000, inDiscovery: true }] },
        ],
      }),
    );
    const result = await discover({
      multicast: false,
      unicastTargets: [`${p}.1`],
      timeoutMs: 1500,
      scopeLimits: { maxScopes: 50, maxScopeLength: 1024 },
    });
    expect(result.devices[0]?.scopes).toHaveLength(50);
    expect(result.devices[0]?.errors?.[0]?.code).toBe('scopes-dropped');
  });
});
