import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { retentionFactsFor, sweepRetentionFacts } from '../../src/agent/sweep-options.js';
import type { CameraRecord, ScanResult } from '../../src/model/camera-records.js';
import { loadProfileSet } from '../../src/profiles/index.js';
import { effectiveRetentionDays } from '../../src/retention/rules.js';
import { sweep } from '../../src/retention/sweep.js';
import { footage, NOW, scratchSite, sweepOptions } from './helpers.js';

function camera(id: string, endpoint: string, extra: Partial<CameraRecord> = {}): CameraRecord {
  return {
    id,
    kind: 'camera',
    endpoint,
    address: '192.0.2.7',
    xaddr: '',
    scopes: [],
    location: { zone: 'public-other', source: 'scope', tags: [] },
    decision: { action: 'allow', reasons: [] },
    errors: [],
    ...extra,
  };
}

describe('retentionFactsFor', () => {
  it('takes retention days, overlays and the directory alias from the site assignment the policy matches', async () => {
    const bundled = await loadProfileSet(join(import.meta.dirname, '..', '..', 'device-profiles'));
    const profiles = {
      ...bundled,
      site: {
        ...bundled.site,
        cameras: [
          // written as the bare UUID in upper case: matched like the decisions match it
          {
            match: { endpoint: 'ABC-1' },
            overlays: ['anti-terror-key-target'],
            retentionDays: 45,
            recordingName: 'gate',
          },
          { match: { serial: 'sn-9' }, overlays: [], retentionDays: 60 },
        ],
      },
    };
    const scan: ScanResult = {
      site: 's',
      gateway: 'g',
      scannedAt: new Date().toISOString(),
      policyRevision: 'r',
      errors: [],
      cameras: [
        camera('abc-1', 'urn:uuid:abc-1'),
        camera('x', 'urn:uuid:x', { serial: 'SN-9' }),
        camera('y', 'urn:uuid:y'),
      ],
    };
    const [gate, bySerial, plain] = retentionFactsFor(scan, profiles);
    expect(gate).toMatchObject({
      id: 'abc-1',
      retentionDays: 45,
      recordingName: 'gate',
      overlays: ['anti-terror-key-target'],
    });
    expect(effectiveRetentionDays(profiles.retention, gate)).toBe(90); // the overlay's floor beats 45 days
    expect(bySerial).toMatchObject({ id: 'x', retentionDays: 60 });
    expect(plain?.retentionDays).toBeUndefined();
    expect(retentionFactsFor(scan, undefined)[0]?.overlays).toEqual([]);
  });
});

describe('sweepRetentionFacts, a camera the last scan does not list', () => {
  it('keeps its site-profile days, overlays and alias: its footage is not cut to the default', async () => {
    const bundled = await loadProfileSet(join(import.meta.dirname, '..', '..', 'device-profiles'));
    const profiles = {
      ...bundled,
      site: {
        ...bundled.site,
        cameras: [
          { match: { id: 'cam-7' }, overlays: ['anti-terror-key-target'], recordingName: 'gate' },
          { match: { id: 'cam-8' }, overlays: [], retentionDays: 60 },
          { match: { serial: 'sn-1' }, overlays: [], retentionDays: 60 }, // no directory name to go by
        ],
      },
    };
    // cam-7 and cam-8 stopped answering and dropped out of the inventory; only an unrelated camera is listed
    const scan: ScanResult = {
      site: 's',
      gateway: 'g',
      scannedAt: new Date().toISOString(),
      policyRevision: 'r',
      errors: [],
      cameras: [camera('other', 'urn:uuid:other')],
    };
    const { root, data } = scratchSite('cw-facts-');
    const [gate, cam8, other] = [
      footage(root, 'gate', [45, 1], 10, NOW)[0],
      footage(root, 'cam-8', [45, 1], 10, NOW)[0],
      footage(root, 'other', [45, 1], 10, NOW)[0],
    ];
    const cameras = sweepRetentionFacts(scan, profiles);
    await sweep(sweepOptions(root, { dataDir: data, policy: profiles.retention, cameras }));
    expect([gate, cam8, other].map((p) => existsSync(p ?? ''))).toEqual([true, true, false]);
    expect(sweepRetentionFacts(undefined, profiles).map((f) => f.id)).toEqual(['cam-7', 'cam-8']); // no scan yet
  });
});
