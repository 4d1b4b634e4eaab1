// One owner for the retention rules: the policy's Art 17 decision, the sweeper, the profile loader, the hold store
// and the legal-hold request all read them from retention/rules.ts, so they agree.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { builtinPack } from '../../src/policy/builtin-pack.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { loadProfileSet } from '../../src/profiles/load-profile-set.js';
import { opSchemas } from '../../src/reporting/requests/schemas.js';
import { HoldStore } from '../../src/retention/hold-store.js';
import { retentionMismatches } from '../../src/retention/mismatch.js';
import {
  DEFAULT_RETENTION_POLICY,
  effectiveRetentionDays,
  floorDays,
  isoDurationDays,
  retentionPolicyFrom,
} from '../../src/retention/rules.js';
import { camera, NOW, profileSet, site } from '../policy/fixtures.js';

const codes = (r: CameraRecord | undefined) => r?.decision.reasons.map((x) => x.code) ?? [];

describe('retention rules', () => {
  it('ISO-8601 durations: one parser; PT0S is "no limit" everywhere', () => {
    expect(isoDurationDays('PT0S')).toBe(Number.POSITIVE_INFINITY);
    expect(isoDurationDays('P0D')).toBe(Number.POSITIVE_INFINITY);
    expect(isoDurationDays('P7D')).toBe(7);
    expect(isoDurationDays('pt168h')).toBe(7);
    expect(isoDurationDays('P1M')).toBe(30);
    for (const bad of ['P', 'PT', '7D', 'bogus', 'P1DT']) expect(isoDurationDays(bad)).toBeUndefined();
    // the policy does not flag an unlimited recorder, and the sweeper's comparison calls it "keeps longer"
    const p = profileSet({ site: { defaultSystemClass: 'art7-operator' } });
    const [unlimited, short] = evaluateRecords(
      [camera({ id: 'u', maximumRetentionTime: 'PT0S' }), camera({ id: 's', maximumRetentionTime: 'P7D' })],
      p,
      { now: NOW },
    );
    expect(codes(unlimited)).not.toContain('retention-below-minimum');
    expect(codes(short)).toContain('retention-below-minimum');
    const rec = (id: string, m: string) =>
      ({ id, maximumRetentionTime: m, systemClass: 'art7-gov' }) as unknown as CameraRecord;
    const found = retentionMismatches(
      [rec('a', 'P7D'), rec('b', 'PT0S'), rec('c', 'P30D'), rec('d', 'x')],
      p.retention,
    );
    expect(found.map((f) => [f.camera, f.kind])).toEqual([
      ['a', 'device-below-floor'],
      ['b', 'device-keeps-longer'],
      ['d', 'invalid-duration'],
    ]);
  });

  it('a camera without a class gets the strictest floor, in the policy decision as in the sweeper', () => {
    const p = profileSet({ site: site({ cameras: [{ match: { id: 'c' }, overlays: [], retentionDays: 7 }] }) });
    expect(floorDays(p.retention, { id: 'c', overlays: [], blocked: false })).toBe(30);
    expect(effectiveRetentionDays(p.retention, { id: 'c', overlays: [], retentionDays: 7, blocked: false })).toBe(30);
    const [decided] = evaluateRecords([camera({ id: 'c' })], p, { now: NOW });
    expect(decided?.decision.reasons).toContainEqual(
      expect.objectContaining({ code: 'retention-below-minimum', message: expect.stringContaining('minimum 30 days') }),
    );
    // a class without a minimum (Art 33) has none, in both
    expect(floorDays(p.retention, { id: 'c', overlays: [], blocked: false, systemClass: 'art33-non-public' })).toBe(0);
  });

  it('one default: the built-in policy, the built-in pack and the shipped cn-2025 pack give the same retention', async () => {
    expect(retentionPolicyFrom(builtinPack().retention)).toEqual(DEFAULT_RETENTION_POLICY);
    const shipped = await loadProfileSet(join(import.meta.dirname, '..', '..', 'device-profiles'));
    expect({ ...shipped.retention, legalHolds: [], siteOverlays: [], zoneDays: {} }).toMatchObject({
      ...DEFAULT_RETENTION_POLICY,
      zoneDays: {},
    });
    expect(DEFAULT_RETENTION_POLICY).toMatchObject({ defaultDays: 30, quarantineDays: 30 });
    // a pack without quarantineDays keeps quarantined footage as long as its longest floor, at least its default
    expect(retentionPolicyFrom({ defaultDays: 3, classMinimumDays: {}, overlayMinimumDays: {} }).quarantineDays).toBe(
      3,
    );
  });

  it('one legal-hold schema: a site profile file, the hold store and the request refuse the same hold alike', async () => {
    const refusals = async (hold: Record<string, string>) => {
      const store = await new HoldStore(mkdtempSync(join(tmpdir(), 'cw-holds-')))
        .addHold({ ...hold, camera: 'cam1' })
        .then(
          () => '',
          (e: Error) => e.message,
        );
      const request = opSchemas['legal-hold/add'].safeParse({ ...hold, cameraId: 'cam1' }).error?.message ?? '';
      const dir = mkdtempSync(join(tmpdir(), 'cw-holds-profile-'));
      for (const sub of ['packs', 'site']) mkdirSync(join(dir, sub));
      writeFileSync(join(dir, 'packs', 'cn-2025.yaml'), `${JSON.stringify(builtinPack())}\n`);
      const file = `schemaVersion: 1\nlegalHolds: [${JSON.stringify({ ...hold, camera: 'cam1' })}]\n`;
      writeFileSync(join(dir, 'site', 'legal-holds.yaml'), file);
      const profile = await loadProfileSet(dir).then(
        () => '',
        (e: Error) => e.message,
      );
      return [store, request, profile];
    };
    const ok = { id: 'h1', from: '2026-11-01', to: '2026-11-03', reason: 'x' };
    for (const m of await refusals({ ...ok, id: 'h 1' })) expect(m).toContain('letters, digits');
    for (const m of await refusals({ ...ok, from: '2026-11-04' })) expect(m).toContain('must not be before from');
    for (const m of await refusals({ ...ok, to: '2026-02-30' })) expect(m).toContain('not a real calendar date');
    // and the same good hold passes all three (date-only times; an omitted id is chosen by the store)
    const good = { from: '2026-11-01', to: '2026-11-03', reason: 'case 7' };
    expect(opSchemas['legal-hold/add'].safeParse({ ...good, cameraId: 'cam1' }).success).toBe(true);
    const stored = await new HoldStore(mkdtempSync(join(tmpdir(), 'cw-holds-'))).addHold({ ...good, camera: 'cam1' });
    expect(stored.id).toMatch(/^hold-[0-9a-f]{8}$/);
  });
});
