import { chmodSync, existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HoldStore } from '../../src/retention/hold-store.js';
import { sweep } from '../../src/retention/sweep.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { DAY, genericPath, NOW, snapshot, sweepOptions, tmp, writeFile } from './helpers.js';

afterEach(expectEventsMatchSchemas);

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
  it('stops at the per-run cap exactly, across several journal batches', async () => {
    const t = manyExpired(3, 1000); // 3,000 files: about three batches of 1,024
    const r = await sweep(sweepOptions(t.root, { maxDeletesPerRun: 1500 }));
    expect(r.deleted).toBe(1500);
    expect(r.capped).toBe(true);
    expect(t.paths.filter((p) => existsSync(p))).toHaveLength(1500);
    const dry = await sweep(sweepOptions(t.root, { maxDeletesPerRun: 1000, dryRun: true }));
    expect(dry.deleted).toBe(1000);
    expect(dry.capped).toBe(true);
    const rest = await sweep(sweepOptions(t.root));
    expect(rest.deleted).toBe(1500);
    expect(rest.capped).toBe(false);
    expect(t.paths.filter((p) => existsSync(p))).toHaveLength(0);
  });

  it('an abort stops at the next file: what the walk decided and had not done is dropped, not deleted', async () => {
    const t = manyExpired(1, 500); // one journal batch
    const stop = new AbortController();
    const hooks = { afterUnlink: () => stop.abort() };
    const r = await sweep(sweepOptions(t.root, { signal: stop.signal, hooks }));
    expect(r.deleted).toBe(1);
    expect(t.paths.filter((p) => existsSync(p))).toHaveLength(499);
    expect((await sweep(sweepOptions(t.root))).deleted).toBe(499); // the next run does the rest
  });

  it('deletes only expired footage and prunes the directory it emptied', async () => {
    const t = tree();
    const events = new CheckedEventSink();
    const r = await sweep(sweepOptions(t.root, { events }));
    expect(r.deleted).toBe(1);
    expect(r.bytesFreed).toBe(100);
    expect(existsSync(t.old)).toBe(false);
    expect(existsSync(join(t.old, '..'))).toBe(false);
    expect(existsSync(t.young) && existsSync(t.fresh)).toBe(true);
    expect(events.ofType('retention.swept')[0]).toMatchObject({ deleted: 1, bytesFreed: 100 });
  });

  it('counts and lists the names no layout matches and never deletes them', async () => {
    const t = tree();
    const stray = [join(t.old, '..', 'notes.txt'), join(t.root, 'cam1', 'not-a-date', '00-00-00.mp4')];
    for (const p of stray) writeFile(p, 5, NOW - 40 * DAY);
    const r = await sweep(sweepOptions(t.root));
    expect(r.deleted).toBe(1);
    expect(r.unmatched).toBe(2);
    expect(r.skipped.filter((s) => s.reason === 'unmatched').map((s) => s.path)).toHaveLength(2);
    expect(stray.every((p) => existsSync(p))).toBe(true);
  });

  it('never lists a date directory still inside retention', async () => {
    const t = tree();
    writeFile(genericPath(t.root, 'cam1', NOW - 12 * DAY, '-x.mp4'), 5);
    const listed: string[] = [];
    const r = await sweep(sweepOptions(t.root, { hooks: { afterListing: (_area, rel) => listed.push(rel) } }));
    expect(r.deleted).toBe(1);
    // the clock check lists the newest day (it could hold a recording dated in the future), nothing else young
    const day = (ts: number) => `cam1/${new Date(ts).toISOString().slice(0, 10)}`;
    expect(listed).toContain(day(NOW - 40 * DAY));
    expect(listed).not.toContain(day(NOW - 10 * DAY));
    expect(listed).not.toContain(day(NOW - 12 * DAY));
    expect(r.youngDirs).toBe(3);
  });

  it('dry-run changes nothing', async () => {
    const t = tree();
    const link = genericPath(t.root, 'cam1', NOW - 50 * DAY);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync('/etc/passwd', link);
    const before = snapshot(t.dir);
    const r = await sweep(sweepOptions(t.root, { dryRun: true }));
    expect(r.deleted).toBe(1);
    expect(snapshot(t.dir)).toEqual(before);
  });

  it('never deletes held footage (stored holds; a date-only `to` holds that whole day) and counts it', async () => {
    const t = tree();
    const lateOnTheDay = genericPath(t.root, 'cam1', NOW - 39 * DAY + 9 * 3_600_000);
    writeFile(lateOnTheDay, 5);
    const store = new HoldStore(join(t.dir, 'data'));
    const day = (ts: number) => new Date(ts).toISOString().slice(0, 10);
    await store.addHold({
      id: 'h1',
      camera: 'cam1',
      from: day(NOW - 41 * DAY),
      to: day(NOW - 39 * DAY),
      reason: 'case 7',
    });
    const r = await sweep(sweepOptions(t.root, { extraHolds: await store.list() }));
    expect(r.held).toBe(2);
    expect(r.deleted).toBe(0);
    expect(existsSync(t.old) && existsSync(lateOnTheDay)).toBe(true);
    expect(await store.removeHold('h1')).toBe(true);
    expect(await new HoldStore(join(t.dir, 'data')).list()).toEqual([]);
  });

  it('a hold or an alias names a directory whatever its Unicode normalization (NFC in the profile, NFD on disk)', async () => {
    const t = tree();
    const nfc = 'caf\u00e9'; // "café" as typed in a profile or a request
    const nfd = nfc.normalize('NFD'); // as a macOS client or a recorder may have created the directory
    const footage = (cam: string) => {
      const p = genericPath(t.root, cam, NOW - 40 * DAY);
      writeFile(p, 5);
      writeFile(genericPath(t.root, cam, NOW - DAY), 5);
      return p;
    };
    const held = footage(nfd);
    const hold = { id: 'h1', camera: nfc, from: '2026-01-01', to: '2026-12-31', reason: 'case 8' };
    const kept = footage(`bar-${nfd}`);
    const alias = { id: 'cam-9', overlays: [], blocked: false, retentionDays: 60, recordingName: `bar-${nfc}` };
    const r = await sweep(sweepOptions(t.root, { extraHolds: [hold], cameras: [alias] }));
    expect(existsSync(held)).toBe(true);
    expect(existsSync(kept)).toBe(true);
    expect(r.held).toBe(1);
  });
  it('quarantines a blocked camera: moved with 0700/0600, not deleted, reported', async () => {
    const t = tree();
    const events = new CheckedEventSink();
    const cameras = [{ id: 'cam1', overlays: [], blocked: true }];
    const r = await sweep(sweepOptions(t.root, { events, cameras }));
    expect(r.quarantined).toBe(3);
    expect(r.deleted).toBe(0);
    const moved = join(t.dir, '.camwarden-quarantine', 'cam1', t.old.slice(t.root.length + 1));
    expect(statSync(moved).mode & 0o777).toBe(0o600);
    expect(statSync(join(t.dir, '.camwarden-quarantine', 'cam1')).mode & 0o777).toBe(0o700);
    expect(existsSync(t.old)).toBe(false);
    expect(events.ofType('retention.quarantined')[0]).toMatchObject({ camera: 'cam1', files: 3 });
  });

  it('under the free-space floor deletes the oldest footage above the legal floor first, then raises a shortfall', async () => {
    const dir = tmp();
    const root = join(dir, 'rec');
    // art33 camera: floor 0 d, configured 30 d. Files 20, 10, 5 days old; none expired.
    const files = [20, 10, 5].map((d) => genericPath(root, 'c', NOW - d * DAY));
    for (const f of files) writeFile(f, 1000);
    // a 90-day overlay camera: nothing may go below its floor
    const heavy = genericPath(root, 'k', NOW - 20 * DAY);
    writeFile(heavy, 5000);
    let free = 0;
    const events = new CheckedEventSink();
    const c = { id: 'c', overlays: [], blocked: false, systemClass: 'art33-non-public' };
    const k = { id: 'k', overlays: ['anti-terror-key-target'], blocked: false, systemClass: 'art7-gov' };
    const hooks = {
      freeBytes: () => free,
      afterUnlink: () => {
        free += 1000;
      },
    };
    const r = await sweep(sweepOptions(root, { events, minFreeBytes: 1500, hooks, cameras: [c, k] }));
    expect(r.deleted).toBe(2);
    expect(files.map((f) => existsSync(f))).toEqual([false, false, true]);
    expect(existsSync(heavy)).toBe(true);
    expect(r.shortfall).toBeUndefined();
    free = -10_000;
    const r2 = await sweep(
      sweepOptions(root, { events, minFreeBytes: 1500, hooks: { freeBytes: () => free }, cameras: [k] }),
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
    const r = await sweep(sweepOptions(t.root, { cameras: [{ id: 'cam1', overlays: [], blocked: true }] }));
    // the blocked camera's open segment stays in place; everything settled goes to quarantine
    expect(existsSync(open)).toBe(true);
    expect(r.skipped).toContainEqual({ path: open, reason: 'active-write' });
    expect(existsSync(copied)).toBe(false);
    expect(r.quarantined).toBeGreaterThanOrEqual(1);
    expect(r.skipped.some((s) => s.reason === 'not-regular')).toBe(true);
    const t2 = tree();
    const old = genericPath(t2.root, 'cam1', NOW - 45 * DAY, '-fresh-mtime.mp4');
    writeFile(old, 5, NOW - 10_000);
    const r2 = await sweep(sweepOptions(t2.root));
    expect(existsSync(old)).toBe(false);
    expect(r2.skipped.some((s) => s.path === old)).toBe(false);
  });

  it('refuses a root others may write to, and skips such a subdirectory, unless allowed', async () => {
    const t = tree();
    chmodSync(t.root, 0o777);
    const refused = await sweep(sweepOptions(t.root));
    expect(refused.refused).toBe('insecure-root');
    expect(existsSync(t.old)).toBe(true);
    chmodSync(t.root, 0o755);
    chmodSync(join(t.old, '..'), 0o777);
    const skipped = await sweep(sweepOptions(t.root));
    expect(skipped.refused).toBeUndefined();
    expect(skipped.skipped).toContainEqual({ path: join(t.old, '..'), reason: 'insecure-dir' });
    expect(existsSync(t.old)).toBe(true);
    const allowed = await sweep(sweepOptions(t.root, { allowSharedDirs: true }));
    expect(allowed.deleted).toBe(1);
    expect(existsSync(t.old)).toBe(false);
  });
});

describe('clock sanity, per camera directory', () => {
  function site() {
    const dir = tmp();
    const root = join(dir, 'rec');
    const expired = (cam: string) => {
      const p = genericPath(root, cam, NOW - 40 * DAY);
      writeFile(p, 1000);
      writeFile(genericPath(root, cam, NOW - DAY), 10);
      return p;
    };
    return { dir, root, a: expired('a'), b: expired('b'), c: expired('c') };
  }

  it('a future-dated file makes only its camera implausible: skipped and reported, the rest swept', async () => {
    const s = site();
    const wrongClock = genericPath(s.root, 'b', NOW + 3 * 3_600_000); // today, three hours ahead
    writeFile(wrongClock, 10);
    const events = new CheckedEventSink();
    const r = await sweep(sweepOptions(s.root, { events }));
    expect(r.refused).toBeUndefined();
    expect([existsSync(s.a), existsSync(s.b), existsSync(s.c)]).toEqual([false, true, false]);
    expect(r.implausible).toEqual([{ camera: 'b', path: wrongClock }]);
    expect(r.skipped).toContainEqual({ path: wrongClock, reason: 'future-dated' });
    expect(events.ofType('retention.refused')).toEqual([
      expect.objectContaining({ reason: 'future-dated', camera: 'b', path: wrongClock }),
    ]);
  });

  it('a planted 2099-12-31 directory likewise; space-driven deletion goes on for the other cameras', async () => {
    const s = site();
    mkdirSync(join(s.root, 'c', '2099-12-31'), { recursive: true });
    const floorless = { overlays: [], blocked: false, systemClass: 'art33-non-public' };
    const younger = genericPath(s.root, 'a', NOW - 20 * DAY); // above the floor (0), inside 30 days
    writeFile(younger, 1000);
    let free = 0;
    const r = await sweep(
      sweepOptions(s.root, {
        minFreeBytes: 2500, // two expired files free 2000: the emergency pass must find 500 more
        hooks: {
          freeBytes: () => free,
          afterUnlink: () => {
            free += 1000;
          },
        },
        cameras: ['a', 'b', 'c'].map((id) => ({ id, ...floorless })),
      }),
    );
    expect(r.implausible).toEqual([{ camera: 'c', path: join(s.root, 'c', '2099-12-31') }]);
    expect(existsSync(s.c)).toBe(true);
    expect(existsSync(s.a) || existsSync(s.b)).toBe(false);
    expect(existsSync(younger)).toBe(false); // the emergency pass ran despite camera c
    expect(r.emergencyPass).toBe(true);
  });

  it('the whole site is refused when every camera is ahead of the clock, or the clock far ahead of them all', async () => {
    const s = site();
    const events = new CheckedEventSink();
    const behind = await sweep(sweepOptions(s.root, { now: () => NOW - 2 * DAY, events }));
    expect(behind.refused).toBe('clock-behind');
    expect(behind.deleted).toBe(0);
    const ahead = await sweep(sweepOptions(s.root, { now: () => NOW + 30 * DAY, maxClockAheadDays: 7, events }));
    expect(ahead.refused).toBe('clock-ahead');
    expect([existsSync(s.a), existsSync(s.b), existsSync(s.c)]).toEqual([true, true, true]);
    const siteWide = events.ofType('retention.refused').filter((e) => e.camera === undefined);
    expect(siteWide.map((e) => e.reason)).toEqual(['clock-behind', 'clock-ahead']);
  });
});
