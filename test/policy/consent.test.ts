/** Art 10 consent binds to the unit it comes from and the geofence it is about; wildcards are refused. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { validateProfileDir } from '../../src/profiles/index.js';
import { ConsentRecordStore } from '../../src/profiles/record-store.js';
import type { ConsentRecord, Geofence } from '../../src/profiles/types.js';
import { camera, NOW, profileSet } from './fixtures.js';

const centre = { lat: 30.25, lon: 120.15 };
const fence = (id: string, kind: Geofence['kind']): Geofence => ({
  id,
  kind,
  bufferMeters: 500,
  center: centre,
  radiusMeters: 100,
});
const at = (tags: string[] = []) => camera({ location: { zone: 'unknown', source: 'none', tags, geo: centre } });
const consent = (over: Partial<ConsentRecord>): ConsentRecord => ({
  id: 'C-1',
  issuingUnit: 'unit',
  unitKind: 'military',
  date: '2026-01-01',
  cameras: ['cam-1'],
  ...over,
});
function decide(record: CameraRecord, geofences: Geofence[], consents: ConsentRecord[]) {
  const set = profileSet({ site: { geofences, consents } });
  const r = evaluateRecords([record], set, { now: NOW })[0];
  return r?.decision.reasons.map(
    (x) => `${x.code}${x.message.match(/geofence (\S+)\)/)?.[1] ? `@${x.message.match(/geofence (\S+)\)/)?.[1]}` : ''}`,
  );
}

describe('consent binding (Art 10)', () => {
  const barracks = fence('barracks-east', 'military-restricted');

  it('a military unit’s consent for the fence clears that fence’s flag', () => {
    expect(decide(at(), [barracks], [consent({ geofence: 'barracks-east' })])).toEqual([]);
  });

  it('an education bureau’s (or any other kind of unit’s) consent does not clear a military fence', () => {
    const bureau = consent({
      issuingUnit: 'District education bureau',
      unitKind: 'state-organ',
      geofence: 'barracks-east',
    });
    expect(decide(at(), [barracks], [bureau])).toEqual(['consent-required@barracks-east']);
  });

  it('a consent about one fence does not clear another fence of the same kind', () => {
    const depot = fence('depot-north', 'military-management');
    expect(decide(at(), [barracks, depot], [consent({ geofence: 'barracks-east' })])).toEqual([
      'consent-required@depot-north',
    ]);
  });

  it('a fence’s flag needs a consent naming it; a consent naming no fence clears tag-derived flags only', () => {
    expect(decide(at(), [barracks], [consent({})])).toEqual(['consent-required@barracks-east']);
    expect(decide(at(['location/zone/military-restricted-adjacent']), [], [consent({})])).toEqual([]);
    expect(decide(at(['location/zone/military-restricted-adjacent']), [], [consent({ geofence: 'x' })])).toEqual([
      'consent-required',
    ]);
    expect(decide(at(['location/zone/state-organ-adjacent']), [], [consent({})])).toEqual(['consent-required']);
  });

  it('a record from before unit kinds (none recorded) clears nothing', () => {
    const { unitKind: _kind, ...legacy } = consent({});
    expect(decide(at(['location/zone/military-restricted-adjacent']), [], [legacy])).toEqual(['consent-required']);
  });

  it('a consent listing "*" does not cover every camera', () => {
    expect(decide(at(['location/zone/military-restricted-adjacent']), [], [consent({ cameras: ['*'] })])).toEqual([
      'consent-required',
    ]);
  });
});

describe('consent records in the site profile', () => {
  const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function check(siteYaml: string) {
    const dir = await mkdtemp(join(tmpdir(), 'cw-consent-'));
    dirs.push(dir);
    await cp(BUNDLED, dir, { recursive: true });
    await writeFile(join(dir, 'site/site.yaml'), siteYaml);
    return validateProfileDir(dir);
  }
  const fences =
    'geofences: [{ id: barracks-east, kind: military-restricted, bufferMeters: 200, center: { lat: 30, lon: 120 }, radiusMeters: 100 }]';

  it('refuses "*", an empty list and a missing unit kind', async () => {
    const r = await check(
      [
        'schemaVersion: 1',
        'consents:',
        '  - { id: c0, issuingUnit: u, unitKind: military, date: 2026-01-01, cameras: ["*"] }',
        '  - { id: c1, issuingUnit: u, unitKind: military, date: 2026-01-01, cameras: [] }',
        '  - { id: c2, issuingUnit: u, date: 2026-01-01, cameras: [cam-1] }',
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'site/site.yaml: consents.0.cameras.0: a consent names the cameras it covers; "*" is not allowed',
      'site/site.yaml: consents.1.cameras: name at least one camera the consent covers',
      expect.stringMatching(/^site\/site\.yaml: consents\.2\.unitKind: /),
    ]);
  });

  it('refuses a consent bound to an unknown geofence or to a fence of another kind of unit', async () => {
    const r = await check(
      [
        'schemaVersion: 1',
        fences,
        'consents:',
        '  - { id: c3, issuingUnit: u, unitKind: military, geofence: nowhere, date: 2026-01-01, cameras: [cam-1] }',
        '  - { id: c4, issuingUnit: u, unitKind: state-organ, geofence: barracks-east, date: 2026-01-01, cameras: [cam-1] }',
      ].join('\n'),
    );
    expect(r.problems).toEqual([
      'site/site.yaml: consents.0.geofence: no geofence "nowhere" in this site profile',
      'site/site.yaml: consents.1.unitKind: geofence "barracks-east" is military-restricted: its consent comes from a military unit, not state-organ',
    ]);
  });

  it('accepts a consent bound to a unit kind and a fence', async () => {
    const r = await check(
      [
        'schemaVersion: 1',
        fences,
        'consents: [{ id: c1, issuingUnit: "XX Military Sub-district", unitKind: military, geofence: barracks-east, date: 2026-01-01, cameras: [cam-1] }]',
      ].join('\n'),
    );
    expect(r.problems).toEqual([]);
    expect(r.set?.site.consents[0]).toMatchObject({ unitKind: 'military', geofence: 'barracks-east' });
  });
});

describe('remote consent records', () => {
  it('need a unit kind and refuse "*"', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cw-consent-store-'));
    try {
      const store = new ConsentRecordStore(dataDir);
      await expect(store.add({ cameraId: 'cam-1', reference: 'R-1' })).rejects.toThrow(/unitKind/);
      await expect(store.add({ cameraId: '*', reference: 'R-1', unitKind: 'military' })).rejects.toThrow(/"\*"/);
      const added = await store.add({ cameraId: 'cam-1', reference: 'R-1', unitKind: 'military', geofence: 'g1' });
      expect(added).toMatchObject({ unitKind: 'military', geofence: 'g1', cameras: ['cam-1'] });
      const again = new ConsentRecordStore(dataDir);
      await again.load();
      expect(again.list()).toEqual([added]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
