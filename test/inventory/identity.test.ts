import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { recordId } from '../../src/inventory/build-records.js';
import { chooseCredentials, credentialScope } from '../../src/inventory/credentials.js';
import {
  identityPinsPath,
  type PinnedIdentity,
  readIdentityPins,
  writeIdentityPins,
} from '../../src/inventory/identity-pins.js';
import { resolveIdentities } from '../../src/inventory/resolve-identity.js';
import type { DeviceReport } from '../../src/model/camera-records.js';
import { emptyReport } from '../../src/onvif/interrogate.js';

const EP = 'urn:uuid:0f000000-0000-4000-8000-000000000010';
const ID = '0f000000-0000-4000-8000-000000000010';
const NOW = new Date('2026-11-29T10:00:00Z');

function report(address: string, over: Partial<DeviceReport> = {}, endpoint = EP): DeviceReport {
  const r = emptyReport(
    { endpoint, address, xaddrs: [`http://${address}/onvif/device_service`], scopes: [], types: [], via: 'unicast' },
    `http://${address}/onvif/device_service`,
  );
  return { ...r, ...over };
}
const proved = (serial: string, over: Partial<DeviceReport> = {}) => ({
  manufacturer: 'HIK',
  serial,
  authenticated: true,
  scopes: ['onvif://www.onvif.org/MAC/bc:ad:28:00:00:01'],
  ...over,
});
const pin = (over: Partial<PinnedIdentity> = {}): PinnedIdentity => ({
  id: ID,
  endpoint: EP,
  address: '10.0.0.10',
  xaddr: 'http://10.0.0.10/onvif/device_service',
  serial: 'SN-REAL',
  mac: 'bcad28000001',
  pinnedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

function resolve(reports: DeviceReport[], pins: PinnedIdentity[] = [], held: Record<string, string> = {}) {
  const { claims, outcome } = resolveIdentities(reports, recordId, { pins, held }, NOW);
  return { ids: reports.map((r) => claims.get(r)?.id), claims, outcome };
}

describe('identity pinning', () => {
  it('pins the id on first authenticated contact, never on an unauthenticated one', () => {
    const first = resolve([report('10.0.0.10', proved('SN-REAL'))]);
    expect(first.ids).toEqual([ID]);
    expect(first.outcome.pins).toEqual([pin({ pinnedAt: NOW.toISOString() })]);
    const anonymous = resolve([report('10.0.0.10', { manufacturer: 'HIK', serial: 'SN-REAL' })]);
    expect(anonymous.ids).toEqual([ID]);
    expect(anonymous.outcome).toEqual({ pins: [], events: [] });
  });

  it('an impostor claiming a pinned EndpointReference never takes the record: own id, conflict naming both', () => {
    const real = report('10.0.0.10', proved('SN-REAL'));
    const impostor = report('10.0.0.66', proved('SN-FAKE', { scopes: [] }));
    for (const order of [
      [impostor, real],
      [real, impostor],
    ]) {
      const r = resolve(order, [pin()]);
      expect(r.claims.get(real)?.id).toBe(ID);
      const claim = r.claims.get(impostor);
      expect(claim?.id).not.toBe(ID);
      expect(claim?.id).toMatch(/^[0-9a-f]{32}$/);
      expect(claim?.errors.map((e) => e.code)).toEqual(['duplicate-endpoint', 'identity-conflict']);
      expect(claim?.errors[1]?.message).toMatch(/camera 0f000000-0000-4000-8000-000000000010 \(at 10\.0\.0\.10\)/);
      expect(r.outcome.events).toEqual([
        {
          type: 'identity.conflict',
          data: expect.objectContaining({
            cameraId: ID,
            address: '10.0.0.10',
            claimantId: claim?.id,
            claimantAddress: '10.0.0.66',
            addresses: ['10.0.0.10', '10.0.0.66'],
          }),
        },
      ]);
      expect(r.outcome.pins).toEqual([]);
    }
  });

  it('the impostor alone (the real camera silent) still does not take the id, authenticated or not', () => {
    for (const over of [proved('SN-FAKE'), {}, { manufacturer: 'X', serial: 'SN-REAL' }]) {
      const r = resolve([report('10.0.0.66', over)], [pin()]);
      expect(r.ids[0]).not.toBe(ID);
      expect(r.outcome.events.map((e) => e.type)).toEqual(['identity.conflict']);
    }
  });

  it('a device at the pinned address that cannot authenticate keeps the id (its record, its held block)', () => {
    const r = resolve([report('10.0.0.10', {})], [pin()]);
    expect(r.ids).toEqual([ID]);
    expect(r.outcome).toEqual({ pins: [], events: [] });
    // …but one that authenticates there with other facts is a conflict
    const swapped = resolve([report('10.0.0.10', proved('SN-OTHER'))], [pin()]);
    expect(swapped.ids[0]).not.toBe(ID);
    expect(swapped.outcome.events[0]).toMatchObject({
      type: 'identity.conflict',
      data: { claimantAddress: '10.0.0.10' },
    });
  });

  it('a pinned camera that really moved (same serial/MAC, new address) keeps its id; the move is an event', () => {
    const r = resolve([report('10.0.0.77', proved('SN-REAL'))], [pin()]);
    expect(r.ids).toEqual([ID]);
    expect(r.outcome.events).toEqual([
      {
        type: 'identity.moved',
        data: { cameraId: ID, endpoint: EP, previousAddress: '10.0.0.10', address: '10.0.0.77' },
      },
    ]);
    expect(r.outcome.pins).toEqual([pin({ address: '10.0.0.77', xaddr: 'http://10.0.0.77/onvif/device_service' })]);
    // the MAC alone proves it too (serial not reported); a differing serial never does
    expect(resolve([report('10.0.0.77', { ...proved(''), serial: '' })], [pin()]).ids).toEqual([ID]);
    expect(resolve([report('10.0.0.77', proved('SN-X'))], [pin()]).ids[0]).not.toBe(ID);
  });

  it('a move needs the pinned address given up: silent there, the look-alike moves the id; answering, it does not', () => {
    const elsewhere = report('10.0.0.77', proved('SN-REAL'));
    // the scan also asks the pinned address when a claimant appears elsewhere: nothing answers there
    const silent = report('10.0.0.10', { errors: [{ code: 'timeout', message: 'no answer' }] });
    const moved = resolve([silent, elsewhere], [pin()]);
    expect(moved.claims.get(elsewhere)?.id).toBe(ID);
    expect(moved.outcome.events.map((e) => e.type)).toContain('identity.moved');
    // the camera answers there but refuses the login: it keeps its id (and whatever block it had)
    const refusing = report('10.0.0.10', { clockSkewMs: 0, errors: [{ code: 'unauthorized', message: '401' }] });
    for (const order of [
      [refusing, elsewhere],
      [elsewhere, refusing],
    ]) {
      const r = resolve(order, [pin()]);
      expect(r.claims.get(refusing)?.id).toBe(ID);
      const claim = r.claims.get(elsewhere);
      expect(claim?.id).not.toBe(ID);
      expect(claim?.errors.map((e) => e.code)).toEqual(['duplicate-endpoint', 'identity-conflict']);
      expect(r.outcome.events).toEqual([
        {
          type: 'identity.conflict',
          data: expect.objectContaining({ cameraId: ID, address: '10.0.0.10', claimantAddress: '10.0.0.77' }),
        },
      ]);
      expect(r.outcome.pins).toEqual([]);
    }
  });

  it('two addresses elsewhere proving the pinned facts: neither is taken for a move, whichever sorts first', () => {
    const silent = report('10.0.0.10', { errors: [{ code: 'timeout', message: 'no answer' }] });
    const moved = report('10.0.0.77', proved('SN-REAL'));
    const copy = report('10.0.0.100', proved('SN-REAL')); // '10.0.0.100' sorts before '10.0.0.77'
    for (const reports of [
      [silent, moved, copy],
      [moved, copy],
    ]) {
      const r = resolve(reports, [pin()]);
      expect(r.claims.get(moved)?.id).not.toBe(ID);
      expect(r.claims.get(copy)?.id).not.toBe(ID);
      expect(r.claims.get(copy)?.errors.map((e) => e.code)).toEqual(['duplicate-endpoint', 'identity-conflict']);
      expect(r.outcome.events.map((e) => e.type)).toEqual(['identity.conflict', 'identity.conflict']);
      expect(r.outcome.pins).toEqual([]);
    }
  });

  it('the same camera answering at two addresses: the pinned one owns the id, the other is listed, no conflict', () => {
    const second = report('10.0.0.9', proved('SN-REAL'));
    const pinned = report('10.0.0.10', proved('SN-REAL'));
    const r = resolve([second, pinned], [pin()]);
    expect(r.ids[1]).toBe(ID);
    expect(r.ids[0]).not.toBe(ID);
    expect(r.claims.get(second)?.errors.map((e) => e.code)).toEqual(['duplicate-endpoint']);
    expect(r.claims.get(pinned)?.errors).toEqual([]);
    expect(r.outcome.events).toEqual([]);
  });

  it('without a pin, several claimants that disagree: nobody gets the id, each is a conflict', () => {
    const a = report('10.0.0.10', proved('SN-A'));
    const b = report('10.0.0.11', proved('SN-B'));
    const r = resolve([a, b]);
    expect(r.ids.every((id) => id !== ID)).toBe(true);
    expect(new Set(r.ids).size).toBe(2);
    expect(r.outcome.events.map((e) => e.type)).toEqual(['identity.conflict', 'identity.conflict']);
    expect(r.outcome.pins).toEqual([]);
  });

  it('without a pin, a blocked camera is held at its address: a claimant elsewhere gets its own id', () => {
    const r = resolve([report('10.0.0.66', { manufacturer: 'X' })], [], { [ID]: '10.0.0.10' });
    expect(r.ids[0]).not.toBe(ID);
    expect(r.outcome.events[0]).toMatchObject({ data: { cameraId: ID, address: '10.0.0.10' } });
    expect(resolve([report('10.0.0.10', {})], [], { [ID]: '10.0.0.10' }).ids).toEqual([ID]);
  });

  it('odd EndpointReferences of claimants still give safe, distinct ids', () => {
    const odd = ['urn:uuid:..', '#', 'a/b'];
    const r = resolve(odd.flatMap((e) => [report('10.0.0.1', {}, e), report('10.0.0.2', {}, e)]));
    expect(new Set(r.ids).size).toBe(6);
    for (const id of r.ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('identity pins file', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('round-trips; a missing file is no pins; a corrupt one is an error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-pins-'));
    dirs.push(dir);
    expect(await readIdentityPins(dir)).toEqual([]);
    await writeIdentityPins(dir, [pin()]);
    expect(await readIdentityPins(dir)).toEqual([pin()]);
    await writeFile(identityPinsPath(dir), '{"version":1,"pins":[{"id":3}]}');
    await expect(readIdentityPins(dir)).rejects.toThrow(/identity-pins\.json: pins\.0\.id/);
    await writeFile(identityPinsPath(dir), 'not json');
    await expect(readIdentityPins(dir)).rejects.toThrow(/identity-pins\.json: not valid JSON/);
  });
});

describe('credentials', () => {
  const config = configSchema.parse({
    site: { id: 's', gatewayId: 'g' },
    discovery: { probeTargets: ['10.0.0.0/24'] },
    onvif: {
      username: 'site',
      password: 'site-pw',
      devices: [
        { address: '10.0.0.5', username: 'by-address', password: 'a' },
        { endpoint: EP, username: 'by-endpoint', password: 'e' },
        { serial: 'SN-9', username: 'by-serial', password: 's' },
      ],
    },
  });
  const scope = credentialScope(config, {
    targets: ['10.0.0.10', '10.0.0.5', '10.0.0.66'],
    hosts: [],
    multicast: false,
  });
  const user = (address: string, endpoint: string, pins: PinnedIdentity[] = []) =>
    chooseCredentials(config, { address, endpoint }, scope, pins).credentials?.username;

  it('defaults go only inside the scope; outside, nothing and a reason', () => {
    expect(user('10.0.0.66', 'urn:uuid:other')).toBe('site');
    const outside = chooseCredentials(config, { address: '192.168.9.9', endpoint: '' }, scope, []);
    expect(outside.credentials).toBeUndefined();
    expect(outside.withheld).toMatch(/192\.168\.9\.9 is outside/);
  });

  it('per-device credentials are never chosen by the EndpointReference alone', () => {
    // an impostor claiming EP gets the defaults (it is in scope), never the per-device secret
    expect(user('10.0.0.66', EP, [pin()])).toBe('site');
    expect(user('10.0.0.10', EP)).toBe('site');
    // once EP is pinned at 10.0.0.10, the entry applies there
    expect(user('10.0.0.10', EP, [pin()])).toBe('by-endpoint');
    expect(user('192.168.9.9', EP, [pin()])).toBeUndefined();
  });

  it('address entries apply at their address; serial entries where that serial is pinned', () => {
    expect(user('10.0.0.5', 'urn:uuid:any')).toBe('by-address');
    const sn9 = pin({ id: 'y', endpoint: 'urn:uuid:y', address: '10.0.0.20', serial: 'SN-9' });
    expect(user('10.0.0.20', 'urn:uuid:y', [sn9])).toBe('by-serial');
    expect(user('10.0.0.66', 'urn:uuid:y', [sn9])).toBe('site');
  });

  it('a serial entry stays with the camera pinned first with that serial, not a later look-alike', () => {
    // A device in scope accepts the defaults, reports SN-9 under an EndpointReference of its own and is pinned with
    // it: the SN-9 camera's own login must not follow that second pin to its address.
    const sn9 = pin({ id: 'y', endpoint: 'urn:uuid:y', address: '10.0.0.20', serial: 'SN-9' });
    const copy = pin({
      id: 'z',
      endpoint: 'urn:uuid:z',
      address: '10.0.0.66',
      serial: 'SN-9',
      pinnedAt: '2026-06-01T00:00:00.000Z',
    });
    for (const pins of [
      [sn9, copy],
      [copy, sn9],
    ]) {
      expect(user('10.0.0.66', 'urn:uuid:z', pins)).toBe('site');
      expect(user('10.0.0.66', '', pins)).toBe('site'); // a lever call names no EndpointReference
      expect(user('10.0.0.20', 'urn:uuid:y', pins)).toBe('by-serial');
    }
    // pinned in the same scan (nobody was first): the entry goes to neither
    const tie = { ...copy, pinnedAt: sn9.pinnedAt };
    expect(user('10.0.0.66', 'urn:uuid:z', [sn9, tie])).toBe('site');
    expect(user('10.0.0.20', 'urn:uuid:y', [sn9, tie])).toBeUndefined(); // outside the scope: no defaults either
    // the camera that moved keeps its pin (and its pinnedAt): the entry follows it
    expect(user('10.0.0.21', 'urn:uuid:y', [{ ...sn9, address: '10.0.0.21' }, copy])).toBe('by-serial');
  });

  it('an address entry naming a serial stays behind when that camera is pinned elsewhere (it moved)', () => {
    const narrowed = configSchema.parse({
      site: { id: 's', gatewayId: 'g' },
      discovery: { probeTargets: ['10.0.0.0/24'] },
      onvif: {
        username: 'site',
        password: 'site-pw',
        devices: [{ address: '10.0.0.5', serial: 'SN-5', username: 'cam-5', password: '5' }],
      },
    });
    const at = (address: string, endpoint: string, pins: PinnedIdentity[]) =>
      chooseCredentials(narrowed, { address, endpoint }, scope, pins).credentials?.username;
    const sn5 = pin({ id: 'w', endpoint: 'urn:uuid:w', address: '10.0.0.5', serial: 'SN-5' });
    expect(at('10.0.0.5', 'urn:uuid:w', [sn5])).toBe('cam-5');
    expect(at('10.0.0.5', 'urn:uuid:new', [])).toBe('cam-5'); // first contact: the address decides
    // the camera moved to .21: whatever now answers at .5 is not it, under any EndpointReference
    const moved = { ...sn5, address: '10.0.0.21' };
    expect(at('10.0.0.5', 'urn:uuid:other', [moved])).toBe('site');
    expect(at('10.0.0.5', 'urn:uuid:w', [moved])).toBe('site');
    expect(at('10.0.0.5', '', [moved])).toBe('site');
    // a look-alike pinned later with SN-5 elsewhere does not take the entry away from the camera at .5
    const copy = pin({
      id: 'z',
      endpoint: 'urn:uuid:z',
      address: '10.0.0.66',
      serial: 'SN-5',
      pinnedAt: NOW.toISOString(),
    });
    expect(at('10.0.0.5', 'urn:uuid:w', [copy, sn5])).toBe('cam-5');
  });

  it('the discovery interfaces count with multicast on', () => {
    const withIf = credentialScope(config, { targets: [], hosts: [], multicast: true }, [
      { name: 'cam0', address: '192.168.20.1', netmask: '255.255.255.0' },
    ]);
    expect(withIf.contains('192.168.20.77')).toBe(true);
    expect(withIf.contains('192.168.21.77')).toBe(false);
  });

  it('config refuses a per-device entry that names no device', () => {
    const r = configSchema.safeParse({
      site: { id: 's', gatewayId: 'g' },
      onvif: { devices: [{ username: 'u', password: 'p' }] },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/give address, serial or endpoint/);
  });
});
