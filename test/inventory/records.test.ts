import { describe, expect, it } from 'vitest';
import { buildRecords } from '../../src/inventory/build-records.js';
import { idFromEndpoint, idFromSerialAndMac } from '../../src/inventory/identity.js';
import { locationTagsFromScopes } from '../../src/inventory/location-tags.js';
import type { DeviceReport } from '../../src/model/camera-records.js';
import { emptyReport, looksLikeRecorder } from '../../src/onvif/interrogate.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { isSafeId } from '../../src/util/safe-id.js';

function report(over: Partial<DeviceReport> = {}): DeviceReport {
  const r = emptyReport(
    {
      endpoint: 'urn:uuid:abc00000-0000-4000-8000-000000000001',
      address: '127.0.0.9',
      xaddrs: ['http://127.0.0.9/onvif/device_service'],
      scopes: [],
      types: [],
      via: 'unicast',
    },
    'http://127.0.0.9/onvif/device_service',
  );
  return { ...r, manufacturer: 'Bosch', model: 'M', serial: '404754734001050102', hardwareId: '0727', ...over };
}

const ABC = 'abc00000-0000-4000-8000-000000000001';

describe('ids', () => {
  it('strip urn:uuid: and bare uuid: from a plain UUID', () => {
    expect(idFromEndpoint('urn:uuid:3EA96F68-b845-4c0b-87cf-eee904c4be65')).toBe(
      '3EA96F68-b845-4c0b-87cf-eee904c4be65',
    );
    expect(idFromEndpoint('uuid:2a46daf1-86f6-91ad-5458-3d184eb186f6')).toBe('2a46daf1-86f6-91ad-5458-3d184eb186f6');
    expect(idFromEndpoint('')).toBeUndefined();
  });
  it('any other EndpointReference gets a derived id that is safe everywhere (the raw one stays in endpoint)', () => {
    const odd = [
      'urn:uuid:..',
      'urn:uuid:.',
      '.',
      '..',
      'a/b',
      'cam#1',
      'cam+1',
      '-rf',
      '--all',
      'x'.repeat(500),
      'urn:uuid:3fa1-x',
    ];
    const ids = odd.map((e) => idFromEndpoint(e) ?? '');
    for (const id of ids) expect(isSafeId(id), id).toBe(true);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(odd.length);
    expect(idFromEndpoint('a/b')).toBe(idFromEndpoint('a/b'));
  });
  it('isSafeId: the id charset, never . or .., never an option, at most 128', () => {
    for (const ok of ['3fa1', 'a.b', 'rec:CH1', 'A_b-c', 'x'.repeat(128)]) expect(isSafeId(ok), ok).toBe(true);
    for (const bad of ['', '.', '..', '-x', '--all', 'a/b', 'a#', 'a+', 'a b', ':x', 'x'.repeat(129), 'é']) {
      expect(isSafeId(bad), bad).toBe(false);
    }
  });
  it('hash of serial+MAC is stable and differs per device', () => {
    expect(idFromSerialAndMac('S1', 'AA:BB', 'x')).toBe(idFromSerialAndMac('S1', 'aa:bb', 'y'));
    expect(idFromSerialAndMac('S1', 'AA:BB', 'x')).not.toBe(idFromSerialAndMac('S2', 'AA:BB', 'x'));
  });
  it('manual device without endpoint gets the hash id', () => {
    const r = report();
    r.discovered = { ...r.discovered, endpoint: '' };
    const [rec] = buildRecords(r);
    expect(rec?.id).toBe(idFromSerialAndMac('404754734001050102', undefined, ''));
  });
});

describe('location tags', () => {
  it('percent-decoded location paths; empty placeholder gives none', () => {
    expect(
      locationTagsFromScopes([
        'onvif://www.onvif.org/location/zone/toilet',
        'onvif://www.onvif.org/location/building/A/floor/2/%E6%9B%B4%E8%A1%A3%E5%AE%A4',
        'onvif://www.onvif.org/location/',
        'onvif://www.onvif.org/name/AXIS%20M2025-LE',
        'onvif://www.onvif.org/location/bad%ZZ',
      ]),
    ).toEqual(['location/zone/toilet', 'location/building/A/floor/2/更衣室', 'location/bad%ZZ']);
  });
});

describe('buildRecords', () => {
  it('camera: verbatim identity, tags, geo', () => {
    const [rec] = buildRecords(
      report({ scopes: ['onvif://www.onvif.org/location/zone/toilet'], geo: { lat: 31.2, lon: 121.4 } }),
    );
    expect(rec).toMatchObject({
      id: ABC,
      kind: 'camera',
      serial: '404754734001050102',
      hardwareId: '0727',
      location: { tags: ['location/zone/toilet'], geo: { lat: 31.2, lon: 121.4 } },
    });
    expect(rec?.unverified).toBeUndefined();
  });
  it('NVR: recorder + one record per channel with channel tags', () => {
    const r = report({
      services: { recording: 'http://127.0.0.9/onvif/recording' },
      videoSources: [{ token: 'VS1' }, { token: 'VS2' }],
      recordings: [
        {
          recordingToken: 'R1',
          sourceId: 'VS1',
          name: '更衣室',
          location: 'floor 2',
          description: '',
          maximumRetentionTime: 'PT720H',
        },
        {
          recordingToken: 'R2',
          sourceId: 'VS2',
          name: 'Lobby',
          location: '',
          description: 'entrance',
          maximumRetentionTime: 'PT720H',
        },
      ],
    });
    r.isRecorder = looksLikeRecorder(r);
    const recs = buildRecords(r);
    expect(recs.map((x) => [x.id, x.kind, x.parent, x.channel])).toEqual([
      [ABC, 'recorder', undefined, undefined],
      [`${ABC}:VS1`, 'camera', ABC, 'VS1'],
      [`${ABC}:VS2`, 'camera', ABC, 'VS2'],
    ]);
    expect(recs[1]?.location.tags).toEqual(['channel/location/floor 2', 'channel/name/更衣室']);
    expect(recs[2]?.location.tags).toEqual(['channel/name/Lobby', 'channel/description/entrance']);
    expect(recs[0]?.maximumRetentionTime).toBe('PT720H');
  });
  it("an NVR channel's location names its zone before the channel's name (both prohibited rooms)", () => {
    const r = report({
      services: { recording: 'http://127.0.0.9/onvif/recording' },
      videoSources: [{ token: 'VS1' }, { token: 'VS2' }],
      recordings: ['VS1', 'VS2'].map((sourceId) => ({
        recordingToken: `R-${sourceId}`,
        sourceId,
        name: 'Dormitory',
        location: 'staff dormitory',
        description: '',
        maximumRetentionTime: 'PT720H',
      })),
    });
    r.isRecorder = looksLikeRecorder(r);
    const channel = evaluateRecords(buildRecords(r), undefined, { now: new Date() })[1];
    expect(channel?.location.tags).toEqual(['channel/location/staff dormitory', 'channel/name/Dormitory']);
    expect([channel?.location.zone, channel?.decision.action]).toEqual(['staff-dormitory', 'block']);
  });
  it('NVR channel tokens from the device are made safe in the id and kept verbatim in channel', () => {
    const tokens = ['../x', 'a/b', '#', '+', '-all', '.', '..', 'ok_1', 'x'.repeat(300)];
    const r = report({
      services: { recording: 'http://127.0.0.9/onvif/recording' },
      videoSources: tokens.map((token) => ({ token })),
      recordings: [],
      isRecorder: true,
    });
    const channels = buildRecords(r).filter((x) => x.parent !== undefined);
    expect(channels.map((c) => c.channel)).toEqual(tokens);
    for (const c of channels) {
      expect(isSafeId(c.id), c.id).toBe(true);
      expect(c.id.startsWith(`${ABC}:`)).toBe(true);
    }
    expect(channels.find((c) => c.channel === 'ok_1')?.id).toBe(`${ABC}:ok_1`);
    expect(new Set(channels.map((c) => c.id)).size).toBe(tokens.length);
  });
  it("scopes come from GetScopes only: a ProbeMatch's scopes never reach the record", () => {
    const probeScopes = ['onvif://www.onvif.org/location/zone/public-other'];
    const r = emptyReport({ ...report().discovered, scopes: probeScopes }, 'http://127.0.0.9/onvif/device_service');
    const [rec] = buildRecords({ ...r, manufacturer: 'Bosch', serial: 'S' });
    expect(rec?.scopes).toEqual([]);
    expect(rec?.location.tags).toEqual([]);
  });
  it('a device that failed interrogation is listed, unverified, with errors', () => {
    const r = emptyReport(
      {
        endpoint: 'urn:uuid:dead0000-0000-4000-8000-000000000000',
        address: '127.0.0.3',
        xaddrs: [],
        scopes: [],
        types: [],
        via: 'unicast',
      },
      '',
    );
    r.errors.push({ code: 'timeout', message: 'GetSystemDateAndTime: no answer' });
    const decided = evaluateRecords(buildRecords(r), undefined, { now: new Date() });
    expect(decided[0]).toMatchObject({
      id: 'dead0000-0000-4000-8000-000000000000',
      unverified: true,
      decision: { action: 'flag' },
    });
    expect(decided[0]?.decision.reasons[0]?.code).toBe('unverified-device');
    expect(decided[0]?.errors.length).toBeGreaterThan(0);
  });
});
