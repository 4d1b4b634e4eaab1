// Retention bench: our sweep against `find … -delete` on identical trees, then the steady-state sweep (nothing left
// to delete) on the same tree. Generic layout, 108,000 files: 100 cameras x 45 days x 24 segments, 17 of the days
// (40,800 files) past the 30-day retention. Our sweep is the daemon's: the walk in its worker thread, the journal,
// and every deletion appended (signed) to a real audit log. Rounds alternate which of the two goes first; the
// figures are medians. Run against dist/ (`npm run bench` builds it). Prints one JSON line last.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const { sweep } = await import('../dist/retention/sweep.js');
const { BUILTIN_LAYOUTS } = await import('../dist/retention/layouts.js');
const { DEFAULT_RETENTION_POLICY } = await import('../dist/retention/rules.js');
const { AuditLog } = await import('../dist/audit/audit-log.js');

const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_DAY = 24;
const DAY = 86_400_000;
const now = Date.now();
const today = now - (now % DAY);
// 28 young days, then (past the 31st, to keep the boundary unambiguous) 17 expired ones
const dayOffsets = [...Array(28).keys()].map((i) => i + 1).concat([...Array(17).keys()].map((i) => i + 32));

function build(root) {
  let n = 0;
  for (let c = 0; c < CAMERAS; c++) {
    for (const off of dayOffsets) {
      const dayTs = today - off * DAY;
      const dir = join(root, `cam${c}`, new Date(dayTs).toISOString().slice(0, 10));
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < PER_DAY; f++) {
        const ts = dayTs + f * 3_600_000;
        const iso = new Date(ts).toISOString();
        const p = join(dir, `${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}.mp4`);
        writeFileSync(p, 'x');
        utimesSync(p, ts / 1000, ts / 1000); // so `find -newermt` sees the age the path says
        n++;
      }
    }
  }
  return n;
}

const count = (dir) =>
  Number(
    execFileSync('sh', ['-c', `find '${dir}' -type f | wc -l`])
      .toString()
      .trim(),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function ours(root, data) {
  const audit = new AuditLog({ file: join(data, 'audit.jsonl'), signingKeyFile: join(data, 'audit-key.pem') });
  await audit.start();
  const opts = {
    root,
    layout: BUILTIN_LAYOUTS.generic,
    policy: DEFAULT_RETENTION_POLICY,
    cameras: [],
    dataDir: data,
    maxDeletesPerRun: 1_000_000,
    audit,
  };
  let t = performance.now();
  const first = await sweep(opts);
  const firstMs = performance.now() - t;
  t = performance.now();
  const steady = await sweep(opts);
  const steadyMs = performance.now() - t;
  await audit.stop();
  return { first, firstMs, steady, steadyMs };
}

function find(root) {
  const cutoff = new Date(now - 30 * DAY).toISOString();
  const t = performance.now();
  execFileSync('find', [root, '-type', 'f', '-name', '*.mp4', '!', '-newermt', cutoff, '-delete']);
  return performance.now() - t;
}

const rounds = [];
let files = 0;
for (let round = 0; round < ROUNDS; round++) {
  // BENCH_TMPDIR=/dev/shm compares CPU cost alone; the default (the OS temp dir) includes the disk
  const work = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'cw-bench-ret-'));
  try {
    const a = join(work, 'ours');
    const b = join(work, 'find');
    files = build(a);
    build(b);
    execFileSync('sync');
    let r;
    let findMs;
    if (round % 2 === 0) {
      r = await ours(a, join(work, 'data'));
      findMs = find(b);
    } else {
      findMs = find(b);
      r = await ours(a, join(work, 'data'));
    }
    if (r.first.errors.length > 0 || r.first.refused)
      throw new Error(`sweep failed: ${JSON.stringify(r.first.errors)}`);
    rounds.push({
      oursMs: r.firstMs,
      findMs,
      steadyMs: r.steadyMs,
      oursDeleted: r.first.deleted,
      findDeleted: files - count(b),
      oursLeft: count(a),
      steadyDeleted: r.steady.deleted,
      steadyYoungDirs: r.steady.youngDirs,
    });
    process.stderr.write(`round ${round + 1}: ${JSON.stringify(rounds.at(-1))}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const oursMs = median(rounds.map((r) => r.oursMs));
const findMs = median(rounds.map((r) => r.findMs));
const steadyMs = median(rounds.map((r) => r.steadyMs));
const last = rounds.at(-1);
console.log(
  JSON.stringify({
    files,
    expired: last.findDeleted,
    oursDeleted: last.oursDeleted,
    sameSetAsFind: rounds.every((r) => r.oursDeleted === r.findDeleted && r.oursLeft === files - r.findDeleted),
    rounds: rounds.length,
    oursMs: Math.round(oursMs),
    findMs: Math.round(findMs),
    // the median of the rounds' own ratios: both sides of a round ran on the same tree under the same load
    ratioOursToFind: Number(median(rounds.map((r) => r.oursMs / r.findMs)).toFixed(3)),
    ratioPerRound: rounds.map((r) => Number((r.oursMs / r.findMs).toFixed(3))),
    steadyStateMs: Math.round(steadyMs),
    steadyToFirst: Number(median(rounds.map((r) => r.steadyMs / r.oursMs)).toFixed(3)),
    steadyStateDeleted: last.steadyDeleted,
    steadyStateDateDirsSkipped: last.steadyYoungDirs,
    loadAvg1m: Number(loadavg()[0].toFixed(2)),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
