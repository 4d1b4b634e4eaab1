// Re-records the policy golden fixtures from the current src/policy. Not part of `npm test` (its name is not
// *.test.ts); run it with its own config: npm run record:policy-golden
// Inputs are drawn with fixed fast-check seeds and stored next to the outputs; see ./README.md.
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GeoPoint } from '../../../src/model/camera-records.js';
import { classifyZone } from '../../../src/policy/classify-zone.js';
import { evaluateRecords } from '../../../src/policy/evaluate.js';
import { normalizeText } from '../../../src/policy/normalize.js';
import { PATH_KEYS, PLACEHOLDER_WORDS } from '../../../src/policy/vocabulary/noise.js';
import { ZONE_IDS } from '../../../src/policy/vocabulary/zone-ids.js';
import type { Geofence } from '../../../src/profiles/types.js';
import { NOW } from '../fixtures.js';
import {
  buildPack,
  buildProfiles,
  buildRecord,
  type ClassifyCase,
  decodeJson,
  digest,
  type EvaluateCase,
  encodeJson,
  FIXTURES,
  fullWidth,
  type NormalizeCase,
  type Outcome,
  PACK_IDS,
  type PackSpec,
  type ProfilesSpec,
  percentAll,
  type RecordSpec,
  readFixture,
  type SynonymCase,
  shareTag,
  summarize,
  TERMS,
  termTags,
  toOutcome,
  writeFixture,
} from './corpus.js';

/** Corpus sizes and seeds. */
const NORMALIZE = { seed: 20261129, numRuns: 2000 };
const CLASSIFY = { seed: 20261130, numRuns: 300 };
const EVALUATE = { seed: 20261201, numRuns: 100 };
const MAX_RECORDS = 4;
const MAX_SETS = 2;
const FULL_OUTPUTS = 3;

/** Draws from an arbitrary and returns the draws as they come back from the fixture file. */
function draw<T>(arb: fc.Arbitrary<T>, params: { seed: number; numRuns: number }): T[] {
  const raw = fc.sample(arb, params);
  const stored = decodeJson<T[]>(encodeJson(raw));
  expect(stored).toEqual(raw);
  return stored;
}

/**
 * The inputs already stored in a fixture, so a re-record changes outputs only and its diff shows exactly the
 * decisions that changed; drawn afresh only when the fixture is missing (delete it to draw a new corpus).
 */
function inputs<C, T>(file: string, pick: (stored: C) => T, fresh: () => T[]): T[] {
  if (!existsSync(new URL(`./${file}`, import.meta.url))) return fresh();
  return readFixture<C>(file).cases.map(pick);
}

/** Arbitraries (as the former differential test drew them) --------------------------------------------- */

const NOISE = [
  ...PLACEHOLDER_WORDS,
  ...PATH_KEYS,
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

const scopeArb = tag.chain((t) =>
  fc.constantFrom(`onvif://www.onvif.org/${t}`, `ONVIF://www.onvif.org/${t}`, ` onvif://www.onvif.org/${t} `, t),
);
const placeholders = fc.constantFrom<string[]>([], ['city/hangzhou'], ['building/a', 'default'], ['toilet']);

const packArb: fc.Arbitrary<PackSpec> = fc.record({
  base: fc.constantFrom(...PACK_IDS),
  flips: fc.array(fc.tuple(fc.constantFrom(...ZONE_IDS), fc.constantFrom('allow' as const, 'flag', 'block')), {
    maxLength: 4,
  }),
  modifiersEnabled: fc.boolean(),
  downgradeTo: fc.constantFrom('flag' as const, 'block'),
  dropUnknown: fc.boolean(),
});

// ASCII, CJK unified and compatibility ideographs, full-width forms, traditional characters, combining marks.
const mixedScript = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x3400, max: 0x9fff }),
      fc.integer({ min: 0xf900, max: 0xfaff }),
      fc.integer({ min: 0xff01, max: 0xff5e }),
      fc.constantFrom(0x9593, 0x885b, 0x5ec1, 0x5340, 0x0301, 0x2019, 0x00c5, 0x0130, 0x03a3),
    ),
    { maxLength: 24 },
  )
  .map((codes) => String.fromCharCode(...codes));

const ids = ['cam-1', 'CAM-2', 'cam-3', 'nvr-1', 'nvr-1/ch1', 'cam-5'];
const geoArb = fc.option(
  fc.record({
    lat: fc.constantFrom(30.015, 30.05, 30.2, 91, Number.NaN),
    lon: fc.constantFrom(120.015, 120.05, 120.3),
  }),
  { nil: undefined },
);

const recordArb: fc.Arbitrary<RecordSpec> = fc.record({
  who: fc.record({
    id: fc.constantFrom(...ids),
    endpoint: fc.constantFrom(undefined, 'urn:uuid:AAA', 'urn:uuid:bbb', ' URN:UUID:ccc ', 'cam-3'),
    serial: fc.constantFrom(undefined, 'SN1', 'sn2', ' Sn3 '),
    mac: fc.constantFrom(undefined, 'AA:BB:CC:00:11:22', 'aabb.cc00.1122', '00-11-22-33-44-55'),
    address: fc.constantFrom(undefined, '192.0.2.1', '192.0.2.2', ' 192.0.2.3'),
  }),
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

const profilesArb: fc.Arbitrary<ProfilesSpec> = fc.record({
  pack: fc.option(packArb, { nil: undefined }),
  defaultSystemClass: fc.constantFrom(undefined, 'art7-gov', 'art7-operator', 'art9-other-public', 'art33-non-public'),
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
});

/** Recording ------------------------------------------------------------------------------------------------ */

const about = (what: string) =>
  `${what}, recorded from src/policy by test/policy/golden/record-golden.ts (npm run record:policy-golden); checked by test/policy/golden.test.ts`;

describe('record the policy golden fixtures from the current src/policy', () => {
  it('normalizeText on mixed-script strings', () => {
    const strings = inputs<NormalizeCase, string>(
      FIXTURES.normalize,
      ([s]) => s,
      () => draw(mixedScript, NORMALIZE),
    );
    const cases: NormalizeCase[] = strings.map((s) => [s, normalizeText(s)]);
    writeFixture(FIXTURES.normalize, { about: about('[input, normalizeText(input)]'), ...NORMALIZE }, cases);
  });

  it('classifyZone on tags, scopes, placeholders and packs', () => {
    const arb = fc.record({
      tags: fc.array(tag, { maxLength: 3 }),
      scopes: fc.array(scopeArb, { maxLength: 3 }),
      placeholders,
      pack: fc.option(packArb, { nil: null }),
    });
    const drawn = inputs<ClassifyCase, Omit<ClassifyCase, 'out'>>(
      FIXTURES.classify,
      ({ tags, scopes, placeholders, pack }) => ({ tags, scopes, placeholders, pack }),
      () => draw(arb, CLASSIFY),
    );
    const cases: ClassifyCase[] = drawn.map(({ tags, scopes, placeholders, pack }) => {
      const out = classifyZone(tags, { scopes, placeholders, ...(pack ? { pack: buildPack(pack) } : {}) });
      return { tags, scopes, placeholders, pack, out: shareTag(out, tags) };
    });
    writeFixture(
      FIXTURES.classify,
      { about: about('classifyZone(tags, { scopes, placeholders, pack })'), ...CLASSIFY },
      cases,
    );
  });

  it('classifyZone on every synonym and modifier in every spelling', () => {
    const cases: SynonymCase[] = TERMS.map((term) => {
      const outs: Outcome[] = [];
      const keys: string[] = [];
      let index = '';
      for (const t of termTags(term)) {
        const out = toOutcome(shareTag(classifyZone([t]), [t]));
        const key = JSON.stringify(out);
        let i = keys.indexOf(key);
        if (i < 0) {
          i = keys.push(key) - 1;
          outs.push(out);
        }
        index += i.toString(36);
      }
      return { term, outs, index };
    });
    writeFixture(
      FIXTURES.synonyms,
      { about: about('classifyZone([tag]) for the 24 termTags(term) of every term') },
      cases,
    );
  });

  it('evaluateRecords across profile sets evaluated in turn', () => {
    const arb = fc.record({
      records: fc.array(recordArb, { maxLength: MAX_RECORDS }),
      sets: fc.array(fc.option(profilesArb, { nil: null }), { minLength: 1, maxLength: MAX_SETS }),
    });
    let full = 0;
    const drawn = inputs<EvaluateCase, Pick<EvaluateCase, 'records' | 'sets'>>(
      FIXTURES.evaluate,
      ({ records, sets }) => ({ records, sets }),
      () => draw(arb, EVALUATE),
    );
    const cases: EvaluateCase[] = drawn.map(({ records, sets }) => {
      const built = records.map(buildRecord);
      const profiles = sets.map((s) => (s ? buildProfiles(s) : undefined));
      const outs = profiles.map((p) => evaluateRecords(built, p, { now: NOW }));
      // The second pass on warm caches must already agree, or there is nothing sound to record.
      for (const [k, p] of profiles.entries()) {
        expect(digest(evaluateRecords(built, p, { now: NOW }))).toBe(digest(outs[k] ?? []));
      }
      const out = outs.map((o) => ({ sha256: digest(o), decisions: summarize(o) }));
      return full < FULL_OUTPUTS && records.length >= 3 && ++full
        ? { records, sets, out, full: outs }
        : { records, sets, out };
    });
    writeFixture(
      FIXTURES.evaluate,
      { about: about('evaluateRecords(records, set, { now: NOW }) for each set in turn'), ...EVALUATE },
      cases,
    );
  });
});
