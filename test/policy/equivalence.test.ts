/**
 * Differential tests: the optimised policy must decide exactly like the frozen pre-optimisation code in
 * ./reference (same zone, action, reasons, key order). Generators lean on the synonym tables so that most
 * samples hit real terms, modifiers, placeholders and encodings rather than noise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CameraRecord, GeoPoint } from '../../src/inventory/types.js';
import { classifyZone } from '../../src/policy/classify-zone.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { normalizeText } from '../../src/policy/normalize.js';
import type { PolicyPack } from '../../src/policy/pack-schema.js';
import {
  MODIFIERS,
  PLACEHOLDER_CATEGORIES,
  PLACEHOLDER_WORDS,
  ZONE_IDS,
  ZONE_SYNONYMS,
} from '../../src/policy/synonyms.js';
import type { Geofence, ProfileSet } from '../../src/profiles/types.js';
import { camera, loadPack, NOW, profileSet, vendor } from './fixtures.js';
import { classifyZone as referenceClassifyZone } from './reference/classify-zone.js';
import { evaluateRecords as referenceEvaluateRecords } from './reference/evaluate.js';
import { normalizeText as referenceNormalizeText } from './reference/normalize.js';

const families = [...Object.values(ZONE_SYNONYMS), MODIFIERS];
const TERMS = [
  ...new Set(families.flatMap((f) => [...f.english, ...f.simplified, ...f.traditional])),
  ...ZONE_IDS,
  ...ZONE_IDS.map((z) => z.replace(/-/g, ' ')),
];
const NOISE = [
  ...PLACEHOLDER_WORDS,
  ...PLACEHOLDER_CATEGORIES,
  'building',
  'floor',
  'room',
  'b12',
  '3F',
  'east',
  '北区',
  '门',
  '家',
  '家具',
  '室',
  'rooms',
  'showers',
  'toilets',
  'classes',
  "men's",
  'gmt+8',
  'utc-5',
  '',
  '%',
  '%zz',
  '%E5%8D',
  '%ff%fe',
  '%25E5%258D%25AB',
  '\u00a0',
  'Ⅻ',
  'ﬁtting',
];
const PACKS = ['cn-2025', 'eu-gdpr', 'us-ny'].map(loadPack);

/** fast-check arbitraries ---------------------------------------------------------------------------------- */

const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const percentAll = (s: string) =>
  [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const word = fc
  .record({
    w: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...TERMS) },
      { weight: 2, arbitrary: fc.constantFrom(...NOISE) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9&]{1,8}$/) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
    ),
    sep: fc.constantFrom(' ', '-', '_', '', '.', "'"),
    style: fc.constantFrom('plain', 'upper', 'title', 'wide', 'component', 'all', 'double', 'plural'),
  })
  .map(({ w, sep, style }) => {
    const s = w.replace(/ /g, sep);
    switch (style) {
      case 'upper':
        return s.toUpperCase();
      case 'title':
        return s.charAt(0).toUpperCase() + s.slice(1);
      case 'wide':
        return fullWidth(s);
      case 'component':
        return encodeURIComponent(s);
      case 'all':
        return percentAll(s);
      case 'double':
        return encodeURIComponent(encodeURIComponent(s));
      case 'plural':
        return `${s}s`;
      default:
        return s;
    }
  });

const segment = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 3 }), fc.constantFrom('-', ' ', ''))
  .map(([ws, joiner]) => ws.join(joiner));

const tag = fc
  .record({
    prefix: fc.constantFrom(
      'location/',
      'location/zone/',
      'location/adjacent/',
      'Location/ZONE/',
      'name/',
      'channel/location/',
      'location',
      '',
      ' location/',
    ),
    segments: fc.array(segment, { minLength: 0, maxLength: 4 }),
    suffix: fc.constantFrom('', '/', '//', ' '),
  })
  .map(({ prefix, segments, suffix }) => `${prefix}${segments.join('/')}${suffix}`);

const scopeOf = (t: string) =>
  fc.constantFrom(`onvif://www.onvif.org/${t}`, `ONVIF://www.onvif.org/${t}`, ` onvif://www.onvif.org/${t} `, t);
const scopeArb = tag.chain(scopeOf);
const placeholders = fc.constantFrom<string[]>([], ['city/hangzhou'], ['building/a', 'default'], ['toilet']);

/** A pack with some zone actions, the modifier rule and the unknown rule perturbed. */
const packArb = fc
  .record({
    base: fc.constantFrom(...PACKS),
    flips: fc.array(fc.tuple(fc.constantFrom(...ZONE_IDS), fc.constantFrom('allow', 'flag', 'block')), {
      maxLength: 4,
    }),
    modifiersEnabled: fc.boolean(),
    downgradeTo: fc.constantFrom('flag', 'block'),
    dropUnknown: fc.boolean(),
  })
  .map(({ base, flips, modifiersEnabled, downgradeTo, dropUnknown }): PolicyPack => {
    const zones = structuredClone(base.zones);
    for (const [z, action] of flips) {
      const rule = zones[z] ?? zones.unknown;
      if (rule) zones[z] = { ...rule, action: action as 'allow' | 'flag' | 'block' };
    }
    if (dropUnknown) delete zones.unknown;
    return {
      ...base,
      id: `${base.id}-x`,
      zones,
      modifiers: { ...base.modifiers, enabled: modifiersEnabled, downgradeTo: downgradeTo as 'flag' | 'block' },
    };
  });

describe('normalizeText matches the reference implementation', () => {
  // ASCII, CJK unified and compatibility ideographs, full-width forms, traditional characters, combining marks.
  const char = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x3400, max: 0x9fff }),
    fc.integer({ min: 0xf900, max: 0xfaff }),
    fc.integer({ min: 0xff01, max: 0xff5e }),
    fc.constantFrom(0x9593, 0x885b, 0x5ec1, 0x5340, 0x0301, 0x2019, 0x00c5, 0x0130, 0x03a3),
  );
  it('for mixed scripts (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(char, { maxLength: 24 }), (codes) => {
        const s = String.fromCharCode(...codes);
        expect(normalizeText(s)).toBe(referenceNormalizeText(s));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('classifyZone matches the reference implementation', () => {
  it('for tags, scopes, placeholders and packs (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(tag, { maxLength: 3 }),
        fc.array(scopeArb, { maxLength: 3 }),
        placeholders,
        fc.option(packArb, { nil: undefined }),
        (tags, scopes, ph, pack) => {
          const opts = { scopes, placeholders: ph, ...(pack ? { pack } : {}) };
          expect(classifyZone(tags, opts)).toEqual(referenceClassifyZone(tags, opts));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('for every synonym and modifier in every spelling', () => {
    for (const t of TERMS) {
      for (const s of [t, t.toUpperCase(), fullWidth(t), encodeURIComponent(t), percentAll(t), `${t}s`]) {
        for (const path of [`location/${s}`, `location/a/${s}-entrance`, `location/门口${s}`, `name/${s}`]) {
          expect(classifyZone([path]), path).toEqual(referenceClassifyZone([path]));
        }
      }
    }
  });
});

/** Profiles and records ----------------------------------------------------------------------------------- */

const ids = ['cam-1', 'CAM-2', 'cam-3', 'nvr-1', 'nvr-1/ch1', 'cam-5'];
const identity = fc.record({
  id: fc.constantFrom(...ids),
  endpoint: fc.constantFrom(undefined, 'urn:uuid:AAA', 'urn:uuid:bbb', ' URN:UUID:ccc ', 'cam-3'),
  serial: fc.constantFrom(undefined, 'SN1', 'sn2', ' Sn3 '),
  mac: fc.constantFrom(undefined, 'AA:BB:CC:00:11:22', 'aabb.cc00.1122', '00-11-22-33-44-55'),
  address: fc.constantFrom(undefined, '192.0.2.1', '192.0.2.2', ' 192.0.2.3'),
});
const geoArb = fc.option(
  fc.record({
    lat: fc.constantFrom(30.015, 30.05, 30.2, 91, Number.NaN),
    lon: fc.constantFrom(120.015, 120.05, 120.3),
  }),
  { nil: undefined },
);
const stripUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const recordArb = fc
  .record({
    who: identity,
    manufacturer: fc.constantFrom(undefined, 'Hikvision', 'DAHUA', 'acme'),
    tags: fc.array(tag, { maxLength: 2 }),
    scopes: fc.array(scopeArb, { maxLength: 2 }),
    geo: geoArb,
    unverified: fc.constantFrom(false, false, false, true),
    priorUnverified: fc.constantFrom(false, false, false, true),
    retention: fc.constantFrom(undefined, 'P30D', 'PT72H', 'P1D', 'PT0S', 'bogus', 'P'),
    child: fc.boolean(),
    prior: fc.record({
      systemClass: fc.constantFrom(undefined, 'art9-other-public'),
      vendorProfile: fc.constantFrom(undefined, 'old'),
    }),
  })
  .map((x): CameraRecord => {
    const base = camera({
      ...stripUndefined({ ...x.who, manufacturer: x.manufacturer }),
      scopes: x.scopes,
      location: { zone: 'unknown', source: 'none', tags: x.tags, ...(x.geo ? { geo: x.geo as GeoPoint } : {}) },
      decision: {
        action: 'flag',
        reasons: x.priorUnverified
          ? [{ code: 'unverified-device', rule: 'r', article: 'Article 10', message: 'm' }]
          : [],
      },
      ...(x.retention ? { maximumRetentionTime: x.retention } : {}),
      ...stripUndefined(x.prior),
    } as Partial<CameraRecord>);
    if (!x.who.endpoint) delete (base as Partial<CameraRecord>).endpoint;
    if (!x.who.serial) delete (base as Partial<CameraRecord>).serial;
    if (x.unverified) base.unverified = true;
    if (x.child) {
      base.parent = 'nvr-1';
      delete base.manufacturer;
    }
    return base;
  });

const keyArb = fc.constantFrom(
  'cam-1',
  'CAM-1',
  'cam-2',
  'sn1',
  'SN2',
  'urn:uuid:aaa',
  'aa:bb:cc:00:11:22',
  'aabbcc001122',
  '192.0.2.1',
  '*',
  'cam-3 ',
  'front-door',
  'nvr-1/ch1',
);
const dateArb = fc.constantFrom('2026-01-01', '2026-12-30', '2025-06-01', 'not-a-date', '2026-11-29T10:00:00.000Z');
const fenceArb: fc.Arbitrary<Geofence> = fc.oneof(
  fc.record({
    id: fc.constant('g1'),
    kind: fc.constantFrom('military-restricted', 'state-organ', 'confidential-unit', 'military-management'),
    bufferMeters: fc.constantFrom(0, 100, 5000, -1),
    center: fc.constant<GeoPoint>({ lat: 30.05, lon: 120.05 }),
    radiusMeters: fc.constantFrom(0, 300),
  }),
  fc.record({
    id: fc.constant('g2'),
    kind: fc.constantFrom('military-restricted', 'state-organ'),
    bufferMeters: fc.constantFrom(0, 100),
    polygon: fc.constant<GeoPoint[]>([
      { lat: 30.01, lon: 120.01 },
      { lat: 30.01, lon: 120.02 },
      { lat: 30.02, lon: 120.02 },
      { lat: 30.02, lon: 120.01 },
    ]),
  }),
);

const profilesArb = fc
  .record({
    pack: fc.option(packArb, { nil: undefined }),
    defaultSystemClass: fc.constantFrom(
      undefined,
      'art7-gov',
      'art7-operator',
      'art9-other-public',
      'art33-non-public',
    ),
    cameras: fc.array(
      fc.record({
        match: fc.oneof(
          fc.record({ id: fc.constantFrom(...ids, ' cam-1 ') }),
          fc.record({ endpoint: fc.constantFrom('urn:uuid:aaa', 'URN:UUID:BBB', 'ccc', 'cam-3') }),
          fc.record({ serial: fc.constantFrom('sn1', 'SN2 ', 'sn3') }),
          fc.record({ mac: fc.constantFrom('aa-bb-cc-00-11-22', '001122334455') }),
          fc.record({ address: fc.constantFrom('192.0.2.1', '192.0.2.3') }),
        ),
        zone: fc.constantFrom(undefined, 'toilet', 'transport-hub', 'state-organ-adjacent', 'no-such-zone'),
        systemClass: fc.constantFrom(undefined, 'art7-gov', 'art33-non-public'),
        geo: geoArb,
        overlays: fc.constantFrom([], ['anti-terror-key-target']),
        retentionDays: fc.constantFrom(undefined, 7, 30, 90),
        name: fc.constantFrom(undefined, 'Front-Door'),
      }),
      { maxLength: 6 },
    ),
    consents: fc.array(
      fc.record({
        id: fc.constant('c'),
        issuingUnit: fc.constant('u'),
        date: dateArb,
        expires: fc.constantFrom(undefined, '2026-12-01', '2026-11-01'),
        cameras: fc.array(keyArb, { maxLength: 2 }),
      }),
      { maxLength: 3 },
    ),
    filings: fc.array(
      fc.record({
        number: fc.constantFrom('', ' ', 'F-1'),
        date: dateArb,
        goLiveDate: dateArb,
        cameras: fc.array(keyArb, { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
    signage: fc.array(fc.record({ id: fc.constant('s'), cameras: fc.array(keyArb, { maxLength: 2 }) }), {
      maxLength: 3,
    }),
    geofences: fc.array(fenceArb, { maxLength: 2 }),
    siteOverlays: fc.constantFrom([], ['anti-terror-key-target']),
    siteDays: fc.constantFrom(undefined, 10, 60),
    vendorPlaceholders: placeholders,
  })
  .map((x): ProfileSet => {
    const set = profileSet({
      site: stripUndefined({
        defaultSystemClass: x.defaultSystemClass,
        cameras: x.cameras.map((c) => stripUndefined(c)),
        consents: x.consents.map((c) => stripUndefined(c)),
        filings: x.filings,
        signage: x.signage,
        geofences: x.geofences,
      }) as unknown as Partial<ProfileSet['site']>,
      vendors: [
        vendor('generic', 0, {}, x.vendorPlaceholders),
        vendor('hikvision', 10, { manufacturer: 'hikvision' }, ['city/hangzhou']),
        vendor('dahua', 10, { manufacturer: '^dahua$' }),
        vendor('broken', 20, { model: '(' }),
      ],
    });
    if (x.pack) {
      set.packId = x.pack.id;
      set.packs = { [x.pack.id]: x.pack };
    }
    set.retention.siteOverlays = [...x.siteOverlays];
    if (x.siteDays !== undefined) set.retention.siteDays = x.siteDays;
    return set;
  });

describe('evaluateRecords matches the reference implementation', () => {
  it('byte for byte, across profile sets evaluated in turn (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 8 }),
        fc.array(fc.option(profilesArb, { nil: undefined }), { minLength: 1, maxLength: 3 }),
        (records, sets) => {
          // Each set twice: the second pass runs on warm caches and must not differ from the first.
          for (const set of [...sets, ...sets]) {
            const got = evaluateRecords(records, set, { now: NOW });
            const want = referenceEvaluateRecords(records, set, { now: NOW });
            expect(JSON.stringify(got)).toBe(JSON.stringify(want));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
