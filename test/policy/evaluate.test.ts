import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { createVendorMatcher } from '../../src/policy/match-vendor.js';
import type { Geofence } from '../../src/profiles/types.js';
import { camera, NOW, profileSet, scope, vendor } from './fixtures.js';

const tagged = (tag: string, over: Partial<CameraRecord> = {}) =>
  camera({ ...over, location: { zone: 'unknown', source: 'none', tags: [tag] } });
const one = (r: CameraRecord[]) => {
  const [first] = r;
  if (!first) throw new Error('no record');
  return first;
};
const codes = (r: CameraRecord) => r.decision.reasons.map((x) => x.code);
const DAY = 86_400_000;
const iso = (msFromNow: number) => new Date(NOW.getTime() + msFromNow).toISOString();

describe('decisions without profiles (built-in cn-2025)', () => {
  it('Art 8 zone → block prohibited-zone with article', () => {
    const r = one(evaluateRecords([tagged('location/zone/toilet')], undefined, { now: NOW }));
    expect(r.location).toMatchObject({ zone: 'toilet', source: 'scope' });
    expect(r.decision.action).toBe('block');
    expect(r.decision.reasons[0]).toMatchObject({ code: 'prohibited-zone', rule: 'cn-2025', article: 'Article 8' });
  });

  it('Art 10 zone → flag consent-required', () => {
    const r = one(evaluateRecords([tagged('location/zone/state-organ-adjacent')], undefined, { now: NOW }));
    expect(r.decision).toMatchObject({ action: 'flag' });
    expect(codes(r)).toEqual(['consent-required']);
    expect(r.decision.reasons[0]?.article).toBe('Article 10');
  });

  it('placeholders → unknown, source none, flag unclassified-zone', () => {
    const r = one(
      evaluateRecords(
        [camera({ scopes: [scope('location/city/hangzhou'), scope('location/country/china'), scope('location/')] })],
        undefined,
        {
          now: NOW,
        },
      ),
    );
    expect(r.location).toMatchObject({ zone: 'unknown', source: 'none' });
    expect(r.decision.action).toBe('flag');
    expect(codes(r)).toEqual(['unclassified-zone']);
  });

  it('public zones are allowed by zone, and their records rules act even without a site profile', () => {
    const hub = one(evaluateRecords([tagged('location/zone/transport-hub')], undefined, { now: NOW }));
    expect(hub.systemClass).toBe('art7-operator');
    expect(codes(hub)).toEqual(['system-class-missing', 'filing-missing', 'signage-missing']);
    const recorded = profileSet({
      site: {
        cameras: [{ match: { id: 'cam-1' }, systemClass: 'art7-operator', overlays: [] }],
        filings: [{ number: 'F-1', date: iso(-DAY), goLiveDate: iso(-2 * DAY), cameras: [] }],
        signage: [{ id: 's', cameras: ['cam-1'] }],
      },
    });
    expect(one(evaluateRecords([tagged('location/zone/transport-hub')], recorded, { now: NOW })).decision).toEqual({
      action: 'allow',
      reasons: [],
    });
    expect(
      one(evaluateRecords([tagged('location/zone/privacy-sensitive-other')], undefined, { now: NOW })).decision.action,
    ).toBe('flag');
  });

  it('lists a reason for every zone the tags name that the pack does not allow', () => {
    const r = one(evaluateRecords([tagged('location/军事管理区/卫生间')], undefined, { now: NOW }));
    expect(r.decision.action).toBe('block');
    expect(r.decision.reasons.map((x) => [x.code, x.article])).toEqual([
      ['prohibited-zone', 'Article 8'],
      ['consent-required', 'Article 10'],
    ]);
  });

  it('an unknown room names the words and the tag in the unclassified-zone reason', () => {
    const r = one(evaluateRecords([tagged('location/万达广场/某某室')], undefined, { now: NOW }));
    expect(r.location.zone).toBe('unknown');
    expect(r.decision.reasons[0]).toMatchObject({ code: 'unclassified-zone', article: 'n/a' });
    expect(r.decision.reasons[0]?.message).toContain('"某某室" in location/万达广场/某某室');
  });

  it('modifier → flag with the prohibited-zone code for field-of-view review', () => {
    const r = one(evaluateRecords([tagged('location/更衣室门口')], undefined, { now: NOW }));
    expect(r.location.zone).toBe('changing-room');
    expect(r.decision.action).toBe('flag');
    expect(codes(r)).toEqual(['prohibited-zone']);
  });

  it('NVR channel tag channel/location/更衣室 → block', () => {
    const ch = camera({
      id: 'nvr-1:src2',
      parent: 'nvr-1',
      channel: 'src2',
      location: { zone: 'unknown', source: 'none', tags: ['channel/name/Cam 2', 'channel/location/更衣室'] },
    });
    const r = one(evaluateRecords([ch], undefined, { now: NOW }));
    expect(r.location.zone).toBe('changing-room');
    expect(r.decision.action).toBe('block');
  });

  it('unverified devices keep their unverified-device flag', () => {
    const r = one(evaluateRecords([camera({ unverified: true })], undefined, { now: NOW }));
    expect(r.decision.action).toBe('flag');
    expect(codes(r)).toContain('unverified-device');
    const kept = one(
      evaluateRecords(
        [
          tagged('location/zone/military-restricted-adjacent', {
            decision: {
              action: 'flag',
              reasons: [{ code: 'unverified-device', rule: 'x', article: 'a', message: 'm' }],
            },
          }),
        ],
        undefined,
        { now: NOW },
      ),
    );
    expect(kept.decision.action).toBe('flag');
    expect(codes(kept)).toEqual(['unverified-device', 'consent-required']);
    // Not an article of the regulation: the device's identity is a technical finding (Art 10 is about consent).
    expect(r.decision.reasons[0]?.article).toBe('n/a');
  });

  it('an unverified device in a prohibited zone is flagged, never blocked (spoofed scopes)', () => {
    const r = one(evaluateRecords([tagged('location/zone/toilet', { unverified: true })], undefined, { now: NOW }));
    expect(r.decision.action).toBe('flag');
    expect(codes(r)).toEqual(['unverified-device', 'prohibited-zone']);
  });

  it('does not mutate its input', () => {
    const input = tagged('location/zone/toilet');
    const copy = structuredClone(input);
    evaluateRecords([input], undefined, { now: NOW });
    expect(input).toEqual(copy);
  });
});

describe('site profile', () => {
  it('assignment by serial overrides the scope zone and flags zone-tag-mismatch', () => {
    const p = profileSet({ site: { cameras: [{ match: { serial: 'sn1' }, zone: 'toilet', overlays: [] }] } });
    const r = one(evaluateRecords([tagged('location/zone/public-other')], p, { now: NOW }));
    expect(r.location).toMatchObject({ zone: 'toilet', source: 'profile' });
    expect(r.decision.action).toBe('block');
    expect(codes(r)).toEqual(['prohibited-zone', 'zone-tag-mismatch']);
  });

  it.each([
    [{ endpoint: 'urn:uuid:CAM-1' }],
    [{ mac: 'AA-BB-CC-00-11-22' }],
    [{ address: '192.0.2.10' }],
    [{ id: 'cam-1' }],
  ])('matches by %o', (match) => {
    const p = profileSet({
      site: { cameras: [{ match, zone: 'private-non-public', systemClass: 'art33-non-public', overlays: [] }] },
    });
    const r = one(evaluateRecords([camera({ mac: 'aa:bb:cc:00:11:22' })], p, { now: NOW }));
    expect(r.location).toMatchObject({ zone: 'private-non-public', source: 'profile' });
    expect(r.decision).toEqual({ action: 'allow', reasons: [] });
  });

  it('a profile zone agreeing with the scope adds no mismatch; an unassigned camera keeps the scope zone', () => {
    const p = profileSet({ site: { cameras: [{ match: { serial: 'SN1' }, zone: 'toilet', overlays: [] }] } });
    expect(codes(one(evaluateRecords([tagged('location/zone/toilet')], p, { now: NOW })))).toEqual(['prohibited-zone']);
    const other = one(
      evaluateRecords(
        [tagged('location/zone/toilet', { serial: 'SN9', address: '192.0.2.99', endpoint: 'urn:uuid:x', id: 'x' })],
        p,
        { now: NOW },
      ),
    );
    expect(other.location.source).toBe('scope');
  });

  it('sets systemClass and vendorProfile', () => {
    const p = profileSet({
      site: { defaultSystemClass: 'art33-non-public' },
      vendors: [vendor('generic', 0, {}), vendor('acme', 10, { manufacturer: '^acme$' })],
    });
    const r = one(evaluateRecords([tagged('location/zone/private-non-public')], p, { now: NOW }));
    expect(r.systemClass).toBe('art33-non-public');
    expect(r.vendorProfile).toBe('acme');
  });

  it('vendor placeholderLocations give unknown', () => {
    const p = profileSet({ vendors: [vendor('acme', 10, { manufacturer: 'acme' }, ['branch-msy'])] });
    const r = one(evaluateRecords([tagged('location/branch-msy')], p, { now: NOW }));
    expect(codes(r)).toEqual(['unclassified-zone']);
  });
});

describe('geofences', () => {
  const center = { lat: 30.25, lon: 120.15 };
  const circle: Geofence = { id: 'g1', kind: 'military-restricted', bufferMeters: 200, center, radiusMeters: 100 };
  // ~1.1 km square around the centre.
  const square: Geofence = {
    id: 'g2',
    kind: 'state-organ',
    bufferMeters: 100,
    polygon: [
      { lat: 30.245, lon: 120.145 },
      { lat: 30.245, lon: 120.155 },
      { lat: 30.255, lon: 120.155 },
      { lat: 30.255, lon: 120.145 },
    ],
  };
  const at = (lat: number, lon: number) =>
    camera({ location: { zone: 'unknown', source: 'none', tags: [], geo: { lat, lon } } });
  const metresNorth = (m: number) => m / 111_195;

  it.each([
    ['inside the circle', 0, 'military-restricted-adjacent'],
    ['within the buffer', 100 + 150, 'military-restricted-adjacent'],
    ['outside the buffer', 100 + 260, 'unknown'],
  ])('circle: %s', (_label, metres, zone) => {
    const p = profileSet({ site: { geofences: [circle] } });
    const r = one(evaluateRecords([at(center.lat + metresNorth(metres), center.lon)], p, { now: NOW }));
    expect(r.location.zone).toBe(zone);
    if (zone !== 'unknown') {
      expect(r.location.source).toBe('geofence');
      expect(codes(r)).toEqual(['consent-required']);
    }
  });

  it.each([
    ['inside', 30.25, 'state-organ-adjacent'],
    ['within buffer of the north edge', 30.255 + metresNorth(60), 'state-organ-adjacent'],
    ['outside', 30.255 + metresNorth(160), 'unknown'],
  ])('polygon: %s', (_label, lat, zone) => {
    const p = profileSet({ site: { geofences: [square] } });
    expect(one(evaluateRecords([at(lat, 120.15)], p, { now: NOW })).location.zone).toBe(zone);
  });

  it('uses the assignment geo when the device reports none', () => {
    const p = profileSet({
      site: { geofences: [circle], cameras: [{ match: { id: 'cam-1' }, geo: center, overlays: [] }] },
    });
    const r = one(evaluateRecords([camera()], p, { now: NOW }));
    expect(r.location).toMatchObject({ zone: 'military-restricted-adjacent', source: 'geofence', geo: center });
  });

  it('a more severe scope zone keeps its zone but the consent reason is listed too', () => {
    const p = profileSet({ site: { geofences: [circle] } });
    const cam = camera({ location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'], geo: center } });
    const r = one(evaluateRecords([cam], p, { now: NOW }));
    expect(r.location.zone).toBe('toilet');
    expect(codes(r)).toEqual(['prohibited-zone', 'consent-required']);
  });
});

describe('consent (Art 10)', () => {
  const consent = (date: string, expires?: string) => ({
    id: 'c1',
    issuingUnit: 'Bureau of secrecy',
    unitKind: 'confidential-unit' as const,
    date,
    ...(expires ? { expires } : {}),
    cameras: ['cam-1'],
  });
  const run = (c: ReturnType<typeof consent>) =>
    one(
      evaluateRecords([tagged('location/zone/confidential-unit-adjacent')], profileSet({ site: { consents: [c] } }), {
        now: NOW,
      }),
    );

  it('present and unexpired clears consent-required', () => {
    expect(run(consent(iso(-10 * DAY), iso(10 * DAY))).decision).toEqual({ action: 'allow', reasons: [] });
    expect(run(consent(iso(-10 * DAY))).decision.action).toBe('allow');
  });
  it('expired or not yet valid does not', () => {
    expect(codes(run(consent(iso(-20 * DAY), iso(-1 * DAY))))).toEqual(['consent-required']);
    expect(codes(run(consent(iso(2 * DAY))))).toEqual(['consent-required']);
  });
  it('consent never clears a prohibited zone', () => {
    const p = profileSet({ site: { consents: [consent(iso(-DAY))] } });
    expect(one(evaluateRecords([tagged('location/zone/toilet')], p, { now: NOW })).decision.action).toBe('block');
  });
});

describe('records rules', () => {
  const ZONE_OF = {
    'art7-operator': 'transport-hub',
    'art9-other-public': 'public-other',
    'art33-non-public': 'private-non-public',
  };
  const assign = (systemClass: 'art7-operator' | 'art9-other-public' | 'art33-non-public', extra = {}) => ({
    match: { id: 'cam-1' },
    zone: ZONE_OF[systemClass],
    systemClass,
    overlays: [],
    ...extra,
  });
  const sign = [{ id: 's1', cameras: ['cam-1'] }];

  it('art7 system unfiled 30 days after go-live → filing-missing (Article 14)', () => {
    const filings = [{ number: '', date: '', goLiveDate: iso(-31 * DAY), cameras: [] }];
    const r = one(
      evaluateRecords(
        [camera()],
        profileSet({ site: { cameras: [assign('art7-operator')], filings, signage: sign } }),
        { now: NOW },
      ),
    );
    expect(r.decision.action).toBe('flag');
    expect(r.decision.reasons).toEqual([expect.objectContaining({ code: 'filing-missing', article: 'Article 14' })]);
  });

  it('within 30 days of go-live, or filed, no filing-missing', () => {
    const grace = [{ number: '', date: '', goLiveDate: iso(-29 * DAY), cameras: [] }];
    const filed = [{ number: 'HZ-2026-001', date: iso(-40 * DAY), goLiveDate: iso(-60 * DAY), cameras: ['cam-1'] }];
    for (const filings of [grace, filed]) {
      const r = one(
        evaluateRecords(
          [camera()],
          profileSet({ site: { cameras: [assign('art7-operator')], filings, signage: sign } }),
          { now: NOW },
        ),
      );
      expect(r.decision).toEqual({ action: 'allow', reasons: [] });
    }
  });

  it('no filing duty for art9', () => {
    const r = one(
      evaluateRecords([camera()], profileSet({ site: { cameras: [assign('art9-other-public')], signage: sign } }), {
        now: NOW,
      }),
    );
    expect(r.decision.action).toBe('allow');
  });

  it('no signage record for art7/art9 → signage-missing (Article 13); art33 needs none', () => {
    const filed = [{ number: 'N1', date: iso(-1), goLiveDate: iso(-2), cameras: [] }];
    for (const cls of ['art7-operator', 'art9-other-public'] as const) {
      const r = one(
        evaluateRecords([camera()], profileSet({ site: { cameras: [assign(cls)], filings: filed } }), { now: NOW }),
      );
      expect(r.decision.reasons).toEqual([expect.objectContaining({ code: 'signage-missing', article: 'Article 13' })]);
    }
    const r33 = one(
      evaluateRecords([camera()], profileSet({ site: { cameras: [assign('art33-non-public')] } }), { now: NOW }),
    );
    expect(r33.decision.action).toBe('allow');
  });

  it('retention below the floor → retention-below-minimum (Article 17), overlays raise the floor', () => {
    const base = { filings: [{ number: 'N1', date: iso(-1), goLiveDate: iso(-2), cameras: [] }], signage: sign };
    const low = one(
      evaluateRecords(
        [camera()],
        profileSet({ site: { ...base, cameras: [assign('art7-operator', { retentionDays: 7 })] } }),
        { now: NOW },
      ),
    );
    expect(low.decision.reasons).toEqual([
      expect.objectContaining({ code: 'retention-below-minimum', article: 'Article 17' }),
    ]);
    const ok = one(
      evaluateRecords(
        [camera()],
        profileSet({ site: { ...base, cameras: [assign('art7-operator', { retentionDays: 30 })] } }),
        { now: NOW },
      ),
    );
    expect(ok.decision.action).toBe('allow');
    const overlay = one(
      evaluateRecords(
        [camera()],
        profileSet({
          site: {
            ...base,
            cameras: [assign('art7-operator', { retentionDays: 30, overlays: ['anti-terror-key-target'] })],
          },
        }),
        { now: NOW },
      ),
    );
    expect(codes(overlay)).toEqual(['retention-below-minimum']);
    const recorder = one(
      evaluateRecords(
        [camera({ maximumRetentionTime: 'P7D' })],
        profileSet({ site: { ...base, cameras: [assign('art7-operator')] } }),
        { now: NOW },
      ),
    );
    expect(codes(recorder)).toEqual(['retention-below-minimum']);
  });
});

describe('other packs', () => {
  it('eu-gdpr blocks toilets/showers/changing rooms, allows Art 10 areas, 3-day retention', () => {
    const p = profileSet({ packId: 'eu-gdpr' });
    const [t, s, c, m] = evaluateRecords(
      [
        tagged('location/zone/toilet'),
        tagged('location/shower'),
        tagged('location/locker room'),
        tagged('location/zone/military-restricted-adjacent'),
      ],
      p,
      { now: NOW },
    );
    expect([t, s, c, m].map((r) => r?.decision.action)).toEqual(['block', 'block', 'block', 'allow']);
    expect(t?.decision.reasons[0]?.rule).toBe('eu-gdpr');
    expect(p.retention.defaultDays).toBe(3);
  });

  it('us-ny blocks GBL 395-b spaces (hotel guest room, washroom) and not private dining', () => {
    const p = profileSet({ packId: 'us-ny' });
    const out = evaluateRecords(
      [
        tagged('location/guest room'),
        tagged('location/washroom'),
        tagged('location/fitting-room'),
        tagged('location/zone/private-dining-room'),
      ],
      p,
      { now: NOW },
    );
    expect(out.map((r) => r.decision.action)).toEqual(['block', 'block', 'block', 'allow']);
    expect(out[0]?.decision.reasons[0]).toMatchObject({ rule: 'us-ny', article: 'N.Y. GBL 395-b' });
  });
});

describe('createVendorMatcher', () => {
  const vendors = [
    vendor('generic', 0, {}),
    vendor('hik', 10, { manufacturer: 'hikvision' }),
    vendor('hik-nvr', 20, { manufacturer: 'hikvision', model: '^DS-7' }),
    vendor('bad', 30, { manufacturer: '(' }),
  ];
  it('highest priority match first, case-insensitive, generic fallback, bad regex ignored', () => {
    const match = createVendorMatcher(vendors);
    expect(match(camera({ manufacturer: 'HIKVISION', model: 'DS-7608NI' }))?.id).toBe('hik-nvr');
    expect(match(camera({ manufacturer: 'Hikvision', model: 'DS-2CD' }))?.id).toBe('hik');
    expect(match(camera({ manufacturer: 'Axis' }))?.id).toBe('generic');
    expect(createVendorMatcher([])(camera())).toBeUndefined();
  });

  it('breaks a priority tie by id, whatever order the profiles were listed in', () => {
    const tied = [
      vendor('hik2', 10, { manufacturer: 'hikvision' }),
      vendor('hik-b', 10, { manufacturer: 'hikvision' }),
      vendor('hik-a', 10, { manufacturer: 'hikvision' }),
      vendor('hik1', 10, { manufacturer: 'hikvision' }),
    ];
    const hik = camera({ manufacturer: 'Hikvision' });
    expect(createVendorMatcher(tied)(hik)?.id).toBe('hik-a');
    expect(createVendorMatcher([...tied].reverse())(hik)?.id).toBe('hik-a');
    expect(createVendorMatcher(tied.slice(0, 2))(hik)?.id).toBe('hik-b');
    expect(createVendorMatcher([tied[0], tied[3]].filter((v) => v !== undefined))(hik)?.id).toBe('hik1');
  });
});

describe('NVR channels', () => {
  it('take the recorder vendor profile when they carry no identity strings', () => {
    const p = profileSet({ vendors: [vendor('generic', 0, {}), vendor('hik', 10, { manufacturer: 'hikvision' })] });
    const nvr = camera({ id: 'nvr', kind: 'recorder', manufacturer: 'HIKVISION' });
    const { manufacturer: _m, ...noIdentity } = camera({ id: 'nvr:1', parent: 'nvr', channel: '1' });
    const out = evaluateRecords([nvr, noIdentity], p, { now: NOW });
    expect(out.map((r) => r.vendorProfile)).toEqual(['hik', 'hik']);
  });
});
