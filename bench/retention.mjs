// Retention bench: our sweep vs `find -delete` on identical 108,000-file trees (generic layout,
// 30 cameras x 60 days x 60 files, half expired), plus a steady-state sweep where nothing expires.
// Run against dist/: `npx tsc -p tsconfig.build.json && node bench/retention.mjs`. Prints JSON last.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const { sweep } = await import('../dist/retention/sweep.js');
const { BUILTIN_LAYOUTS } = await import('../dist/retention/layouts.js');
const { DEFAULT_RETENTION_POLICY } = await import('../dist/retention/policy.js');

const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 30);
const DAYS = 60;
const FILES = 60;
const DAY = 86_400_000;
const now = Date.now();
const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
// Days 1..30 are young, days 32..61 expired (day 31 skipped to keep the boundary unambiguous).
const dayOffsets = [...Array(DAYS).keys()].map((i) => (i < DAYS / 2 ? i + 1 : i + 2));

function build(root) {
  let n = 0;
  for (let c = 0; c < CAMERAS; c++) {
    for (const off of dayOffsets) {
      const dayTs = today - off * DAY;
      const dir = join(root, `cam${c}`, new Date(dayTs).toISOString().slice(0, 10));
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < FILES; f++) {
        const ts = dayTs + f * 1_380_000;
        const iso = new Date(ts).toISOString();
        const p = join(dir, `${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}.mp4`);
        writeFileSync(p, 'x');
        utimesSync(p, ts / 1000, ts / 1000); // so `find -newermt` sees the same age as the path
        n++;
      }
    }
  }
  return n;
}

const work = mkdtempSync(join(tmpdir(), 'cw-bench-ret-'));
const ours = join(work, 'ours');
const theirs = join(work, 'find');
const files = build(ours);
build(theirs);
const cutoff = new Date(now - 30 * DAY).toISOString();
execFileSync('sync');

const opts = {
  root: ours,
  layout: BUILTIN_LAYOUTS.generic,
  policy: DEFAULT_RETENTION_POLICY,
  cameras: [],
  dataDir: join(work, 'data'),
  maxDeletesPerRun: 1_000_000,
};
let t = performance.now();
const r1 = await sweep(opts);
const oursMs = performance.now() - t;

t = performance.now();
execFileSync('find', [theirs, '-type', 'f', '-name', '*.mp4', '!', '-newermt', cutoff, '-delete']);
const findMs = performance.now() - t;
const left = Number(
  execFileSync('sh', ['-c', `find ${theirs} -type f | wc -l`])
    .toString()
    .trim(),
);

t = performance.now();
const r2 = await sweep(opts);
const steadyMs = performance.now() - t;

rmSync(work, { recursive: true, force: true });
const result = {
  files,
  expiredByFind: files - left,
  oursDeleted: r1.deleted,
  findLeft: left,
  oursMs: Math.round(oursMs),
  findMs: Math.round(findMs),
  ratioOursToFind: Number((oursMs / findMs).toFixed(3)),
  steadyStateMs: Math.round(steadyMs),
  steadyStateDeleted: r2.deleted,
  steadyStateScanned: r2.scanned,
  maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(JSON.stringify(result));
