// A checked directory swapped for a symlink between the check and the act must not redirect a single lstat,
// unlink or rename: the walk acts through the descriptor it opened, so the symlink's target is never touched.
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '../../src/retention/sweep.js';
import { ensureDist } from '../helpers/dist.js';
import { DAY, genericPath, NOW, snapshot, sweepOptions, tmp, WORKER, writeFile } from './helpers.js';

beforeAll(() => ensureDist(), 180_000);

const day = (ts: number) => new Date(ts).toISOString().slice(0, 10);

describe('symlink swap between check and act', () => {
  it('deterministic: the date directory becomes a symlink into the quarantine after it was opened', async () => {
    const dir = tmp('cw-race-');
    const root = join(dir, 'rec');
    const quarantineDir = join(root, '.camwarden-quarantine');
    const when = NOW - 40 * DAY;
    const names = [0, 1, 2].map((i) => genericPath(root, 'cam1', when + i * 60_000));
    for (const p of names) writeFile(p, 10);
    writeFile(genericPath(root, 'cam1', NOW - DAY), 10);
    // held footage in the quarantine, under the very names the walk is about to delete
    const heldDir = join(quarantineDir, 'cam9', 'cam9', day(when));
    for (const p of names) writeFile(join(heldDir, p.slice(p.lastIndexOf('/') + 1)), 10);
    const held = snapshot(quarantineDir);
    const real = join(root, 'cam1', day(when));
    let swapped = false;
    const r = await sweep(
      sweepOptions(root, {
        quarantineDir,
        hooks: {
          afterListing: (area, rel) => {
            if (area !== 'recordings' || rel !== `cam1/${day(when)}` || swapped) return;
            swapped = true;
            renameSync(real, `${real}.away`);
            symlinkSync(heldDir, real);
          },
        },
      }),
    );
    expect(swapped).toBe(true);
    expect(snapshot(quarantineDir)).toEqual(held); // not one held file touched
    // what was deleted is the directory that was checked, wherever it now is
    expect(r.deleted).toBe(3);
    for (const p of names) expect(existsSync(p.replace(day(when), `${day(when)}.away`))).toBe(false);
  });

  it('tight loop: another process keeps swapping a directory and a symlink while worker sweeps run', async () => {
    const dir = tmp('cw-race-loop-');
    const root = join(dir, 'rec');
    const outside = join(dir, 'outside');
    const when = NOW - 40 * DAY;
    const date = day(when);
    const camDir = join(root, 'cam1');
    writeFile(genericPath(root, 'cam1', NOW - DAY), 10);
    for (let i = 0; i < 50; i++) writeFile(join(outside, `00-00-${String(i).padStart(2, '0')}.mp4`), 10);
    const before = snapshot(outside);
    mkdirSync(join(camDir, date), { recursive: true });
    // swap loop: the real date dir and a symlink to `outside` take turns under the same name
    const swapper = spawn(
      'sh',
      [
        '-c',
        `cd '${camDir}' && while :; do mv ${date} real 2>/dev/null; ln -s '${outside}' ${date}; rm -f ${date}; mv real ${date} 2>/dev/null; done`,
      ],
      { stdio: 'ignore' },
    );
    let deleted = 0;
    try {
      for (let trial = 0; trial < 20; trial++) {
        // refill the real directory (whichever name it has right now) with expired footage, through a descriptor:
        // writing by path could itself go through the symlink into `outside`
        for (const name of ['real', date]) {
          let fd: number;
          try {
            fd = openSync(join(camDir, name), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
          } catch {
            continue; // a symlink now, or moved: try the other name
          }
          for (let i = 0; i < 50; i++) writeFile(`/proc/self/fd/${fd}/00-00-${String(i).padStart(2, '0')}.mp4`, 10);
          closeSync(fd);
          break;
        }
        const r = await sweep(sweepOptions(root, { workerScript: WORKER, inline: false }));
        deleted += r.deleted;
      }
    } finally {
      swapper.kill('SIGKILL');
    }
    expect(snapshot(outside)).toEqual(before);
    expect(deleted).toBeGreaterThan(0); // the sweeps did reach the real directory
  }, 120_000);
});
