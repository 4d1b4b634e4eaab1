import { describe, expect, it } from 'vitest';
import { classifyZone } from '../../src/policy/classify-zone.js';
import { VOCABULARY } from '../../src/policy/lexicon.js';
import { ZONE_IDS } from '../../src/policy/vocabulary/zone-ids.js';
import { loadPack, scope } from './fixtures.js';

const pack = loadPack('cn-2025');
const decided = (tags: string[], scopes: string[] = []) => {
  const c = classifyZone(tags, { scopes });
  return `${c.zone}:${c.action}${c.modified ? ':modified' : ''}`;
};

describe('canonical location/zone/<id>', () => {
  it.each(ZONE_IDS.filter((z) => z !== 'unknown'))('%s', (zone) => {
    const c = classifyZone([`location/zone/${zone}`]);
    expect(c.zone).toBe(zone);
    expect(c.action).toBe(pack.zones[zone]?.action);
    expect(c.decidedBy?.level).toBe('canonical');
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

  it('a canonical allow zone decides over unknown rooms, never over a prohibited room', () => {
    expect(decided(['location/zone/crowded-place', 'location/room/某某室'])).toBe('crowded-place:allow');
    expect(decided(['location/zone/public-other/toilets'])).toBe('toilet:block');
  });
});

describe('every vocabulary term names its zone', () => {
  const rows = VOCABULARY.flatMap((f) =>
    f.zone !== undefined && (f.role ?? 'place') !== 'ambiguous' ? f.terms.map((t) => [f.zone, t] as const) : [],
  );
  it.each(rows)('%s ← %s (plain, percent-encoded, upper case)', (zone, term) => {
    expect(classifyZone([`location/building/A/${term}`]).zone).toBe(zone);
    expect(classifyZone([], { scopes: [scope(`location/floor/2/${encodeURIComponent(term)}`)] }).zone).toBe(zone);
    expect(classifyZone([`location/${term.toUpperCase()}`]).zone).toBe(zone);
  });
});

describe('specificity: the most specific term decides, a prohibited room anywhere wins', () => {
  it.each([
    [['location/site/万达广场', 'location/room/沐浴间'], 'bathing-room:block'],
    [['location/虹桥火车站/男卫'], 'toilet:block'],
    [['location/机场/育婴室'], 'lactation-room:block'],
    [['location/商场/试身室'], 'fitting-room:block'],
    [['location/site/xx-hospital', 'location/room/pumping-room'], 'lactation-room:block'],
    [['location/zone/public-other', 'location/lobby', 'location/name/试衣间'], 'fitting-room:block'],
    [['location/mall/atrium'], 'crowded-place:allow'],
    [['location/万达广场/B2/停车场'], 'crowded-place:allow'],
    [['location/mall/back office'], 'private-non-public:allow'],
    [['location/hotel/lobby'], 'public-other:allow'],
  ])('%j → %s', (tags, want) => {
    expect(decided(tags)).toBe(want);
  });

  it('between two prohibited rooms, the location tag names the zone, not the device name, in either order', () => {
    const both = [scope('name/Dormitory'), scope('location/staff%20dormitory')];
    for (const scopes of [both, [...both].reverse()]) {
      const c = classifyZone([], { scopes, pack: loadPack('cn-2025') });
      expect(`${c.zone}:${c.action}`).toBe('staff-dormitory:block');
      expect(c.others.map((o) => o.zone)).toEqual(['student-dormitory']);
    }
  });

  it('an unknown room is never beaten by a broader allow term', () => {
    expect(decided(['location/万达广场/某某室'])).toBe('unknown:flag');
    expect(decided(['location/site/mall', 'location/room/B-27'])).toBe('unknown:flag');
    expect(decided(['location/mall/blah room'])).toBe('unknown:flag');
    // A corridor outside an unknown room is still about that room.
    expect(decided(['location/某某室/走廊'])).toBe('unknown:flag');
    const c = classifyZone(['location/site/万达广场', 'location/room/某某室']);
    expect(c.decidedBy).toMatchObject({ words: '某某室', level: 'room', segment: '某某室' });
  });

  it('a more specific known room decides over an unknown room before it', () => {
    expect(decided(['location/某某室/office'])).toBe('private-non-public:allow');
  });

  it('a generic public room in an Art 7 place keeps the place', () => {
    expect(decided(['location/机场贵宾休息室'])).toBe('transport-hub:allow');
    expect(decided(['location/地铁站/站厅/电梯'])).toBe('transport-hub:allow');
    expect(decided(['location/zone/public-other', 'location/airport'])).toBe('public-other:allow');
  });

  it('Art 10 and privacy-sensitive zones win over allow terms', () => {
    expect(decided(['location/军事管理区/大门'])).toBe('military-management-adjacent:flag');
    expect(decided(['location/hospital/exam-room'])).toBe('privacy-sensitive-other:flag');
  });

  it('lists the other zones the tags name that the pack does not allow', () => {
    const c = classifyZone(['location/军事管理区/卫生间']);
    expect(c.zone).toBe('toilet');
    expect(c.others).toEqual([{ zone: 'military-management-adjacent', action: 'flag', modified: false }]);
  });
});

describe('modifiers qualify the prohibited room they stand next to, nowhere else', () => {
  it.each([
    'location/toilet-entrance',
    'location/卫生间门口',
    'location/衛生間門口',
    'location/更衣室走廊',
    'location/更衣室外走廊',
    'location/试衣间外',
    'location/dormitory_corridor',
    'location/宿舍楼道',
    'location/宿舍楼大门',
    'location/toilet/entrance',
    'location/toilets 2 entrance',
    'location/outside the changing rooms',
    'location/entrance to the toilets',
    'location/corridor outside toilets',
    'location/changing room door',
    'location/b1restroom2entrance',
  ])('%s → flag', (tag) => {
    const c = classifyZone([tag]);
    expect(pack.zones[c.zone]?.action).toBe('block');
    expect(c.modified).toBe(true);
    expect(c.action).toBe('flag');
  });

  it.each([
    'location/外籍员工宿舍',
    'location/校外宿舍',
    'location/外包员工休息室',
    'location/外卖员休息室',
    'location/外宾客房',
    'location/outdoor-pool/changing-and-shower-room',
    'location/entrance/toilet',
    'location/门口卫生间',
    'location/outside/changing room',
    'location/入口/浴室',
  ])('%s → block (the modifier qualifies something else)', (tag) => {
    const c = classifyZone([tag]);
    expect(c.action).toBe('block');
    expect(c.modified).toBe(false);
  });

  it('an unmodified prohibited tag elsewhere still blocks', () => {
    expect(classifyZone(['location/toilet-entrance', 'location/zone/toilet']).action).toBe('block');
  });

  it('a pack with modifiers off keeps the block', () => {
    const off = { ...pack, modifiers: { ...pack.modifiers, enabled: false } };
    expect(classifyZone(['location/卫生间门口'], { pack: off }).action).toBe('block');
  });
});

describe('traps: a room word describing goods or another room is no prohibited room', () => {
  it.each([
    ['location/mall/ladies wear', 'crowded-place:allow'],
    ['location/gents clothing', 'public-other:allow'],
    ['location/ladieswear', 'public-other:allow'],
    ['location/luggage locker', 'public-other:allow'],
    ['location/smart locker', 'public-other:allow'],
    ['location/suite 300 reception', 'public-other:allow'],
    ['location/bank VIP room', 'unknown:flag'],
    ['location/机场贵宾休息室', 'transport-hub:allow'],
    ['location/浴室用品专柜', 'public-other:allow'],
    ['location/restroom supplies storeroom', 'private-non-public:allow'],
  ])('%s → %s', (tag, want) => {
    expect(decided([tag])).toBe(want);
  });
});

describe('a CJK run read two ways takes the reading that names a prohibited room', () => {
  it.each([
    // Read backward these are 对 + 面包间 (a bakery); they mean 对面 + 包间, the private dining room opposite.
    ['location/对面包间', 'private-dining-room:block'],
    ['location/外面包房', 'private-dining-room:block'],
    // One word, one reading: a bakery is a bakery.
    ['location/面包间', 'public-other:allow'],
    ['location/商场/面包房', 'crowded-place:allow'],
  ])('%s → %s', (tag, want) => {
    expect(decided([tag])).toBe(want);
  });
});

describe('letters run on to a room word, and -ses plurals, never hide the room', () => {
  it.each([
    ['location/mall/guest roomA', 'hotel-room:block'],
    ['location/mall/private diningB', 'private-dining-room:block'],
    ['location/hall of residencex', 'student-dormitory:block'],
    ['location/guest houses', 'homestay-room:block'],
    ['location/门口guest houses', 'homestay-room:block'],
    ['location/road/military bases', 'military-management-adjacent:flag'],
    // The room's spelling must start where a word does: `forest room` is an unknown room, not a restroom.
    ['location/forest room', 'unknown:flag'],
    // A run-on that spells a word of its own is read as that word: goods (gel) after a room word.
    ['location/mall/hotel roomgel', 'crowded-place:allow'],
  ])('%s → %s', (tag, want) => {
    expect(decided([tag])).toBe(want);
  });
});

describe('ambiguous rooms take their zone from the site the tags name', () => {
  it.each([
    [['location/hotel/room 305'], 'hotel-room:block'],
    [['location/酒店/8F/801房'], 'hotel-room:block'],
    [['location/site/hotel', 'location/room/1203'], 'hotel-room:block'],
    [['location/restaurant/VIP room'], 'private-dining-room:block'],
    [['location/大学/公寓/3号楼'], 'student-dormitory:block'],
    [['location/gym/lockers'], 'changing-room:block'],
    [['location/room 305'], 'unknown:flag'],
    [['location/lockers'], 'unknown:flag'],
    [['location/公寓'], 'unknown:flag'],
  ])('%j → %s', (tags, want) => {
    expect(decided(tags)).toBe(want);
  });

  it('records which context resolved it', () => {
    expect(classifyZone(['location/hotel/room 305']).decidedBy).toMatchObject({ context: 'lodging', words: 'room' });
  });
});

describe('spellings', () => {
  it.each([
    ['location/沐浴间', 'bathing-room'],
    ['location/冲凉房', 'bathing-room'],
    ['location/育婴室', 'lactation-room'],
    ['location/大床房', 'hotel-room'],
    ['location/标准间', 'hotel-room'],
    ['location/研究生公寓', 'student-dormitory'],
    ['location/衞生間', 'toilet'],
    ['location/試身室', 'fitting-room'],
    ['location/哺集乳室', 'lactation-room'],
    ['location/lavatories', 'toilet'],
    ['location/W.C.', 'toilet'],
    ['location/staff changing area', 'changing-room'],
    ['location/breastfeeding room', 'lactation-room'],
    ['location/Dormitories', 'student-dormitory'],
    ['location/staff lounge', 'staff-rest-room'],
    ['location/cesuo', 'toilet'],
    ['location/weishengjian', 'toilet'],
    ['location/gengyishi', 'changing-room'],
    ['location/xishoujian', 'toilet'],
    ['location/sushe', 'student-dormitory'],
    ['location/%CE%C0%C9%FA%BC%E4', 'toilet'],
    ['location/%B8%FC%D2%C2%CA%D2', 'changing-room'],
    ['location/更 衣 室', 'changing-room'],
    ['location/ＴＯＩＬＥＴ', 'toilet'],
    ['location/Mens Restroom', 'toilet'],
    ["location/Men's Room", 'toilet'],
    ['location/changingrooms', 'changing-room'],
    ['location/xrestroom', 'toilet'],
    ['location/%25E5%258D%25AB%25E7%2594%259F%25E9%2597%25B4', 'toilet'],
  ])('%s → %s', (tag, zone) => {
    const c = classifyZone([tag]);
    expect(c.zone).toBe(zone);
    expect(c.action).toBe('block');
  });

  it('an invalid percent sequence does not throw', () => {
    expect(() => classifyZone([], { scopes: [scope('location/%E5%AE%ZZ/%'), scope('location/%C0%AF')] })).not.toThrow();
    expect(classifyZone([], { scopes: [scope('location/%E5%8E%95%E6%89%80%FF')] }).zone).toBe('toilet');
  });
});

describe('NVR channels, device names and placeholders', () => {
  it('NVR channel tags are matched', () => {
    expect(classifyZone(['channel/location/更衣室']).action).toBe('block');
    expect(classifyZone(['channel/name/Lobby']).zone).toBe('public-other');
    expect(classifyZone(['channel/name/Camera 01']).zone).toBe('unknown');
  });

  it('a device name only adds severity', () => {
    expect(decided([], [scope('name/mall')])).toBe('unknown:flag');
    expect(decided([], [scope('name/Locker-Room-Cam')])).toBe('changing-room:block');
  });

  it.each([
    'location/city/hangzhou',
    'location/country/china',
    'location/GMT',
    'location/shenzhen',
    'location/default',
    'location/',
    'location/city/Hangzhou/country/China',
  ])('factory placeholder %s gives unknown', (tag) => {
    expect(classifyZone([tag]).zone).toBe('unknown');
  });

  it('vendor placeholder paths (quirks.placeholderLocations) give unknown, never hiding a prohibited room', () => {
    expect(classifyZone(['location/office']).zone).toBe('private-non-public');
    expect(classifyZone(['location/office'], { placeholders: ['office'] }).zone).toBe('unknown');
    expect(classifyZone(['location/toilet'], { placeholders: ['toilet'] }).action).toBe('block');
  });

  it('a location given as a tag and as its raw scope counts once', () => {
    const c = classifyZone(['location/building/A/更衣室'], {
      scopes: [scope(`location/building/A/${encodeURIComponent('更衣室')}`)],
    });
    expect(c.hits).toHaveLength(1);
  });
});
