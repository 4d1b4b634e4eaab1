import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { loadProfileSet, ProfileValidationError, validateProfileDir } from '../../src/profiles/index.js';
import { ErrorCode } from '../../src/util/errors.js';
import { camera, NOW } from '../policy/fixtures.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
async function copyBundled(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-prof-'));
  tmpDirs.push(dir);
  await cp(BUNDLED, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('loadProfileSet', () => {
  it('loads the bundled set with a stable revision', async () => {
    const a = await loadProfileSet(BUNDLED);
    const b = await loadProfileSet(BUNDLED);
    expect(a.revision).toMatch(/^[0-9a-f]{16}$/);
    expect(b.revision).toBe(a.revision);
    expect(a.packId).toBe('cn-2025');
    expect(Object.keys(a.packs).sort()).toEqual(['cn-2025', 'eu-gdpr', 'us-ny']);
    expect(a.vendors.map((v) => v.id)).toEqual(
      expect.arrayContaining(['axis', 'hikvision', 'dahua', 'bosch', 'milesight', 'uniview', 'generic']),
    );
    expect(a.vendors.at(-1)?.id).toBe('generic');
    expect(a.vendors.find((v) => v.id === 'hikvision')?.quirks.placeholderLocations).toContain('city/hangzhou');
    expect(a.vendors.find((v) => v.id === 'dahua')?.quirks.placeholderLocations).toContain('country/china');
    expect(a.vendors.find((v) => v.id === 'axis')?.quirks.placeholderLocations).toEqual([]);
    expect(a.site.cameras).toEqual([]);
    expect(a.site.file).toBe('site/site.yaml');
    expect(Object.keys(a.layouts).length).toBeGreaterThan(0);
    expect(a.retention.defaultDays).toBeGreaterThan(0);
    expect(a.signed).toBe(false);
  });

  it('changes the revision when a file changes', async () => {
    const dir = await copyBundled();
    const before = (await loadProfileSet(dir)).revision;
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\nretention: { siteDays: 60 }\n');
    const after = await loadProfileSet(dir);
    expect(after.revision).not.toBe(before);
    expect(after.retention.siteDays).toBe(60);
  });

  it('selects the pack from options, then the site profile', async () => {
    const dir = await copyBundled();
    expect((await loadProfileSet(dir, { packId: 'eu-gdpr' })).packId).toBe('eu-gdpr');
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\npolicyPack: us-ny\n');
    expect((await loadProfileSet(dir)).packId).toBe('us-ny');
  });

  it('refuses zone and overlay names the policy pack does not define, naming file and field', async () => {
    const dir = await copyBundled();
    await writeFile(
      join(dir, 'site/site.yaml'),
      [
        'schemaVersion: 1',
        'retention: { zoneDays: { transport-hubb: 90, transport-hub: 60 }, siteOverlays: [entertainment-venue, bank] }',
        'cameras:',
        '  - { match: { serial: SN1 }, zone: toliet, overlays: [anti-terror-key-targt, anti-terror-key-target] }',
        '  - { match: { serial: SN2 }, zone: toilet }',
        '  - { match: { serial: SN3 }, zone: unknown }',
      ].join('\n'),
    );
    const err = await loadProfileSet(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileValidationError);
    expect((err as ProfileValidationError).problems).toEqual([
      'site/site.yaml: cameras.0.zone: zone "toliet" is not defined by policy pack cn-2025 (see packs/cn-2025.yaml zones)',
      'site/site.yaml: cameras.0.overlays.0: overlay "anti-terror-key-targt" is not defined by policy pack cn-2025; known: anti-terror-key-target, entertainment-venue',
      'site/site.yaml: retention.zoneDays.transport-hubb: zone "transport-hubb" is not defined by policy pack cn-2025 (see packs/cn-2025.yaml zones)',
      'site/site.yaml: retention.siteOverlays.1: overlay "bank" is not defined by policy pack cn-2025; known: anti-terror-key-target, entertainment-venue',
    ]);
  });

  it('checks the site profile against the pack it runs under', async () => {
    const dir = await copyBundled();
    await writeFile(
      join(dir, 'site/site.yaml'),
      'schemaVersion: 1\nretention: { siteOverlays: [anti-terror-key-target] }\ncameras: [{ match: { serial: SN1 }, zone: toilet }]\n',
    );
    expect((await loadProfileSet(dir)).retention.siteOverlays).toEqual(['anti-terror-key-target']);
    // eu-gdpr defines no retention overlays: the same site file does not hold under it.
    await expect(loadProfileSet(dir, { packId: 'eu-gdpr' })).rejects.toMatchObject({
      problems: [
        expect.stringMatching(
          /^site\/site\.yaml: retention\.siteOverlays\.0: overlay "anti-terror-key-target" is not defined by policy pack eu-gdpr; known: \(none\)$/,
        ),
      ],
    });
  });

  it('derives retention from the pack and site overrides, with legal holds from both files', async () => {
    const dir = await copyBundled();
    await writeFile(
      join(dir, 'site/site.yaml'),
      [
        'schemaVersion: 1',
        'retention: { siteDays: 45, zoneDays: { transport-hub: 90 }, siteOverlays: [anti-terror-key-target] }',
        'legalHolds: [{ id: h1, camera: cam-1, from: 2026-01-01, to: 2026-02-01, reason: court }]',
        'cameras: [{ match: { serial: SN1 }, zone: toilet, retentionDays: 10 }]',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'site/legal-holds.yaml'),
      'schemaVersion: 1\nlegalHolds: [{ id: h2, camera: "*", from: 2026-03-01, to: 2026-03-02, reason: audit }]\n',
    );
    const set = await loadProfileSet(dir);
    expect(set.retention.siteDays).toBe(45);
    expect(set.retention.zoneDays['transport-hub']).toBe(90);
    expect(set.retention.siteOverlays).toEqual(['anti-terror-key-target']);
    expect(set.retention.legalHolds.map((h) => h.id)).toEqual(['h1', 'h2']);
    expect(set.site.cameras[0]).toEqual({ match: { serial: 'SN1' }, zone: 'toilet', retentionDays: 10, overlays: [] });
  });

  it('gives vendor placeholder locations lower-case without edge slashes, as the policy matches them', async () => {
    const dir = await copyBundled();
    await writeFile(
      join(dir, 'vendors/acme.yaml'),
      "schemaVersion: 1\nid: acme\npriority: 50\nmatch: { manufacturer: '^acme$' }\n" +
        "quirks: { placeholderLocations: ['/Lobby/', 'City/HangZhou'] }\n",
    );
    const set = await loadProfileSet(dir);
    expect(set.vendors.find((v) => v.id === 'acme')?.quirks.placeholderLocations).toEqual(['lobby', 'city/hangzhou']);
    const lobby = camera({
      manufacturer: 'ACME',
      location: { zone: 'unknown', source: 'none', tags: ['location/lobby'] },
    });
    const [decided] = evaluateRecords([lobby], set, { now: NOW });
    expect(decided?.vendorProfile).toBe('acme');
    expect(decided?.location.zone).toBe('unknown'); // a placeholder, not the public lobby it names
  });

  it('collects every problem across files with file and field', async () => {
    const dir = await copyBundled();
    await writeFile(join(dir, 'vendors/dup.yaml'), 'schemaVersion: 1\nid: axis\npriority: 5\n');
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\npolicyPack: nowhere\n');
    const err = await loadProfileSet(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileValidationError);
    const e = err as ProfileValidationError;
    expect(e.code).toBe(ErrorCode.InvalidProfile);
    expect(e.problems).toContain('vendors/dup.yaml: id: duplicate vendor id "axis" (also in vendors/axis.yaml)');
    expect(e.problems.some((p) => p.startsWith('site/site.yaml: policyPack: unknown policy pack "nowhere"'))).toBe(
      true,
    );
    const v = await validateProfileDir(dir);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(e.problems);
  });
});
