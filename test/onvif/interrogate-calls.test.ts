import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../src/model/camera-records.js';
import { interrogateDevice } from '../../src/onvif/interrogate.js';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { HTTP_PORT, randomBlock } from '../simulator/helpers.js';

// The calls an interrogation makes are the ones a record and its enforcement need: identity, scopes, services, and
// only where they matter the network interfaces (IPv6 addresses to isolate, unless the device says it has no IPv6),
// recordings and how far back they go (Profile G; per recording only for a recorder), video sources (a recorder's
// channels) and geolocation. Media profiles are never asked for; nothing uses them.
const ip = randomBlock();
const AUTH = { mode: 'both' as const, username: 'admin', password: 'pw' };
let site: SimulatedSite;

beforeAll(async () => {
  site = await startSimulatedSite({
    devices: [
      { name: 'plain', vendor: 'dahua', kind: 'camera', address: ip(1), httpPort: HTTP_PORT, auth: AUTH },
      { name: 'edge-g', vendor: 'axis', kind: 'camera', address: ip(2), httpPort: HTTP_PORT, auth: AUTH },
      { name: 'nvr', vendor: 'hikvision', kind: 'nvr', address: ip(3), httpPort: HTTP_PORT, auth: AUTH },
      {
        name: 'dual-stack',
        vendor: 'bosch',
        kind: 'camera',
        address: ip(4),
        httpPort: HTTP_PORT,
        auth: AUTH,
        ipv6: ['fd00::4'],
      },
      {
        name: 'no-summary',
        vendor: 'axis',
        kind: 'camera',
        address: ip(5),
        httpPort: HTTP_PORT,
        auth: AUTH,
        faults: [{ kind: 'soap-fault-on', operations: ['GetRecordingSummary'] }],
      },
    ],
  });
});
afterAll(() => site?.stop());

async function callsOf(
  name: string,
  types: string[] = [],
): Promise<{ ops: string[]; isRecorder: boolean; errors: number }> {
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
  const before = site.calls.length;
  const report = await interrogateDevice(discovered, {
    credentials: { username: 'admin', password: 'pw' },
    callTimeoutMs: 3000,
    deviceTimeoutMs: 10_000,
    maxResponseBytes: 1 << 20,
    maxClockSkewS: 300,
  });
  const ops = site.calls
    .slice(before)
    .filter((c) => c.device === name)
    .map((c) => c.operation);
  return { ops, isRecorder: report.isRecorder, errors: report.errors.length };
}

const IDENTITY = ['GetSystemDateAndTime', 'GetDeviceInformation', 'GetScopes', 'GetServices'];
const IPV6 = 'GetNetworkInterfaces';
const SUMMARY = 'GetRecordingSummary';
const SEARCH = ['FindRecordings', 'GetRecordingSearchResults', 'EndSearch'];

describe('interrogation round trips', () => {
  it('a camera without Profile G and without IPv6: time, identity, scopes and services only', async () => {
    const r = await callsOf('plain');
    expect(r.errors).toBe(0);
    expect(r.ops).toEqual(IDENTITY);
  });

  it('a camera whose capabilities say IPv6: its network interfaces too (their addresses can be isolated)', async () => {
    const r = await callsOf('dual-stack');
    expect(r.errors).toBe(0);
    expect(r.ops).toEqual([...IDENTITY, IPV6]);
  });

  it('a Profile G camera with one recording: its recordings and their summary, not its video sources or a search', async () => {
    const r = await callsOf('edge-g');
    expect(r.errors).toBe(0);
    expect(r.isRecorder).toBe(false);
    expect(r.ops).toEqual([...IDENTITY, 'GetRecordings', SUMMARY]);
  });

  it('a recorder: recordings and its video sources, which become its channels', async () => {
    const r = await callsOf('nvr');
    expect(r.errors).toBe(0);
    expect(r.isRecorder).toBe(true);
    // Its types do not say "recorder": several recordings are what make the sources worth asking for.
    expect(r.ops).toEqual([...IDENTITY, 'GetRecordings', 'GetVideoSources', SUMMARY, ...SEARCH]);
  });

  it('a device that says it is a recorder: its video sources without waiting for its recordings', async () => {
    const r = await callsOf('nvr', ['tds:Device', 'tds:NetworkVideoStorage']);
    expect(r.isRecorder).toBe(true);
    expect(r.ops).toEqual([...IDENTITY, 'GetVideoSources', 'GetRecordings', SUMMARY, ...SEARCH]);
  });

  it('a camera whose recording summary fails: the search answers instead', async () => {
    const r = await callsOf('no-summary');
    expect(r.errors).toBe(0);
    expect(r.ops).toEqual([...IDENTITY, 'GetRecordings', SUMMARY, ...SEARCH]);
  });
});
