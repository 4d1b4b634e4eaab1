import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadActiveProfileSet } from '../../src/agent/active-profile-set.js';
import { loadConfig } from '../../src/config/load-config.js';
import { builtinPack } from '../../src/policy/builtin-pack.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { decisionsFor } from '../../src/policy/index.js';
import { ZONE_IDS } from '../../src/policy/vocabulary/zone-ids.js';
import { loadProfileSet, ProfileValidationError } from '../../src/profiles/load-profile-set.js';
import { policyPackSchema } from '../../src/profiles/pack-schema.js';
import { ErrorCode } from '../../src/util/errors.js';
import { camera, loadPack, NOW, profileSet } from './fixtures.js';

describe('policy packs', () => {
  it.each(['cn-2025', 'eu-gdpr', 'us-ny'])('%s.yaml validates and covers every zone id', (id) => {
    const pack = loadPack(id);
    expect(pack.id).toBe(id);
    for (const zone of ZONE_IDS) expect(pack.zones[zone], zone).toBeDefined();
  });

  it('the embedded cn-2025 equals device-profiles/packs/cn-2025.yaml', () => {
    expect(loadPack('cn-2025')).toEqual(builtinPack());
  });

  it('cn-2025 has the contract codes and retention floors', () => {
    const p = builtinPack();
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

  it('a bad pack file refuses the whole profile set, naming the file and field (no fallback to cn-2025)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-packs-'));
    try {
      await cp(new URL('../../device-profiles', import.meta.url), dir, { recursive: true });
      const file = join(dir, 'packs', 'cn-2025.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace(/action: block/, 'action: maybe'));
      const err = await loadProfileSet(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProfileValidationError);
      expect((err as ProfileValidationError).problems).toEqual([
        expect.stringMatching(/^packs\/cn-2025\.yaml: zones\.[a-z-]+\.action: /),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a profile set without its active pack is refused by the policy, not decided under the built-in pack', () => {
    const set = profileSet({ packId: 'eu-gdpr' });
    const withoutActive = { ...set, packs: { 'cn-2025': builtinPack() } };
    const record = camera({ location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'] } });
    expect(evaluateRecords([record], set, { now: NOW })[0]?.decision.reasons[0]?.rule).toBe('eu-gdpr');
    expect(() => evaluateRecords([record], withoutActive, { now: NOW })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidProfile, message: expect.stringContaining('"eu-gdpr"') }),
    );
  });

  it('without a profile set the built-in pack decides', () => {
    const { decide, revision } = decisionsFor(undefined);
    expect(revision).toBe('builtin-cn-2025');
    const [r] = decide([camera({ location: { zone: 'unknown', source: 'none', tags: ['location/女厕'] } })]);
    expect(r?.decision.action).toBe('block');
  });
});

describe('decisions under the shipped device-profiles dir', () => {
  it('loads all three packs through the profiles loader and decides with the active one', async () => {
    const dir = new URL('../../device-profiles', import.meta.url).pathname;
    const dataDir = await mkdtemp(join(tmpdir(), 'cw-packs-data-'));
    const { config } = loadConfig({ CAMWARDEN_PROFILES_DIR: dir, CAMWARDEN_DATA_DIR: dataDir }, dataDir);
    const { decide, revision } = decisionsFor(await loadActiveProfileSet(config));
    await rm(dataDir, { recursive: true, force: true });
    expect(revision).toMatch(/^[0-9a-f]{16}$/);
    const [r] = decide([camera({ location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'] } })]);
    expect(r?.decision.action).toBe('block');
  });
});
