/** The evaluator's memo tables must never carry a decision from one pack, vendor or profile set to another. */
import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/inventory/types.js';
import { BoundedMemo, SeenOnce } from '../../src/policy/bounded-memo.js';
import { classifyZone } from '../../src/policy/classify-zone.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import type { PolicyPack } from '../../src/policy/pack-schema.js';
import { camera, loadPack, NOW, profileSet, scope, vendor } from './fixtures.js';

const tagged = (tag: string, over: Partial<CameraRecord> = {}) =>
  camera({ ...over, location: { zone: 'unknown', source: 'none', tags: [tag] } });
const actionOf = (records: CameraRecord[], set: Parameters<typeof evaluateRecords>[1]) =>
  evaluateRecords(records, set, { now: NOW }).map((r) => `${r.location.zone}:${r.decision.action}`);

/** cn-2025 with one zone's action changed; same id, a different object. */
function variant(zone: string, action: 'allow' | 'flag' | 'block'): PolicyPack {
  const base = loadPack('cn-2025');
  const rule = base.zones[zone];
  if (!rule) throw new Error(zone);
  return { ...base, zones: { ...base.zones, [zone]: { ...rule, action } } };
}

function withPack(pack: PolicyPack) {
  const set = profileSet();
  set.packs = { [pack.id]: pack };
  return set;
}

describe('tag verdict memo', () => {
  it('is per pack object: the same tag follows each pack, also when they share an id', () => {
    const recs = [tagged('location/floor/2/卫生间'), tagged('location/mall')];
    const blockToilets = withPack(variant('toilet', 'block'));
    const allowToilets = withPack(variant('toilet', 'allow'));
    const flagMalls = withPack(variant('crowded-place', 'flag'));
    for (let round = 0; round < 2; round++) {
      expect(actionOf(recs, blockToilets)).toEqual(['toilet:block', 'crowded-place:allow']);
      expect(actionOf(recs, allowToilets)).toEqual(['toilet:allow', 'crowded-place:allow']);
      expect(actionOf(recs, flagMalls)).toEqual(['toilet:block', 'crowded-place:flag']);
    }
  });

  it("is per placeholder list: one vendor's placeholder does not hide the zone for another", () => {
    const set = profileSet({
      vendors: [vendor('generic', 0, {}), vendor('acme', 10, { manufacturer: 'acme' }, ['mall'])],
    });
    const acme = tagged('location/mall', { manufacturer: 'ACME' });
    const other = tagged('location/mall', { id: 'cam-2', manufacturer: 'Other', serial: 'SN2' });
    for (let round = 0; round < 2; round++) {
      expect(actionOf([acme, other], set)).toEqual(['unknown:flag', 'crowded-place:allow']);
      expect(actionOf([other, acme], set)).toEqual(['crowded-place:allow', 'unknown:flag']);
      expect(classifyZone(['location/mall'], { placeholders: ['mall'] }).zone).toBe('unknown');
      expect(classifyZone(['location/mall']).zone).toBe('crowded-place');
    }
  });

  it('keeps raw scopes, their tags and name scopes apart', () => {
    const asScope = camera({ scopes: [scope('location/mall')] });
    const asName = camera({ scopes: [scope('name/mall')] });
    const asTag = tagged('location/mall');
    for (let round = 0; round < 2; round++) {
      expect(actionOf([asScope, asName, asTag], undefined)).toEqual([
        'crowded-place:allow',
        'unknown:flag', // a device name never gives an allow classification
        'crowded-place:allow',
      ]);
    }
  });
});

describe('profile-set indexes', () => {
  it('are per profile-set object: signage and consent of one set never apply to another', () => {
    const rec = tagged('location/zone/state-organ-adjacent');
    const covered = profileSet({
      site: {
        defaultSystemClass: 'art9-other-public',
        signage: [{ id: 's', cameras: ['cam-1'] }],
        consents: [{ id: 'c', issuingUnit: 'u', date: '2026-01-01', cameras: ['SN1'] }],
      },
    });
    const bare = profileSet({ site: { defaultSystemClass: 'art9-other-public' } });
    const codes = (set: typeof bare) =>
      evaluateRecords([rec], set, { now: NOW })[0]?.decision.reasons.map((r) => r.code);
    for (let round = 0; round < 2; round++) {
      expect(codes(covered)).toEqual([]);
      expect(codes(bare)).toEqual(['consent-required', 'signage-missing']);
    }
  });
});

describe('BoundedMemo', () => {
  it('holds at most its limit and keeps recently read entries when it forgets', () => {
    const memo = new BoundedMemo<string, number>(4); // halves of 2
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) memo.set(k, i); // old {a, b}, young {c, d}
    expect(memo.get('a')).toBe(0); // read from the old half: moved to a new young half, {c, d} become old
    expect(memo.get('b')).toBeUndefined(); // dropped with the previous old half
    expect(memo.get('c')).toBe(2); // young {a, c}
    memo.set('e', 4); // old {a, c}, young {e}: d is dropped
    expect(memo.get('d')).toBeUndefined();
    expect([memo.get('a'), memo.get('e')]).toEqual([0, 4]);
    expect(memo.size).toBeLessThanOrEqual(4);
  });
});

describe('SeenOnce', () => {
  it('admits a key on its second sighting', () => {
    const seen = new SeenOnce();
    expect(seen.checkAndAdd('location/room-1')).toBe(false);
    expect(seen.checkAndAdd('location/room-2')).toBe(false);
    expect(seen.checkAndAdd('location/room-1')).toBe(true);
    expect(seen.checkAndAdd('location/room-1')).toBe(true);
  });

  it('clears itself before it fills up, so unseen keys are not all admitted', () => {
    const seen = new SeenOnce(10, 16); // 1024 bits, cleared after 16 new keys
    let admitted = 0;
    for (let i = 0; i < 5000; i++) if (seen.checkAndAdd(`tag-${i}`)) admitted++;
    expect(admitted).toBeLessThan(250);
  });

  it('a unique tag is analysed every time it comes, a repeated one is memoised, with the same verdict', () => {
    const tags = ['location/b1/toilet-r1', 'location/b1/toilet-r1', 'location/b1/toilet-r1'];
    const results = tags.map((t) => classifyZone([t]));
    expect(new Set(results.map((r) => `${r.zone}:${r.action}`))).toEqual(new Set(['toilet:block']));
  });
});
