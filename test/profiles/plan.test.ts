import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/cli/commands/plan.js';
import type { ScanResult } from '../../src/model/camera-records.js';
import { evaluateRecords } from '../../src/policy/index.js';
import { loadProfileSet } from '../../src/profiles/index.js';
import { camera, NOW } from '../policy/fixtures.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');

describe('plan', () => {
  it('lists a camera whose decision changes and omits unchanged ones', async () => {
    const current = await loadProfileSet(BUNDLED);
    const toilet = camera({
      id: 'cam-t',
      location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'] },
    });
    const scan: ScanResult = {
      site: 's',
      gateway: 'g',
      scannedAt: NOW.toISOString(),
      policyRevision: 'old',
      errors: [],
      // Recorded as allowed: the current profiles block it, so it must be listed.
      cameras: [{ ...toilet, decision: { action: 'allow', reasons: [] } }],
    };
    const plan = computePlan({
      scan,
      current,
      candidate: undefined,
      compareWithScan: true,
      evaluate: evaluateRecords,
      now: NOW,
    });
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]?.from.action).toBe('allow');
    expect(plan.changes[0]?.to.action).toBe('block');
    const same = computePlan({
      scan,
      current,
      candidate: current,
      compareWithScan: false,
      evaluate: evaluateRecords,
      now: NOW,
    });
    expect(same.changes).toHaveLength(0);
  });

  it('a held block stays in the plan unless the camera was re-verified by an authenticated scan', async () => {
    const current = await loadProfileSet(BUNDLED);
    const blocked = camera({
      id: 'cam-b',
      location: { zone: 'toilet', source: 'scope', tags: ['location/zone/public-other'] },
      decision: {
        action: 'block',
        reasons: [{ code: 'prohibited-zone', rule: 'cn-2025', article: '8', message: 'm' }],
      },
    });
    const scanOf = (authenticated: boolean): ScanResult => ({
      site: 's',
      gateway: 'g',
      scannedAt: NOW.toISOString(),
      policyRevision: 'old',
      errors: [],
      cameras: [authenticated ? { ...blocked, authenticated: true } : blocked],
    });
    const plan = (authenticated: boolean) =>
      computePlan({
        scan: scanOf(authenticated),
        current,
        candidate: undefined,
        compareWithScan: true,
        evaluate: evaluateRecords,
        now: NOW,
      })
        .changes.map((c) => [c.from.action, c.to.action])
        .filter(([from, to]) => from !== to);
    expect(plan(false)).toEqual([]);
    // Re-verified, it leaves block; public-other is then flagged for the records the shipped profile lacks.
    expect(plan(true)).toEqual([['block', 'flag']]);
  });
});
