// Agent bench (issue 7): `camwarden run` against 200 simulated cameras on loopback, enforcement off (the bench
// must not touch this host's firewall), no broker. Measures start-up (spawn → first full inventory on disk) and
// the agent's RSS once idle after its first scan, read from /proc/<pid>/status once a second (median, max).
// AGENT_NODE_FLAGS overrides the node flags of the agent (default: those of deploy/camwarden.service).
// Run after `npx tsc -p tsconfig.build.json`: node bench/agent.mjs [count]
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const count = Number(process.argv[2] ?? 200);
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'cw-bench-agent-'));
const second = randomInt(32, 250);
const base = `127.${second}.${randomInt(1, 200)}`;
const port = process.getuid?.() === 0 ? 80 : 18080;

const sim = spawn(
  process.execPath,
  [cli, 'simulate', '--count', String(count), '--base', `${base}.1`, '--port', String(port), '--json'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
await new Promise((resolve, reject) => {
  sim.stdout.once('data', resolve);
  sim.once('exit', (c) => reject(new Error(`simulator exited ${c}`)));
});

const last = count; // devices on base.1 .. base.count (count ≤ 254)
const started = performance.now();
// Default: the node flags of the shipped systemd unit, so the figure is what a gateway runs.
const unit = readFileSync(join(root, 'deploy', 'camwarden.service'), 'utf8');
const shippedFlags = (/^ExecStart=\S+ (.*?) \S+main\.js run$/m.exec(unit)?.[1] ?? '').split(' ').filter(Boolean);
const nodeFlags =
  process.env.AGENT_NODE_FLAGS === undefined ? shippedFlags : process.env.AGENT_NODE_FLAGS.split(' ').filter(Boolean);
const agent = spawn(process.execPath, [...nodeFlags, cli, 'run'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    CAMWARDEN_DATA_DIR: join(work, 'data'),
    CAMWARDEN_PROBE_TARGETS: `${base}.1-${last}`,
    CAMWARDEN_MULTICAST: '0',
    CAMWARDEN_ENFORCE: 'off',
    CAMWARDEN_LOG_LEVEL: 'warn',
    CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *',
  },
});

function inventorySize() {
  try {
    return JSON.parse(readFileSync(join(work, 'data', 'inventory.json'), 'utf8')).cameras.length;
  } catch {
    return 0;
  }
}
function rssMb(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** Peak RSS of the agent's children (each daemon scan runs in its own process), sampled while they live. */
let scanProcessPeakMb = 0;
function sampleChildren() {
  try {
    const kids = readFileSync(`/proc/${agent.pid}/task/${agent.pid}/children`, 'utf8').split(' ').filter(Boolean);
    for (const kid of kids) scanProcessPeakMb = Math.max(scanProcessPeakMb, rssMb(kid, 'VmHWM'));
  } catch {
    // a child that just ended
  }
}

let firstScanMs;
while (performance.now() - started < 120_000) {
  sampleChildren();
  if (inventorySize() >= count) {
    firstScanMs = Math.round(performance.now() - started);
    break;
  }
  await new Promise((r) => setTimeout(r, 50));
}
// Idle: sample once a second over a window that spans a profile re-check (30 s) and a status publish.
const idleSeconds = Number(process.env.BENCH_IDLE_S ?? 40);
const samples = [];
for (let i = 0; i < idleSeconds; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  samples.push(rssMb(agent.pid, 'VmRSS'));
}
const sorted = [...samples].sort((a, b) => a - b);
const inventoried = inventorySize();
const idleRss = sorted[Math.floor(sorted.length / 2)];
const idleRssMax = sorted[sorted.length - 1];
const anonMb = rssMb(agent.pid, 'RssAnon');
const fileMb = rssMb(agent.pid, 'RssFile');
const peakRss = rssMb(agent.pid, 'VmHWM');
const stopStart = performance.now();
agent.kill('SIGTERM');
const code = await new Promise((r) => agent.once('exit', r));
const stopMs = Math.round(performance.now() - stopStart);
sim.kill('SIGTERM');
await new Promise((r) => sim.once('exit', r));
rmSync(work, { recursive: true, force: true });
const result = {
  cameras: count,
  inventoried,
  startToFirstInventoryMs: firstScanMs ?? null,
  idleRssMb: idleRss, // median of the idle samples
  idleRssMaxMb: idleRssMax,
  idleRssSplitMb: { anon: anonMb, file: fileMb }, // file: pages of the node binary and libraries
  idleSamples: samples.length,
  peakRssMb: peakRss,
  scanProcessPeakRssMb: scanProcessPeakMb,
  nodeFlags: nodeFlags.join(' '),
  stopMs,
  exitCode: code,
};
process.stderr.write(`agent bench: ${JSON.stringify(result)}\n`);
console.log(JSON.stringify(result));
