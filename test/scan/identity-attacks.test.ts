import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraRecord, ScanResult } from '../../src/model/camera-records.js';
import { type SimDeviceSpec, type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { isContractId } from '../helpers/contract-id.js';
import { HTTP_PORT, randomBlock } from '../simulator/helpers.js';
import { buildDist, runCli } from './run-cli.js';

/**
 * The attacks of docs/identity.md against `scan --json`, through the simulator over real SOAP and WS-Discovery on
 * loopback: odd EndpointReferences, an impostor claiming a pinned camera's EndpointReference, per-device
 * credentials chosen by a claimed EndpointReference, unauthenticated ProbeMatch scopes, a password change.
 */
const ip = randomBlock();
const ODD = ['urn:uuid:..', '.', 'a/b', 'cam#1', 'cam+1', '--all', `urn:uuid:${'e'.repeat(500)}`];
const TOILET_EP = 'urn:uuid:0f000000-0000-4000-8000-0000000000a1';
const TOILET_ID = '0f000000-0000-4000-8000-0000000000a1';
const AUTH = { mode: 'both' as const, username: 'admin', password: 'pw' };
const SPECIAL = { mode: 'both' as const, username: 'cam-t', password: 'special' };

const odd: SimDeviceSpec[] = ODD.map((endpoint, i) => ({
  name: `odd-${i}`,
  vendor: 'axis',
  address: ip(10 + i),
  httpPort: HTTP_PORT,
  endpoint,
  auth: AUTH,
}));
const toilet: SimDeviceSpec = {
  name: 'toilet',
  vendor: 'hikvision',
  address: ip(30),
  httpPort: HTTP_PORT,
  endpoint: TOILET_EP,
  serial: 'SN-REAL',
  scopes: ['onvif://www.onvif.org/location/zone/toilet'],
  auth: SPECIAL,
};
/** Claims the toilet camera's EndpointReference, with its own serial, a harmless zone, and the per-device login. */
const impostor: SimDeviceSpec = {
  name: 'impostor',
  impersonate: 'toilet',
  vendor: 'axis',
  address: ip(31),
  httpPort: HTTP_PORT,
  serial: 'SN-FAKE',
  scopes: ['onvif://www.onvif.org/location/zone/public-other'],
  auth: SPECIAL,
};
const GUARDED_EP = 'urn:uuid:0f000000-0000-4000-8000-0000000000b1';
const GUARDED_ID = '0f000000-0000-4000-8000-0000000000b1';
/** A toilet camera with a login of its own. */
const guarded: SimDeviceSpec = {
  name: 'guarded',
  vendor: 'hikvision',
  address: ip(50),
  httpPort: HTTP_PORT,
  endpoint: GUARDED_EP,
  serial: 'SN-GUARDED',
  mac: 'bc:ad:28:00:00:42',
  scopes: ['onvif://www.onvif.org/location/zone/toilet'],
  auth: SPECIAL,
};
/** Claims its EndpointReference, copies its serial and MAC, takes the default login, and says it is elsewhere. */
const lookalike: SimDeviceSpec = {
  name: 'lookalike',
  impersonate: 'guarded',
  vendor: 'hikvision',
  address: ip(51),
  httpPort: HTTP_PORT,
  serial: 'SN-GUARDED',
  mac: 'bc:ad:28:00:00:42',
  scopes: ['onvif://www.onvif.org/location/zone/public-other'],
  auth: AUTH,
};
/** GetScopes fails; its ProbeMatch (unauthenticated) claims a harmless zone. */
const noScopes: SimDeviceSpec = {
  name: 'no-scopes',
  vendor: 'bosch',
  address: ip(40),
  httpPort: HTTP_PORT,
  scopes: ['onvif://www.onvif.org/location/zone/public-other'],
  auth: AUTH,
  faults: [{ kind: 'soap-fault-on', operation: 'GetScopes', code: 'Receiver' }],
};

let site: SimulatedSite;
const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-idatk-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  buildDist();
  site = await startSimulatedSite({ devices: [...odd, toilet, impostor, noScopes, guarded, lookalike] });
}, 60_000);
afterAll(async () => {
  await site?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function scan(dir: string, targets: string[], config = ''): Promise<ScanResult> {
  const configFile = join(dir, 'camwarden.yaml');
  writeFileSync(configFile, `dataDir: ${JSON.stringify(dir)}\n${config}`);
  const r = await runCli(
    ['scan', '--no-multicast', '--timeout', '8000', '--json', ...targets.flatMap((t) => ['--target', t])],
    {
      CAMWARDEN_CONFIG: configFile,
      CAMWARDEN_ONVIF_USERNAME: AUTH.username,
      CAMWARDEN_ONVIF_PASSWORD: AUTH.password,
    },
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ScanResult;
}
const byAddress = (result: ScanResult, address: string): CameraRecord[] =>
  result.cameras.filter((c) => c.address === address && !c.parent); // published records carry parent: null

describe('identity attacks on scan', () => {
  it('odd EndpointReferences give safe, distinct ids; the raw value stays in endpoint', async () => {
    const result = await scan(
      dataDir(),
      odd.map((d) => d.address),
    );
    for (const d of odd) {
      const [rec] = byAddress(result, d.address);
      expect(rec?.endpoint, d.name).toBe(d.endpoint);
      expect(isContractId(rec?.id ?? ''), `${d.name}: ${rec?.id}`).toBe(true);
      expect(rec?.id).toMatch(/^[0-9a-f]{32}$/);
      expect(rec?.decision.action).not.toBe('allow');
    }
    expect(new Set(result.cameras.map((c) => c.id)).size).toBe(result.cameras.length);
  }, 30_000);

  it('an impostor claiming a pinned EndpointReference never takes the record, nor the per-device credentials', async () => {
    const dir = dataDir();
    const config = `onvif:\n  devices:\n    - { address: "${toilet.address}", endpoint: "${TOILET_EP}", username: cam-t, password: special }\n`;
    // first authenticated contact: the toilet camera alone pins its id
    const first = await scan(dir, [toilet.address], config);
    expect(byAddress(first, toilet.address)[0]).toMatchObject({ id: TOILET_ID, decision: { action: 'block' } });
    const pins = JSON.parse(readFileSync(join(dir, 'identity-pins.json'), 'utf8')) as { pins: unknown[] };
    expect(pins.pins).toEqual([expect.objectContaining({ id: TOILET_ID, address: toilet.address, serial: 'SN-REAL' })]);

    // the impostor answers too, whichever first: listed on its own, the toilet camera's record unchanged
    site.calls.length = 0;
    const both = await scan(dir, [impostor.address, toilet.address], config);
    const real = byAddress(both, toilet.address);
    expect(real.map((c) => [c.id, c.decision.action, c.serial])).toEqual([[TOILET_ID, 'block', 'SN-REAL']]);
    const fake = byAddress(both, impostor.address);
    expect(fake).toHaveLength(1);
    expect(fake[0]?.id).not.toBe(TOILET_ID);
    expect(fake[0]?.endpoint).toBe(TOILET_EP);
    expect(fake[0]?.errors.map((e) => e.code)).toContain('identity-conflict');
    expect(fake[0]?.decision.action).not.toBe('allow');
    // the per-device login of the toilet camera never went to the impostor, although it claims its EndpointReference
    const impostorUsers = site.calls.filter((c) => c.device === 'impostor').map((c) => c.user);
    expect(impostorUsers).not.toContain('cam-t');
    expect(site.calls.filter((c) => c.device === 'toilet').map((c) => c.user)).toContain('cam-t');
  }, 40_000);

  it('scopes from an unauthenticated ProbeMatch are not used when GetScopes fails', async () => {
    const result = await scan(dataDir(), [noScopes.address]);
    const [rec] = byAddress(result, noScopes.address);
    expect(rec?.scopes).toEqual([]);
    expect(rec?.location.zone).toBe('unknown');
    expect(rec?.decision.action).toBe('flag');
  }, 30_000);

  /** Runs `fn` while the named camera takes another password (changed by its owner, or locked out), then restores it. */
  async function withPassword(device: string, password: string, fn: () => Promise<void>): Promise<void> {
    const running = site.devices.find((d) => d.name === device);
    running?.setPassword(password);
    try {
      await fn();
    } finally {
      running?.setPassword(SPECIAL.password);
    }
  }

  it('a blocked camera whose password changed stays block (unverified-device), as the daemon left it', async () => {
    const dir = dataDir();
    const config = `onvif:\n  devices:\n    - { address: "${toilet.address}", username: cam-t, password: special }\n`;
    const first = await scan(dir, [toilet.address], config);
    expect(byAddress(first, toilet.address)[0]?.decision.action).toBe('block');
    writeFileSync(join(dir, 'inventory.json'), JSON.stringify(first)); // what `run` persists after each scan
    await withPassword('toilet', 'changed-by-the-owner', async () => {
      const after = await scan(dir, [toilet.address], config);
      const [rec] = byAddress(after, toilet.address);
      expect(rec?.id).toBe(TOILET_ID);
      expect(rec?.decision.action).toBe('block');
      expect(rec?.decision.reasons.map((r) => r.code)).toEqual(['unverified-device', 'prohibited-zone']);
      expect(rec?.errors.map((e) => e.code)).toContain('unauthorized');
      expect(rec?.location.zone).toBe('toilet');
    });
  }, 40_000);

  it('after inventory.json is lost, scan still shows the block the enforcement state keeps, as the daemon holds it', async () => {
    const dir = dataDir();
    const config = `onvif:\n  devices:\n    - { address: "${toilet.address}", username: cam-t, password: special }\n`;
    const first = await scan(dir, [toilet.address], config);
    expect(byAddress(first, toilet.address)[0]?.decision.action).toBe('block');
    // No inventory.json (lost); the daemon's enforcement state still isolates the camera.
    const key = `isolate:${toilet.address}`;
    const actions = {
      [key]: {
        spec: { key, kind: 'isolate', cameras: [TOILET_ID], address: toilet.address },
        appliedAt: '2025-01-01T00:00:00.000Z',
      },
    };
    writeFileSync(join(dir, 'enforcement-state.json'), JSON.stringify({ version: 1, actions }));
    await withPassword('toilet', 'changed-by-the-owner', async () => {
      const after = await scan(dir, [toilet.address], config);
      const [rec] = byAddress(after, toilet.address);
      expect(rec?.id).toBe(TOILET_ID);
      expect(rec?.decision.action).toBe('block');
      expect(rec?.decision.reasons.map((r) => r.code)).toContain('unverified-device');
    });
  }, 40_000);

  it('a look-alike proving the serial/MAC elsewhere is no move while the blocked camera still answers at its address', async () => {
    const dir = dataDir();
    const config = `onvif:\n  devices:\n    - { address: "${guarded.address}", username: cam-t, password: special }\n`;
    const first = await scan(dir, [guarded.address], config);
    expect(byAddress(first, guarded.address)[0]).toMatchObject({ id: GUARDED_ID, decision: { action: 'block' } });
    writeFileSync(join(dir, 'inventory.json'), JSON.stringify(first));
    const pinsBefore = readFileSync(join(dir, 'identity-pins.json'), 'utf8');
    // The camera still answers at its address but refuses our login (a changed password, a locked account).
    await withPassword('guarded', 'locked-out', async () => {
      const after = await scan(dir, [lookalike.address, guarded.address], config);
      const [real] = byAddress(after, guarded.address);
      expect([real?.id, real?.decision.action]).toEqual([GUARDED_ID, 'block']);
      expect(real?.location.zone).toBe('toilet');
      const [other] = byAddress(after, lookalike.address);
      expect(other?.id).not.toBe(GUARDED_ID);
      expect(other?.errors.map((e) => e.code)).toContain('identity-conflict');
      expect(other?.decision.action).not.toBe('allow');
      // the pin stays where the camera is
      expect(readFileSync(join(dir, 'identity-pins.json'), 'utf8')).toBe(pinsBefore);
    });
  }, 40_000);
});
