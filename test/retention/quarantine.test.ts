import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { TreeFootageQuarantine } from '../../src/retention/quarantine.js';
import { CN_2025_RETENTION, DEFAULT_RETENTION_POLICY, retentionPolicyFrom } from '../../src/retention/rules.js';
import { sweep } from '../../src/retention/sweep.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { ensureDist } from '../helpers/dist.js';
import { auditedDeletions, DAY, footage, scratchSite, sweepOptions, tmp, WORKER, writeFile } from './helpers.js';

afterEach(expectEventsMatchSchemas);

beforeAll(() => ensureDist(), 180_000);

/** A site whose camera `bad` is blocked: a sweep moves its footage into quarantine. */
async function quarantinedSite() {
  const { dir, root, data } = scratchSite('cw-q-');
  const now = Date.now();
  const footageOfBad = footage(root, 'bad', [3, 2, 1], 100, now);
  footage(root, 'ok', [1], 10, now);
  const audit = new AuditLog({ file: join(data, 'audit.jsonl') });
  await audit.start();
  const blocked = [{ id: 'bad', overlays: [], blocked: true }];
  const r = await sweep(sweepOptions(root, { dataDir: data, now: () => now, cameras: blocked, audit }));
  expect(r.quarantined).toBe(3);
  const qdir = join(dir, '.camwarden-quarantine');
  const moved = footageOfBad.map((p) => join(qdir, 'bad', p.slice(root.length + 1)));
  return { dir, root, data, now, footage: footageOfBad, moved, audit, qdir };
}

describe('quarantine', () => {
  it("expires a blocked camera's footage the pack's quarantine days after it was moved, held footage excepted", async () => {
    const s = await quarantinedSite();
    const events = new CheckedEventSink();
    const day = (p: string) => (p.match(/\d{4}-\d{2}-\d{2}/) ?? [''])[0];
    const hold = {
      id: 'case-9',
      camera: 'bad',
      from: day(s.footage[0] ?? ''),
      to: day(s.footage[0] ?? ''),
      reason: 'police',
    };
    const later = (days: number) =>
      sweep(
        sweepOptions(s.root, {
          dataDir: s.data,
          now: () => s.now + days * DAY,
          extraHolds: [hold],
          audit: s.audit,
          events,
          cameras: [{ id: 'bad', overlays: [], blocked: true }],
        }),
      );
    await later(29);
    expect(s.moved.every((p) => existsSync(p))).toBe(true);
    await later(31);
    expect(s.moved.map((p) => existsSync(p))).toEqual([true, false, false]); // the held day stays
    expect(events.ofType('quarantine.expired')).toEqual([
      expect.objectContaining({
        camera: 'bad',
        files: 2,
        bytes: 200,
        quarantineDays: DEFAULT_RETENTION_POLICY.quarantineDays,
      }),
    ]);
    await s.audit.stop();
    const { paths, entries } = auditedDeletions(join(s.data, 'audit.jsonl'));
    expect(s.moved.slice(1).every((p) => paths.has(p))).toBe(true);
    const expiry = entries.find((e) => e.kind === 'deletion' && (e.data as { area: string }).area === 'quarantine');
    expect(expiry?.data).toMatchObject({ reason: 'quarantine-expired', count: 2 });
  });

  it("quarantine expiry never deletes footage younger than its camera's retention (a 90-day overlay floor)", async () => {
    const { dir, root, data } = scratchSite('cw-q-floor-');
    const now = Date.now();
    const [recorded] = footage(root, 'bad', [2], 100, now);
    const policy = retentionPolicyFrom(CN_2025_RETENTION, { siteOverlays: ['anti-terror-key-target'] });
    const opts = (at: number) =>
      sweepOptions(root, {
        dataDir: data,
        now: () => at,
        policy,
        cameras: [{ id: 'bad', overlays: [], blocked: true }],
      });
    expect((await sweep(opts(now))).quarantined).toBe(1);
    const moved = join(dir, '.camwarden-quarantine', 'bad', (recorded ?? '').slice(root.length + 1));
    await sweep(opts(now + 31 * DAY)); // past the 30 quarantine days, 33 days after it was recorded: floor 90
    expect(existsSync(moved)).toBe(true);
    await sweep(opts(now + 89 * DAY));
    expect(existsSync(moved)).toBe(false); // 91 days old: past the floor and the quarantine days
  });

  it('a quarantine area that is the root or holds it is unusable: expiry never walks the recordings as quarantine', async () => {
    const dir = tmp('cw-q-around-');
    const root = join(dir, 'videos');
    const now = Date.now();
    const [recent] = footage(root, 'cam1', [1], 100, now);
    const [blocked] = footage(root, 'bad', [1], 100, now);
    const policy = retentionPolicyFrom(CN_2025_RETENTION, { siteOverlays: ['anti-terror-key-target'] });
    const cameras = [{ id: 'bad', overlays: [], blocked: true }];
    for (const quarantineDir of [dir, root, `${root}/.`]) {
      // 40 days on, the files' ctimes are past the quarantine days; the overlay keeps them 90 days
      const at = now + 40 * DAY;
      const r = await sweep(
        sweepOptions(root, { dataDir: join(dir, 'data'), now: () => at, policy, quarantineDir, cameras }),
      );
      expect(existsSync(recent ?? '') && existsSync(blocked ?? '')).toBe(true);
      expect(r.errors).toContainEqual(expect.objectContaining({ code: 'quarantine-unusable' }));
      expect([r.quarantined, r.deleted]).toEqual([0, 0]);
    }
  });

  it('release moves the footage back (never over a file) and writes the register: who, why, what', async () => {
    const s = await quarantinedSite();
    const q = new TreeFootageQuarantine(async () => ({
      ...sweepOptions(s.root, { dataDir: s.data, audit: s.audit }),
      inline: false,
      workerScript: WORKER,
    }));
    writeFile(s.footage[2] ?? '', 5); // the recorder wrote a new file under the same name meanwhile
    const out = await q.release('bad', {
      reason: 'installed in a corridor',
      unit: 'Store 12',
      name: 'Li Wei',
      keyId: '0123456789abcdef',
    });
    expect(out).toMatchObject({ moved: 2, kept: [{ reason: 'exists' }] });
    expect(existsSync(s.footage[0] ?? '') && existsSync(s.moved[2] ?? '')).toBe(true);
    expect(statSync(s.footage[0] ?? '').mode & 0o777).toBe(0o640);
    expect(statSync(s.footage[2] ?? '').size).toBe(5);
    await s.audit.stop();
    const register = readFileSync(join(s.data, 'audit.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.kind === 'quarantine');
    expect(register.map((e) => e.data.event)).toEqual(['quarantined', 'releasing', 'released']);
    // who and why are on record before the footage moves
    expect(register[1].data).toMatchObject({
      camera: 'bad',
      reason: 'installed in a corridor',
      keyId: '0123456789abcdef',
    });
    expect(register[2].data).toMatchObject({
      camera: 'bad',
      reason: 'installed in a corridor',
      unit: 'Store 12',
      name: 'Li Wei',
      keyId: '0123456789abcdef',
      files: 2,
      kept: 1,
    });
    expect(register[2].data.paths).toHaveLength(2);
  });
});

describe('quarantine folder names', () => {
  // safeName turns both ids into `nvr1_ch1`: one folder for two cameras made releasing one move the other's back
  const colon = { id: 'nvr1:ch1', overlays: ['anti-terror-key-target'], blocked: true };
  const under = { id: 'nvr1_ch1', overlays: [], blocked: true };
  const release = (root: string, data: string, cameras: Array<typeof colon>) =>
    new TreeFootageQuarantine(async () => sweepOptions(root, { dataDir: data, cameras }));
  const rel = (root: string, p: string) => p.slice(root.length + 1);

  it('two ids that safeName alike get folders of their own: releasing one leaves the other in quarantine', async () => {
    const { dir, root, data } = scratchSite('cw-q-names-');
    const now = Date.now();
    const ofColon = footage(root, colon.id, [3, 2], 10, now);
    const ofUnder = footage(root, under.id, [3, 2], 10, now);
    const r = await sweep(sweepOptions(root, { dataDir: data, now: () => now, cameras: [colon, under] }));
    expect(r.quarantined).toBe(4);
    const folders = readdirSync(join(dir, '.camwarden-quarantine'));
    const out = await release(root, data, [colon, under]).release(colon.id, { reason: 'decision-changed' });
    expect(ofUnder.some((p) => existsSync(p))).toBe(false); // still blocked: still in quarantine
    expect(out.moved).toBe(2);
    expect(ofColon.every((p) => existsSync(p))).toBe(true);
    expect(folders).toHaveLength(2);
    expect(folders).toContain('nvr1_ch1');
    const q = join(dir, '.camwarden-quarantine', 'nvr1_ch1');
    expect(ofUnder.every((p) => existsSync(join(q, rel(root, p))))).toBe(true);
  });

  it('an old-style shared folder (safeName only) is released and expired file by file, by its path camera', async () => {
    const { dir, root, data } = scratchSite('cw-q-legacy-');
    const now = Date.now();
    // what the old naming left: both cameras' footage in one folder, each under its own recordings path
    const legacy = join(dir, '.camwarden-quarantine', 'nvr1_ch1');
    const inLegacy = (camera: string, daysAgo: number[]) =>
      footage(root, camera, daysAgo, 10, now).map((p) => {
        const moved = join(legacy, rel(root, p));
        mkdirSync(dirname(moved), { recursive: true, mode: 0o700 });
        renameSync(p, moved);
        return moved;
      });
    const [colonOld, colonNew] = inLegacy(colon.id, [3, 2]);
    const [underOld, underNew] = inLegacy(under.id, [3, 2]);
    footage(root, 'lobby', [1], 10, now); // recent footage: the clock is plausible
    // 35 days on: past the 30 quarantine days; nvr1_ch1's 30-day retention is over, nvr1:ch1 keeps 90
    const r = await sweep(sweepOptions(root, { dataDir: data, now: () => now + 35 * DAY, cameras: [colon, under] }));
    expect(r.errors).toEqual([]);
    expect([colonOld, colonNew, underOld, underNew].map((p) => existsSync(p ?? ''))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // releasing nvr1_ch1 (whose own folder has that very name) leaves nvr1:ch1's footage where it is
    const kept = await release(root, data, [colon, under]).release(under.id, { reason: 'decision-changed' });
    expect(kept.moved).toBe(0);
    expect(kept.kept).toEqual([{ path: colon.id, reason: 'other-camera' }]);
    expect(existsSync(colonOld ?? '') && existsSync(colonNew ?? '')).toBe(true);
    // releasing nvr1:ch1 takes its footage back out of the old folder, and leaves no folder behind
    const back = await release(root, data, [colon, under]).release(colon.id, { reason: 'decision-changed' });
    expect(back.moved).toBe(2);
    expect(back.paths.sort()).toEqual([rel(legacy, colonOld ?? ''), rel(legacy, colonNew ?? '')].sort());
    expect(existsSync(join(root, rel(legacy, colonOld ?? '')))).toBe(true);
    expect(existsSync(legacy)).toBe(false);
  });
});
