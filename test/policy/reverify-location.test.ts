import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecords } from '../../src/inventory/build-records.js';
import type { CameraRecord, DeviceReport, DiscoveredDevice } from '../../src/model/camera-records.js';
import { interrogateDevice } from '../../src/onvif/interrogate.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { holdDecisions } from '../../src/policy/hold-decisions.js';
import { type SimDeviceSpec, type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { HTTP_PORT, randomBlock } from '../simulator/helpers.js';

/**
 * A blocked camera leaves `block` only when an authenticated interrogation shows a location that is no longer
 * prohibited (docs/identity.md). One that authenticates but whose location cannot be read (GetScopes faults, answers
 * garbage, never answers, floods its scopes; a recorder's GetRecordings fails) shows no location: the block holds.
 * Each device below is the same camera (same EndpointReference, so the same id) as `toilet`, with one fault.
 */
const ip = randomBlock();
const AUTH = { mode: 'both' as const, username: 'admin', password: 'pw' };
const CAM_EP = 'urn:uuid:0f000000-0000-4000-8000-0000000000c1';
const NVR_EP = 'urn:uuid:0f000000-0000-4000-8000-0000000000c2';
/** Where the camera now says it is (a geofence of the site may still make it prohibited: its geolocation tells). */
const LOBBY = { scopes: ['onvif://www.onvif.org/location/zone/lobby'] };
const camera = (n: number, name: string, extra: Partial<SimDeviceSpec> = {}): SimDeviceSpec => ({
  name,
  vendor: 'hikvision',
  address: ip(n),
  httpPort: HTTP_PORT,
  endpoint: CAM_EP,
  serial: 'SN-C1',
  scopes: ['onvif://www.onvif.org/location/zone/toilet'],
  auth: AUTH,
  ...extra,
});
const nvr = (n: number, name: string, extra: Partial<SimDeviceSpec> = {}): SimDeviceSpec => ({
  name,
  vendor: 'hikvision',
  kind: 'nvr',
  address: ip(n),
  httpPort: HTTP_PORT,
  endpoint: NVR_EP,
  serial: 'SN-N1',
  auth: AUTH,
  channels: [
    { token: 'VS1', name: 'Lobby', location: 'lobby' },
    { token: 'VS2', name: 'Toilet', location: 'toilet' },
  ],
  ...extra,
});

let site: SimulatedSite;
beforeAll(async () => {
  site = await startSimulatedSite({
    devices: [
      camera(1, 'toilet'),
      camera(2, 'scopes-fault', { faults: [{ kind: 'soap-fault-on', operation: 'GetScopes', code: 'Receiver' }] }),
      camera(3, 'scopes-garbage', { faults: [{ kind: 'invalid-xml', operations: ['GetScopes'] }] }),
      camera(4, 'geo-hang', {
        ...LOBBY,
        geo: { lat: 31.2, lon: 121.5 },
        faults: [{ kind: 'hang', operations: ['GetGeoLocation'] }],
      }),
      camera(5, 'scopes-flood', { faults: [{ kind: 'scope-flood', count: 2000 }] }),
      camera(6, 'geo-fault', {
        ...LOBBY,
        geo: { lat: 31.2, lon: 121.5 },
        faults: [{ kind: 'soap-fault-on', operation: 'GetGeoLocation', code: 'Receiver' }],
      }),
      camera(7, 'now-lobby', LOBBY),
      nvr(10, 'nvr'),
      nvr(11, 'nvr-recordings-fault', {
        faults: [{ kind: 'soap-fault-on', operation: 'GetRecordings', code: 'Receiver' }],
      }),
    ],
  });
}, 60_000);
afterAll(() => site?.stop());

async function interrogate(name: string, deviceTimeoutMs = 10_000, types: string[] = []): Promise<DeviceReport> {
  const d = site.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name}`);
  const discovered: DiscoveredDevice = {
    endpoint: d.endpoint,
    address: d.address,
    xaddrs: [d.xaddr],
    scopes: [],
    types,
    via: 'unicast',
  };
  return interrogateDevice(discovered, {
    credentials: { username: 'admin', password: 'pw' },
    callTimeoutMs: 3000,
    deviceTimeoutMs,
    maxResponseBytes: 1 << 20,
    maxClockSkewS: 300,
  });
}
/** What an NVR's ProbeMatch says it is. */
const RECORDER = ['dn:NetworkVideoTransmitter', 'tds:Device', 'NetworkVideoRecorder'];
const decide = (report: DeviceReport): CameraRecord[] =>
  evaluateRecords(buildRecords(report), undefined, { now: new Date() });

describe('a block is lifted only by an authenticated interrogation that read the location', () => {
  let before: CameraRecord[];
  beforeAll(async () => {
    before = decide(await interrogate('toilet'));
    expect(before.map((r) => r.decision.action)).toEqual(['block']);
  });

  it.each([
    ['scopes-fault', 10_000],
    ['scopes-garbage', 10_000],
    // GetGeoLocation never answers: the device deadline comes first, whatever the machine's speed
    ['geo-hang', 3000],
    ['scopes-flood', 10_000],
  ])('%s: authenticated, location unread: the block holds, at the address it answered from', async (name, ms) => {
    const report = await interrogate(name, ms);
    expect(report.authenticated).toBe(true);
    const now = decide(report);
    expect(now[0]?.id).toBe(before[0]?.id);
    expect(now[0]?.decision.action).not.toBe('block');
    const [held] = holdDecisions(now, { previous: before, rule: 'cn-2025' });
    expect(held?.decision.action).toBe('block');
    expect(held?.decision.reasons.map((r) => r.code)).toEqual(['unverified-device', 'prohibited-zone']);
    expect(held?.location.zone).toBe('toilet');
    expect(held?.address).toBe(report.discovered.address);
  });

  it('an advertised geolocation that cannot be read leaves the location unread', async () => {
    const report = await interrogate('geo-fault');
    expect(report.unreadLocation).toEqual(['GetGeoLocation']);
    const [held] = holdDecisions(decide(report), { previous: before, rule: 'cn-2025' });
    expect(held?.decision.action).toBe('block');
  });

  it('a location read in full that is no longer prohibited lifts the block', async () => {
    const report = await interrogate('now-lobby');
    expect(report.unreadLocation).toBeUndefined();
    const [r] = holdDecisions(decide(report), { previous: before, rule: 'cn-2025' });
    // no site profile: a lobby camera is flagged for its missing paperwork, no longer blocked
    expect(r?.decision.action).toBe('flag');
    expect(r?.location.zone).toBe('public-other');
    expect(r?.decision.reasons.map((x) => x.code)).not.toContain('unverified-device');
  });

  it('a recorder whose GetRecordings fails keeps its blocked channel blocked', async () => {
    const first = decide(await interrogate('nvr', 10_000, RECORDER));
    const toiletChannel = first.find((r) => r.channel === 'VS2');
    expect(toiletChannel?.decision.action).toBe('block');
    const report = await interrogate('nvr-recordings-fault', 10_000, RECORDER);
    expect(report.unreadLocation).toEqual(['GetRecordings']);
    const now = decide(report);
    // the recorder's own location (its scopes) was read: its record is decided as usual
    expect(now.find((r) => r.parent === undefined)?.locationUnread).toBeUndefined();
    expect(now.find((r) => r.id === toiletChannel?.id)?.decision.action).not.toBe('block');
    const held = holdDecisions(now, { previous: first, rule: 'cn-2025' });
    expect(held.find((r) => r.id === toiletChannel?.id)?.decision.action).toBe('block');
  });
});
