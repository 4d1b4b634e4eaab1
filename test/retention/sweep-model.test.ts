// Model-based property test: random trees with symlinks in and out of the root, FIFOs, unmatched names, mtimes
// that disagree with the path date, hard links, holds and clock skew. The real sweep runs on a temp dir and must
// delete exactly the set an in-memory model says, and never anything held, young, non-regular, unmatched, outside,
// or of a camera whose footage is dated in the future.
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUTURE_TOLERANCE_MS } from '../../src/retention/clock-check.js';
import { DEFAULT_RETENTION_POLICY, HOLD_LEAD_MS } from '../../src/retention/rules.js';
import { sweep } from '../../src/retention/sweep.js';
import { DAY, genericPath, NOW, snapshot, sweepOptions, tmp, writeFile } from './helpers.js';

type Kind = 'file' | 'fifo' | 'symlink-in' | 'symlink-out' | 'hardlink-out' | 'unmatched' | 'dirlink-out';

const entryArb = fc.record({
  camera: fc.constantFrom('a', 'b', 'zz'),
  ageS: fc.integer({ min: 60, max: 60 * 86_400 }),
  kind: fc.constantFrom<Kind>(
    'file',
    'file',
    'file',
    'fifo',
    'symlink-in',
    'symlink-out',
    'hardlink-out',
    'unmatched',
    'dirlink-out',
  ),
  activeMtime: fc.boolean(),
});
const holdArb = fc.option(
  fc.record({
    camera: fc.constantFrom('a', 'b', '*'),
    fromDays: fc.integer({ min: 0, max: 60 }),
    lenDays: fc.integer({ min: 0, max: 20 }),
  }),
);
// Clock skew: usually 0, sometimes behind the newest file or far ahead.
const skewArb = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -3 * 86_400, max: 20 * 86_400 }));

describe('sweep vs model', () => {
  it('deletes exactly the model set and never a wrong file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 25 }),
        holdArb,
        skewArb,
        async (entries, hold, skewS) => {
          const dir = tmp('cw-ret-model-');
          const root = join(dir, 'rec');
          const outside = join(dir, 'outside');
          mkdirSync(root, { recursive: true });
          mkdirSync(outside, { recursive: true });
          const now = NOW + skewS * 1000;
          const expected = new Set<string>();
          const regular: Array<{ path: string; ts: number; camera: string; active: boolean }> = [];
          const protectedPaths: string[] = [];
          entries.forEach((e, i) => {
            const ts = Math.floor((NOW - e.ageS * 1000) / 1000) * 1000;
            const p = genericPath(root, e.camera, ts, `-${i}.mp4`);
            mkdirSync(join(p, '..'), { recursive: true });
            // mtime disagrees with the path date on purpose: only the grace check may look at it
            const mtime = e.activeMtime ? now - 5_000 : NOW - (((i * 7919) % 90) + 1) * DAY;
            if (e.kind === 'file') {
              writeFile(p, 10, mtime);
              regular.push({ path: p, ts, camera: e.camera, active: e.activeMtime });
            } else if (e.kind === 'hardlink-out') {
              const target = join(outside, `h${i}`);
              writeFile(target, 10, mtime);
              linkSync(target, p);
              protectedPaths.push(target);
              regular.push({ path: p, ts, camera: e.camera, active: e.activeMtime });
            } else if (e.kind === 'fifo') {
              execFileSync('mkfifo', [p]);
              protectedPaths.push(p);
            } else if (e.kind === 'symlink-out' || e.kind === 'symlink-in') {
              const target = e.kind === 'symlink-out' ? join(outside, `t${i}`) : join(root, `t${i}.keep`);
              writeFile(target, 10, NOW - 90 * DAY);
              symlinkSync(target, p);
              protectedPaths.push(target, p);
            } else if (e.kind === 'unmatched') {
              const u = join(p, '..', `x${i}.mp4`);
              writeFile(u, 10, NOW - 90 * DAY);
              protectedPaths.push(u);
            } else {
              // a camera directory that is a symlink to old footage outside
              const ext = join(outside, `cam${i}`, new Date(ts).toISOString().slice(0, 10));
              writeFile(join(ext, '00-00-00.mp4'), 10, NOW - 90 * DAY);
              const linkDir = join(root, `link${i}`);
              if (!existsSync(linkDir)) symlinkSync(join(outside, `cam${i}`), linkDir);
              protectedPaths.push(join(ext, '00-00-00.mp4'));
            }
          });
          const holds = hold
            ? [
                {
                  id: 'h',
                  camera: hold.camera,
                  from: new Date(NOW - (hold.fromDays + hold.lenDays) * DAY).toISOString(),
                  to: new Date(NOW - hold.fromDays * DAY).toISOString(),
                  reason: 't',
                },
              ]
            : [];
          // model: per camera, any recording (or date directory) dated past now makes that camera implausible;
          // the site is refused when every camera is, or when the clock is far ahead of the newest recording
          const horizon = now + FUTURE_TOLERANCE_MS;
          const dayStart = (ts: number) => Math.floor(ts / DAY) * DAY;
          const future = new Set<string>(
            entries
              .map((e, i) => ({ ...e, ts: Math.floor((NOW - e.ageS * 1000) / 1000) * 1000, i }))
              .filter(
                (e) =>
                  dayStart(e.ts) > horizon || (regular.some((r) => r.path.endsWith(`-${e.i}.mp4`)) && e.ts > horizon),
              )
              .map((e) => e.camera),
          );
          const cameras = new Set(entries.map((e) => e.camera));
          const settled = regular.filter((r) => r.ts <= horizon).map((r) => r.ts);
          const newest = settled.length > 0 ? Math.max(...settled) : undefined;
          const refused =
            (future.size > 0 && future.size === cameras.size) || (newest !== undefined && now - newest > 7 * DAY);
          if (!refused) {
            for (const r of regular) {
              if (future.has(r.camera)) continue;
              const held = holds.some(
                (h) =>
                  (h.camera === '*' || h.camera === r.camera) &&
                  r.ts >= Date.parse(h.from) - HOLD_LEAD_MS &&
                  r.ts <= Date.parse(h.to),
              );
              // a fresh mtime never protects an expired segment: age comes from the path
              if (r.ts < now - 30 * DAY && !held) expected.add(r.path);
            }
          }
          const before = snapshot(dir);
          const policy = { ...DEFAULT_RETENTION_POLICY, legalHolds: holds };
          const res = await sweep(sweepOptions(root, { policy, now: () => now, maxClockAheadDays: 7 }));
          const after = snapshot(dir);
          const gone = new Set([...before.keys()].filter((p) => !after.has(p) && !before.get(p)?.startsWith('d:')));
          rmSync(dir, { recursive: true, force: true });
          expect(gone).toEqual(expected);
          expect(res.deleted).toBe(expected.size);
          for (const p of protectedPaths) expect(gone.has(p)).toBe(false);
          expect(res.refused !== undefined).toBe(refused);
          expect(new Set(res.implausible.map((i) => i.camera))).toEqual(
            refused && future.size === 0 ? new Set() : future,
          );
        },
      ),
      {
        numRuns: 60,
        // a file beside the camera directories is not a camera (it once counted as one that was not ahead)
        examples: [
          [
            [
              { camera: 'a', ageS: 60, kind: 'symlink-in', activeMtime: false },
              { camera: 'a', ageS: 60, kind: 'file', activeMtime: false },
            ],
            null,
            -361,
          ],
        ],
      },
    );
  }, 60_000);
});
