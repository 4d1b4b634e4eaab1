import { describe, expect, it } from 'vitest';
import { classifyZone } from '../../src/policy/classify-zone.js';
import { ZONE_IDS, ZONE_SYNONYMS } from '../../src/policy/synonyms.js';
import { loadPack, scope } from './fixtures.js';

const pack = loadPack('cn-2025');
const BLOCKED = Object.entries(pack.zones)
  .filter(([, r]) => r.action === 'block')
  .map(([z]) => z);

describe('canonical location/zone/<id>', () => {
  it.each(ZONE_IDS.filter((z) => z !== 'unknown'))('%s', (zone) => {
    const c = classifyZone([`location/zone/${zone}`]);
    expect(c.zone).toBe(zone);
    expect(c.action).toBe(pack.zones[zone]?.action);
  });

  it('location/zone/unknown and no tags give unknown', () => {
    expect(classifyZone(['location/zone/unknown']).zone).toBe('unknown');
    expect(classifyZone([]).zone).toBe('unknown');
  });

  it('reads the canonical tag from raw percent-encoded scopes too', () => {
    expect(classifyZone([], { scopes: [scope('location/zone/changing%2Droom')] }).zone).toBe('changing-room');
  });

  it('location/adjacent/<kind> names an Art 10 zone', () => {
    expect(classifyZone(['location/adjacent/state-organ']).zone).toBe('state-organ-adjacent');
  });
});

const families = Object.entries(ZONE_SYNONYMS) as Array<[string, (typeof ZONE_SYNONYMS)[keyof typeof ZONE_SYNONYMS]]>;

describe.each(['english', 'simplified', 'traditional'] as const)('synonym family: %s', (family) => {
  const rows = families.flatMap(([zone, f]) => f[family].map((term) => [zone, term] as const));
  it.each(rows)('%s ← %s', (zone, term) => {
    const c = classifyZone([`location/building/A/${term}`]);
    // A term of an allow zone may also be part of a more severe zone's term; the winner is at least as severe.
    const rank = { allow: 0, flag: 1, block: 2 } as const;
    expect(c.zones).toContain(zone);
    expect(rank[c.action]).toBeGreaterThanOrEqual(rank[pack.zones[zone]?.action ?? 'flag']);
  });
});

describe('percent-encoded family', () => {
  const rows = families.flatMap(([zone, f]) => [...f.simplified, ...f.traditional].map((t) => [zone, t] as const));
  it.each(rows)('%s ← encoded %s', (zone, term) => {
    const c = classifyZone([], { scopes: [scope(`location/floor/2/${encodeURIComponent(term)}`)] });
    expect(c.zones).toContain(zone);
  });
});

describe('free-form paths and normalisation', () => {
  it.each([
    ['location/building/A/floor/2/更衣室', 'changing-room', 'block'],
    ['location/Building-A/Floor_2/Mens Restroom', 'toilet', 'block'],
    ['location/ＴＯＩＬＥＴ', 'toilet', 'block'],
    ['location/3F/衛生間', 'toilet', 'block'],
    ['location/hotel/lobby', 'public-other', 'allow'],
    ['location/mall/shop-floor', 'public-other', 'allow'],
    ['location/mall/atrium', 'crowded-place', 'allow'],
    ['location/学生宿舍3号楼', 'student-dormitory', 'block'],
    ['location/zone/public-other/toilets', 'toilet', 'block'],
    ['location/B2/停车场', 'crowded-place', 'allow'],
    ['location/exam-room', 'privacy-sensitive-other', 'flag'],
  ])('%s → %s (%s)', (tag, zone, action) => {
    const c = classifyZone([tag]);
    expect(c.zone).toBe(zone);
    expect(c.action).toBe(action);
  });

  it('a prohibited term in any tag wins over allow terms in others', () => {
    const c = classifyZone(['location/zone/public-other', 'location/lobby', 'location/name/试衣间']);
    expect(c.zone).toBe('fitting-room');
    expect(c.action).toBe('block');
  });

  it('an invalid percent sequence does not throw', () => {
    expect(() => classifyZone([], { scopes: [scope('location/%E5%AE%ZZ/%'), scope('location/%C0%AF')] })).not.toThrow();
    expect(classifyZone([], { scopes: [scope('location/%E5%8E%95%E6%89%80%FF')] }).zone).toBe('toilet');
  });

  it('NVR channel tags are matched', () => {
    expect(classifyZone(['channel/location/更衣室']).action).toBe('block');
    expect(classifyZone(['channel/name/Lobby']).zone).toBe('public-other');
  });
});

describe('modifiers turn block into flag', () => {
  it.each([
    'location/toilet-entrance',
    'location/卫生间门口',
    'location/衛生間門口',
    'location/outside/changing room',
    'location/更衣室走廊',
    'location/试衣间外',
    'location/dormitory_corridor',
    'location/入口/浴室',
  ])('%s', (tag) => {
    const c = classifyZone([tag]);
    expect(BLOCKED).toContain(c.zone);
    expect(c.modified).toBe(true);
    expect(c.action).toBe('flag');
  });

  it('an unmodified prohibited tag elsewhere still blocks', () => {
    expect(classifyZone(['location/toilet-entrance', 'location/zone/toilet']).action).toBe('block');
  });
});

describe('factory placeholders give unknown', () => {
  it.each([
    'location/city/hangzhou',
    'location/country/china',
    'location/GMT',
    'location/shenzhen',
    'location/default',
    'location/',
    'location/city/Hangzhou/country/China',
  ])('%s', (tag) => {
    expect(classifyZone([tag]).zone).toBe('unknown');
  });

  it('vendor placeholder paths (quirks.placeholderLocations) give unknown', () => {
    expect(classifyZone(['location/office']).zone).toBe('private-non-public');
    expect(classifyZone(['location/office'], { placeholders: ['office'] }).zone).toBe('unknown');
  });

  it('a placeholder never hides a prohibited term', () => {
    expect(classifyZone(['location/toilet'], { placeholders: ['toilet'] }).action).toBe('block');
  });
});
