import { describe, expect, it } from 'vitest';
import { buildRecords } from '../../src/inventory/build-records.js';
import { idFromEndpoint, idFromSerialAndMac } from '../../src/inventory/identity.js';
import { locationTagsFromScopes } from '../../src/inventory/location-tags.js';
import { preliminaryDecide } from '../../src/inventory/preliminary-decide.js';
import type { DeviceReport } from '../../src/inventory/types.js';
import { emptyReport, looksLikeRecorder } from '../../src/onvif/interrogate.js';

function report(over: Partial<DeviceReport> = {}): DeviceReport {
  const r = emptyReport(
    {
      endpoint: 'urn:uuid:ABC-1',
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

describe('ids', () => {
  it('strip urn:uuid: and bare uuid:', () => {
    expect(idFromEndpoint('urn:uuid:3fa1-x')).toBe('3fa1-x');
    expect(idFromEndpoint('uuid:2a46daf1')).toBe('2a46daf1');
    expect(idFromEndpoint('')).toBeUndefined();
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
      id: 'ABC-1',
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
      ['ABC-1', 'recorder', undefined, undefined],
      ['ABC-1:VS1', 'camera', 'ABC-1', 'VS1'],
      ['ABC-1:VS2', 'camera', 'ABC-1', 'VS2'],
    ]);
    expect(recs[1]?.location.tags).toEqual(['channel/name/更衣室', 'channel/location/floor 2']);
    expect(recs[2]?.location.tags).toEqual(['channel/name/Lobby', 'channel/description/entrance']);
    expect(recs[0]?.maximumRetentionTime).toBe('PT720H');
  });
  it('a device that failed interrogation is listed, unverified, with errors', () => {
    const r = emptyReport(
      { endpoint: 'urn:uuid:dead', address: '127.0.0.3', xaddrs: [], scopes: [], types: [], via: 'unicast' },
      '',
    );
    r.errors.push({ code: 'timeout', message: 'GetSystemDateAndTime: no answer' });
    const decided = preliminaryDecide(buildRecords(r));
    expect(decided[0]).toMatchObject({ id: 'dead', unverified: true, decision: { action: 'flag' } });
    expect(decided[0]?.decision.reasons[0]?.code).toBe('unverified-device');
    expect(decided[0]?.errors.length).toBeGreaterThan(0);
  });
  it('preliminary decision for a verified camera is flag / unclassified-zone (cn-2025)', () => {
    const [rec] = preliminaryDecide(buildRecords(report()));
    expect(rec?.decision).toMatchObject({ action: 'flag', reasons: [{ code: 'unclassified-zone', rule: 'cn-2025' }] });
    expect(rec?.location.zone).toBe('unknown');
  });
});
