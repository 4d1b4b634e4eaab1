import { existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/inventory/types.js';
import { MemoryEventSink } from '../../src/reporting/event-sink.js';
import { HoldStore } from '../../src/retention/hold-store.js';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { isoDurationDays, retentionMismatches } from '../../src/retention/mismatch.js';
import { DEFAULT_RETENTION_POLICY, effectiveRetentionDays } from '../../src/retention/policy.js';
import { type SweepOptions, sweep } from '../../src/retention/sweep.js';
import { DAY, genericPath, NOW, snapshot, tmp, writeFile } from './helpers.js';

const generic = BUILTIN_LAYOUTS.generic;
if (!generic) throw new Error('no generic layout');

function base(root: string, extra: Partial<SweepOptions> = {}): SweepOptions {
  return {
    root,
    layout: generic as NonNullable<typeof generic>,
    policy: DEFAULT_RETENTION_POLICY,
    cameras: [],
    dataDir: join(root, '..', 'data'),
    now: () => NOW,
    ...extra,
  };
}

function tree() {
  const dir = tmp();
  const root = join(dir, 'rec');
  const old = genericPath(root, 'cam1', NOW - 40 * DAY);
  const young = genericPath(root, 'cam1', NOW - 10 * DAY);
  const fresh = genericPath(root, 'cam1', NOW - 3_600_000);
  writeFile(old, 100);
  writeFile(young, 100);
  writeFile(fresh, 100);
  return { dir, root, old, young, fresh };
}

/** `cameras` × `perCamera` expired segments (one a minute, 40 days back) and one young one per camera. */
function manyExpired(cameras: number, perCamera: number) {
  const dir = tmp();
  const root = join(dir, 'rec');
  const paths: string[] = [];
  for (let c = 0; c < cameras; c++) {
    for (let i = 0; i < perCamera; i++) {
      const p = genericPath(root, `cam${c}`, NOW - 40 * DAY - i * 60_000);
      writeFile(p, 10);
      paths.push(p);
    }
    writeFile(genericPath(root, `cam${c}`, NOW - DAY), 10); // recent footage: the clock is plausible
  }
  return { dir, root, paths };
}

describe('sweep', () => {
  it('stops at the per-run cap exactly, across several batches acted on while the walk goes on', async () => {
    const t = manyExpired(3, 1000); // 3,000 files: about three batches of 1,024
    const r = await sweep(base(t.root, { maxDeletesPerRun: 1500 }));
    expect(r.deleted).toBe(1500);
    expect(r.capped).toBe(true);
    expect(t.paths.filter((p) => existsSync(p))).toHaveLength(1500);
    const dry = await sweep(base(t.root, { maxDeletesPerRun: 1000, dryRun: true }));
    expect(dry.deleted).toBe(1000);
    expect(dry.capped).toBe(true);
    const rest = await sweep(base(t.root));
    expect(rest.deleted).toBe(1500);
    expect(rest.capped).toBe(false);
    expect(t.paths.filter((p) => existsSync(p))).toHaveLength(0);
  });

  it('deletes only expired footage and prunes its emptied directory', async () => {
    const t = tree();
    const events = new MemoryEventSink();
    const r = await sweep(base(t.root, { events }));
    expect(r.deleted).toBe(1);
    expect(r.bytesFreed).toBe(100);
    expect(existsSync(t.old)).toBe(false);
    expect(existsSync(join(t.old, '..'))).toBe(false);
    expect(existsSync(t.young) && existsSync(t.fresh)).toBe(true);
    expect(events.ofType('retention.swept')[0]).toMatchObject({ deleted: 1, bytesFreed: 100 });
  });

  it('dry-run changes nothing', async () => {
    const t = tree();
    const link = genericPath(t.root, 'cam1', NOW - 50 * DAY);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync('/etc/passwd', link);
    const before = snapshot(t.dir);
    const r = await sweep(base(t.root, { dryRun: true }));
    expect(r.deleted).toBe(1);
    expect(snapshot(t.dir)).toEqual(before);
  });

  it('never deletes held footage (profile and stored holds) and counts it', async () => {
    const t = tree();
    const store = new HoldStore(join(t.dir, 'data'));
    await store.addHold({
      id: 'h1',
      camera: 'cam1',
      from: new Date(NOW - 41 * DAY).toISOString(),
      to: new Date(NOW - 39 * DAY).toISOString(),
      reason: 'case 7',
    });
    const r = await sweep(base(t.root, { extraHolds: await store.list() }));
    expect(r.held).toBe(1);
    expect(r.deleted).toBe(0);
    expect(existsSync(t.old)).toBe(true);
    expect(await store.removeHold('h1')).toBe(true);
    expect(await new HoldStore(join(t.dir, 'data')).list()).toEqual([]);
  });

  it('refuses to delete when the clock is behind the newest recording or far ahead of it', async () => {
    const t = tree();
    const events = new MemoryEventSink();
    const behind = await sweep(base(t.root, { now: () => NOW - 2 * 3_600_000, events }));
    expect(behind.refused).toBe('clock-behind');
    expect(behind.deleted).toBe(0);
    const ahead = await sweep(base(t.root, { now: () => NOW + 30 * DAY, events }));
    expect(ahead.refused).toBe('clock-ahead');
    expect(existsSync(t.old) && existsSync(t.young)).toBe(true);
    expect(events.ofType('retention.refused').map((e) => e.reason)).toEqual(['clock-behind', 'clock-ahead']);
  });

  it('quarantines a blocked camera: moved with 0700/0600, not deleted, reported', async () => {
    const t = tree();
    const events = new MemoryEventSink();
    const r = await sweep(base(t.root, { events, cameras: [{ id: 'cam1', overlays: [], blocked: true }] }));
    expect(r.quarantined).toBe(3);
    expect(r.deleted).toBe(0);
    const q = join(t.dir, '.camwarden-quarantine', 'cam1', 'cam1');
    const moved = join(q, t.old.slice(join(t.root, 'cam1').length));
    expect(statSync(moved).mode & 0o777).toBe(0o600);
    expect(statSync(join(t.dir, '.camwarden-quarantine', 'cam1')).mode & 0o777).toBe(0o700);
    expect(existsSync(t.old)).toBe(false);
    expect(events.ofType('retention.quarantined')[0]).toMatchObject({ camera: 'cam1', files: 3 });
  });

  it('under the free-space floor deletes the oldest footage above the legal floor first, then raises a shortfall', async () => {
    const dir = tmp();
    const root = join(dir, 'rec');
    // art33 camera: floor 0 d, configured 30 d (site). Files 20, 10, 5 days old; none expired.
    const files = [20, 10, 5].map((d) => genericPath(root, 'c', NOW - d * DAY));
    for (const f of files) writeFile(f, 1000);
    // held 90-day overlay camera: nothing may go below its floor
    const heavy = genericPath(root, 'k', NOW - 20 * DAY);
    writeFile(heavy, 5000);
    let free = 0;
    const events = new MemoryEventSink();
    const r = await sweep(
      base(root, {
        events,
        minFreeBytes: 1500,
        freeBytes: async () => free,
        afterUnlink: () => {
          free += 1000;
        },
        cameras: [
          { id: 'c', overlays: [], blocked: false, systemClass: 'art33-non-public' },
          { id: 'k', overlays: ['anti-terror-key-target'], blocked: false, systemClass: 'art7-gov' },
        ],
      }),
    );
    expect(r.deleted).toBe(2);
    expect(existsSync(files[0] ?? '')).toBe(false);
    expect(existsSync(files[1] ?? '')).toBe(false);
    expect(existsSync(files[2] ?? '')).toBe(true);
    expect(existsSync(heavy)).toBe(true);
    expect(r.shortfall).toBeUndefined();
    free = -10_000;
    const r2 = await sweep(
      base(root, {
        events,
        minFreeBytes: 1500,
        freeBytes: async () => free,
        cameras: [{ id: 'k', overlays: ['anti-terror-key-target'], blocked: false }],
      }),
    );
    expect(r2.shortfall?.deficitBytes).toBeGreaterThan(0);
    expect(existsSync(heavy)).toBe(true);
    expect(events.ofType('retention.shortfall')).toHaveLength(1);
  });

  it('skips files still being written and other unsafe entries; age comes from the path, not the mtime', async () => {
    const t = tree();
    const open = genericPath(t.root, 'cam1', NOW - 10 * 60_000, '-open.mp4');
    writeFile(open, 5, NOW - 10_000);
    const copied = genericPath(t.root, 'cam1', NOW - 45 * DAY, '-copied.mp4');
    writeFile(copied, 5, NOW - 10_000);
    mkdirSync(genericPath(t.root, 'cam1', NOW - 46 * DAY), { recursive: true });
    const r = await sweep({ ...base(t.root), cameras: [{ id: 'cam1', overlays: [], blocked: true }] });
    // the blocked camera's open segment stays in place; everything settled goes to quarantine
    expect(existsSync(open)).toBe(true);
    expect(r.skipped).toContainEqual({ path: open, reason: 'active-write' });
    expect(existsSync(copied)).toBe(false);
    expect(r.quarantined).toBeGreaterThanOrEqual(1);
    expect(r.skipped.some((s) => s.reason === 'not-regular')).toBe(true);
    const t2 = tree();
    const old = genericPath(t2.root, 'cam1', NOW - 45 * DAY, '-fresh-mtime.mp4');
    writeFile(old, 5, NOW - 10_000);
    const r2 = await sweep(base(t2.root));
    expect(existsSync(old)).toBe(false);
    expect(r2.skipped.some((s) => s.path === old)).toBe(false);
  });
});

describe('policy and recorder retention', () => {
  it('raises configured days to the floor; unknown class gets the strictest floor', () => {
    const p = { ...DEFAULT_RETENTION_POLICY, siteDays: 7, zoneDays: { lobby: 3 } };
    expect(
      effectiveRetentionDays(p, {
        id: 'a',
        overlays: [],
        blocked: false,
        systemClass: 'art33-non-public',
        zone: 'lobby',
      }),
    ).toBe(3);
    expect(effectiveRetentionDays(p, { id: 'a', overlays: [], blocked: false, zone: 'lobby' })).toBe(30);
    expect(
      effectiveRetentionDays(p, {
        id: 'a',
        overlays: ['anti-terror-key-target'],
        blocked: false,
        systemClass: 'art7-gov',
        retentionDays: 40,
      }),
    ).toBe(90);
    expect(effectiveRetentionDays(p, undefined)).toBe(30);
  });

  it('flags MaximumRetentionTime below the floor and beyond the policy', () => {
    expect(isoDurationDays('PT0S')).toBe(Number.POSITIVE_INFINITY);
    expect(isoDurationDays('P7D')).toBe(7);
    expect(isoDurationDays('PT168H')).toBe(7);
    const rec = (id: string, m: string) =>
      ({ id, maximumRetentionTime: m, systemClass: 'art7-gov' }) as unknown as CameraRecord;
    const found = retentionMismatches(
      [rec('a', 'P7D'), rec('b', 'PT0S'), rec('c', 'P30D'), rec('d', 'bogus')],
      DEFAULT_RETENTION_POLICY,
    );
    expect(found.map((f) => [f.camera, f.kind])).toEqual([
      ['a', 'device-below-floor'],
      ['b', 'device-keeps-longer'],
      ['d', 'invalid-duration'],
    ]);
  });
});
