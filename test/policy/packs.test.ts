import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Config } from '../../src/config/schema.js';
import { builtinPack } from '../../src/policy/builtin-pack.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { loadDecide } from '../../src/policy/index.js';
import { ZONE_IDS } from '../../src/policy/vocabulary/zone-ids.js';
import { EMPTY_SITE } from '../../src/profiles/load-profile-set.js';
import { policyPackSchema } from '../../src/profiles/pack-schema.js';
import { camera, loadPack, NOW } from './fixtures.js';

describe('policy packs', () => {
  it.each(['cn-2025', 'eu-gdpr', 'us-ny'])('%s.yaml validates and covers every zone id', (id) => {
    const pack = loadPack(id);
    expect(pack.id).toBe(id);
    for (const zone of ZONE_IDS) expect(pack.zones[zone], zone).toBeDefined();
  });

  it('the embedded cn-2025 equals device-profiles/packs/cn-2025.yaml', () => {
    expect(loadPack('cn-2025')).toEqual(builtinPack);
  });

  it('cn-2025 has the contract codes and retention floors', () => {
    const p = builtinPack;
    expect(p.zones.toilet).toMatchObject({ action: 'block', code: 'prohibited-zone' });
    expect(p.zones['military-restricted-adjacent']).toMatchObject({
      action: 'flag',
      code: 'consent-required',
      clearedByConsent: true,
    });
    expect(p.zones.unknown).toMatchObject({ action: 'flag', code: 'unclassified-zone' });
    expect(p.retention).toMatchObject({
      defaultDays: 30,
      classMinimumDays: { 'art7-gov': 30, 'art7-operator': 30 },
      overlayMinimumDays: { 'anti-terror-key-target': 90, 'entertainment-venue': 30 },
    });
  });

  it('rejects a bad pack with the field at fault', () => {
    const raw = parse(readFileSync(new URL('../../device-profiles/packs/us-ny.yaml', import.meta.url), 'utf8'));
    raw.zones.toilet.action = 'maybe';
    const r = policyPackSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['zones', 'toilet', 'action']);
  });

  it('an invalid active pack in a profile set falls back to the built-in cn-2025 (fail closed)', () => {
    const out = evaluateRecords(
      [camera({ location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'] } })],
      {
        revision: 'r',
        dir: '/x',
        packId: 'broken',
        packs: { broken: { id: 'broken' } },
        vendors: [],
        site: { ...EMPTY_SITE, file: 's' },
        retention: {
          defaultDays: 30,
          zoneDays: {},
          classMinimumDays: {},
          overlayMinimumDays: {},
          siteOverlays: [],
          quarantineDays: 30,
          legalHolds: [],
        },
        layouts: {},
        signed: false,
      },
      { now: NOW },
    );
    expect(out[0]?.decision.reasons[0]).toMatchObject({ rule: 'cn-2025', code: 'prohibited-zone' });
  });

  it('loadDecide without a profiles dir uses the built-in pack', async () => {
    const { decide, revision } = await loadDecide({} as Config);
    expect(revision).toBe('builtin-cn-2025');
    const [r] = decide([camera({ location: { zone: 'unknown', source: 'none', tags: ['location/女厕'] } })]);
    expect(r?.decision.action).toBe('block');
  });
});

describe('loadDecide with the shipped device-profiles dir', () => {
  it('loads all three packs through the profiles loader and decides with the active one', async () => {
    const dir = new URL('../../device-profiles', import.meta.url).pathname;
    const { decide, revision } = await loadDecide({ profilesDir: dir } as Config);
    expect(revision).toMatch(/^[0-9a-f]{16}$/);
    const [r] = decide([camera({ location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'] } })]);
    expect(r?.decision.action).toBe('block');
  });
});
