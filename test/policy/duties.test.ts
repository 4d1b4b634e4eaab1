/** Arts 13/14/17 with the shipped defaults: the system class is derived from the zone, checked against it, and acts. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { loadProfileSet } from '../../src/profiles/index.js';
import type { CameraAssignment, SystemClass } from '../../src/profiles/types.js';
import { camera, loadPack, NOW, profileSet } from './fixtures.js';

const DAY = 86_400_000;
const iso = (msFromNow: number) => new Date(NOW.getTime() + msFromNow).toISOString();
const tagged = (tag: string, over: Partial<CameraRecord> = {}) =>
  camera({ ...over, location: { zone: 'unknown', source: 'none', tags: [tag] } });
const codes = (r: CameraRecord | undefined) => r?.decision.reasons.map((x) => x.code);
const reason = (r: CameraRecord | undefined, code: string) => r?.decision.reasons.find((x) => x.code === code);

/** A site with every record in place, so only the rule under test speaks. */
function site(assignment: Partial<CameraAssignment> = {}, over: Parameters<typeof profileSet>[0] = {}) {
  return profileSet({
    ...over,
    site: {
      cameras: [{ match: { id: 'cam-1' }, overlays: [], ...assignment }],
      filings: [{ number: 'F-1', date: iso(-DAY), goLiveDate: iso(-2 * DAY), cameras: [] }],
      signage: [{ id: 's', cameras: ['cam-1'] }],
      ...over.site,
    },
  });
}
const decide = (record: CameraRecord, set: ReturnType<typeof site>) => evaluateRecords([record], set, { now: NOW })[0];

describe('system class', () => {
  it.each([
    ['crowded-place', 'art7-operator', 'Article 7'],
    ['transport-hub', 'art7-operator', 'Article 7'],
    ['public-vehicle', 'art7-operator', 'Article 7'],
    ['service-area', 'art7-operator', 'Article 7'],
    ['public-infrastructure', 'art7-gov', 'Article 7'],
    ['public-other', 'art9-other-public', 'Article 9'],
    ['private-non-public', 'art33-non-public', 'Article 33'],
  ])('a %s camera without a class is derived %s and flagged (%s)', (zone, derived, article) => {
    const r = decide(tagged(`location/zone/${zone}`), site());
    expect(r?.systemClass).toBe(derived);
    expect(codes(r)).toEqual(['system-class-missing']);
    expect(reason(r, 'system-class-missing')).toMatchObject({ article, rule: 'cn-2025' });
    expect(r?.decision.action).toBe('flag');
  });

  it('a recorded class the zone admits is used as it is', () => {
    expect(decide(tagged('location/zone/crowded-place'), site({ systemClass: 'art7-gov' }))?.decision).toEqual({
      action: 'allow',
      reasons: [],
    });
    const r = decide(tagged('location/zone/public-other'), site({ systemClass: 'art9-other-public' }));
    expect(r?.systemClass).toBe('art9-other-public');
    expect(r?.decision.reasons).toEqual([]);
  });

  it('a public-infrastructure camera classed art7-operator is flagged (Art 7(1): the government builds these)', () => {
    const r = decide(tagged('location/zone/public-infrastructure'), site({ systemClass: 'art7-operator' }));
    expect(codes(r)).toEqual(['system-class-mismatch']);
    expect(r?.systemClass).toBe('art7-gov');
    expect(reason(r, 'system-class-mismatch')?.message).toContain('recorded art7-operator');
  });

  it('a transport-hub camera classed art9 does not escape Arts 14 and 17', () => {
    const r = decide(
      tagged('location/zone/transport-hub'),
      site(
        { systemClass: 'art9-other-public', retentionDays: 7 },
        {
          site: { filings: [] },
        },
      ),
    );
    expect(r?.systemClass).toBe('art7-operator');
    expect(codes(r)).toEqual(['system-class-mismatch', 'filing-missing', 'retention-below-minimum']);
    expect(reason(r, 'filing-missing')?.article).toBe('Article 14');
    expect(reason(r, 'retention-below-minimum')?.article).toBe('Article 17');
  });

  it('the site default class is checked against the zone too', () => {
    const set = profileSet({
      site: { defaultSystemClass: 'art33-non-public', signage: [{ id: 's', cameras: ['cam-1'] }] },
    });
    const r = decide(tagged('location/zone/public-other'), set);
    expect(codes(r)).toEqual(['system-class-mismatch']);
    expect(r?.systemClass).toBe('art9-other-public');
  });

  it('zones that imply no class (prohibited rooms, Art 10, unknown) get no class finding', () => {
    for (const tag of ['location/zone/toilet', 'location/zone/state-organ-adjacent', 'location/city/hangzhou']) {
      const r = decide(tagged(tag), site());
      expect(codes(r)).not.toContain('system-class-missing');
      expect(r?.systemClass).toBeUndefined();
    }
  });

  it('a pack that switches the check off still derives the class', () => {
    const pack = loadPack('cn-2025');
    const set = site();
    set.packs = {
      'cn-2025': { ...pack, rules: { ...pack.rules, systemClassMissing: { enabled: false, code: 'x', message: 'y' } } },
    };
    const r = decide(tagged('location/zone/crowded-place'), set);
    expect(r?.systemClass).toBe('art7-operator');
    expect(r?.decision.reasons).toEqual([]);
  });

  it('a stale class from an earlier evaluation is not carried over', () => {
    const r = decide(tagged('location/city/hangzhou', { systemClass: 'art7-gov' as SystemClass }), site());
    expect(r?.systemClass).toBeUndefined();
  });
});

describe('Art 17 retention with the shipped profiles', () => {
  const shipped = resolve(import.meta.dirname, '../../device-profiles');

  it('a crowded-place camera whose NVR keeps 7 days is flagged with Art 17', async () => {
    const set = await loadProfileSet(shipped);
    const r = evaluateRecords([tagged('location/mall/entrance', { maximumRetentionTime: 'P7D' })], set, {
      now: NOW,
    })[0];
    expect(r?.location.zone).toBe('crowded-place');
    expect(r?.systemClass).toBe('art7-operator');
    expect(reason(r, 'retention-below-minimum')).toMatchObject({ article: 'Article 17' });
    expect(reason(r, 'retention-below-minimum')?.message).toContain('minimum 30 days');
    expect(codes(r)).toEqual(
      expect.arrayContaining(['system-class-missing', 'filing-missing', 'signage-missing', 'retention-below-minimum']),
    );
  });

  it('an NVR channel whose ring buffer holds less than the floor is flagged, with the earliest recording', async () => {
    const set = await loadProfileSet(shipped);
    const channel = camera({
      id: 'nvr-1:ch2',
      parent: 'nvr-1',
      channel: 'ch2',
      maximumRetentionTime: 'PT0S',
      earliestRecording: iso(-9 * DAY),
      location: { zone: 'unknown', source: 'none', tags: ['channel/name/商场出口'] },
    });
    const r = evaluateRecords([channel], set, { now: NOW })[0];
    const why = reason(r, 'retention-below-minimum');
    expect(why?.article).toBe('Article 17');
    expect(why?.message).toContain(`holds footage from ${iso(-9 * DAY)} on, 9 days`);
  });

  it('a recorder holding more than the floor, or with an implausible clock, is not flagged', () => {
    const set = site({ systemClass: 'art7-operator' });
    for (const earliest of [iso(-45 * DAY), '1970-01-01T00:03:15Z', iso(2 * DAY), 'not a date']) {
      const r = decide(tagged('location/zone/crowded-place', { earliestRecording: earliest }), set);
      expect(r?.decision.reasons, earliest).toEqual([]);
    }
  });

  it('a 90-day anti-terror key target cites the Anti-Terrorism Law Art 32 with Art 17', () => {
    const set = site({ systemClass: 'art7-operator', overlays: ['anti-terror-key-target'], retentionDays: 60 });
    const r = decide(tagged('location/zone/transport-hub', { earliestRecording: iso(-50 * DAY) }), set);
    expect(r?.decision.reasons.map((x) => [x.code, x.article])).toEqual([
      ['retention-below-minimum', 'Article 17; Anti-Terrorism Law Article 32'],
      ['retention-below-minimum', 'Article 17; Anti-Terrorism Law Article 32'],
    ]);
    expect(r?.decision.reasons[0]?.message).toContain('configured 60 days, minimum 90 days');
  });

  it('a camera with no class is held to the strictest class floor, as the sweeper holds its footage', () => {
    const r = decide(tagged('location/city/hangzhou', { maximumRetentionTime: 'P10D' }), site());
    expect(codes(r)).toEqual(['unclassified-zone', 'retention-below-minimum']);
  });
});
