#!/usr/bin/env node
// Bench: `camwarden scan` as a user runs it, end to end (process start, imports, config and device-profiles,
// unicast discovery, interrogation, decisions, JSON on stdout), against the `onvif` package used the way its README
// shows it, also as a process of its own (bench/onvif-readme-client.cjs: known addresses, all in parallel,
// connect + GetDeviceInformation). Both talk to the same simulated cameras: the project's simulator, in a process of
// its own, on loopback addresses (no multicast leaves this machine: the scan probes its targets by unicast).
// The two alternate, after one warm-up each; the ratio is of the medians (camwarden / baseline, lower is better).
// Usage (after `npm run build`, which `npm run bench` does): node bench/scan.mjs [cameras]
// Env: BENCH_ROUNDS (default 7), BENCH_AUTH_MODE (simulator auth: both | ws-security | digest-only; default both),
// BENCH_ANSWER_DELAY_MS (every simulated device takes this long for each answer, as real cameras do; default 0).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// The package's bin (the bundle scripts/bundle.mjs makes), as `camwarden` runs once installed.
const CLI = join(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin.camwarden);
const BASELINE = join(ROOT, 'bench', 'onvif-readme-client.cjs');
const COUNT = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const AUTH_MODE = process.env.BENCH_AUTH_MODE ?? 'both';
const ANSWER_DELAY_MS = Number(process.env.BENCH_ANSWER_DELAY_MS ?? 0);
// One 127.x.y.0/24 of this run (the simulator takes consecutive addresses from .1) and an unprivileged port.
const BASE = `127.77.${1 + (process.pid % 200)}.1`;
const PORT = 28_000 + (process.pid % 1000);
const USER = 'admin';
const PASSWORD = 'bench-pw';

/**
 * CPU time (user + system, ms) of this process's exited children, from /proc/self/stat (cutime, cstime; Linux, at
 * the usual 100 ticks a second); undefined elsewhere. On a busy machine wall times swing with the neighbours' load;
 * CPU time shows the work each side does.
 */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

/** Runs a process to its end; resolves with its wall time (spawn to exit), CPU time, exit code and stdout. */
function timed(args, opts = {}) {
  return new Promise((resolve, reject) => {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out = [];
    let err = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const cpu1 = childrenCpuMs();
      const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
      resolve({ ms, cpuMs, code, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}

/** The simulated site: COUNT cameras of the simulator's vendor styles, each on its own loopback address. */
async function startSimulator() {
  const child = spawn(
    process.execPath,
    [
      ...[CLI, 'simulate', '--count', String(COUNT), '--base', BASE, '--port', String(PORT)],
      ...['--username', USER, '--password', PASSWORD, '--auth-mode', AUTH_MODE, '--json'],
      ...(ANSWER_DELAY_MS > 0 ? ['--answer-delay-ms', String(ANSWER_DELAY_MS)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const devices = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
      const line = text
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line).devices);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited (${code}) before it was up`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { devices, stop };
}

function lastOctetRange(addresses) {
  const first = addresses[0];
  const last = addresses.at(-1);
  const prefix = (a) => a.split('.').slice(0, 3).join('.');
  return prefix(first) === prefix(last) ? `${first}-${last.split('.')[3]}` : `${first}-${last}`;
}

/** Every field docs/scan-json.md documents for a camera record: present in every record (null when unknown). */
const RECORD_FIELDS = [
  ...['id', 'kind', 'endpoint', 'address', 'xaddr', 'manufacturer', 'model', 'firmware', 'serial', 'hardwareId'],
  ...['mac', 'scopes', 'location', 'decision', 'errors', 'parent', 'channel', 'maximumRetentionTime'],
  ...['earliestRecording', 'vendorProfile', 'systemClass', 'missedScans', 'unverified'],
];
const LOCATION_FIELDS = ['zone', 'source', 'tags', 'geo'];
const DECISION_FIELDS = ['action', 'reasons'];

/** The documented fields a record lacks, as `field` or `location.field`. */
function missingFields(record) {
  const lacks = (obj, fields, prefix = '') =>
    fields.filter((f) => obj === null || typeof obj !== 'object' || !(f in obj)).map((f) => `${prefix}${f}`);
  return [
    ...lacks(record, RECORD_FIELDS),
    ...lacks(record.location, LOCATION_FIELDS, 'location.'),
    ...lacks(record.decision, DECISION_FIELDS, 'decision.'),
  ];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x) => Math.round(x * 10) / 10;

const work = mkdtempSync(join(tmpdir(), 'cw-bench-scan-'));
const sim = await startSimulator();
try {
  const addresses = sim.devices.map((d) => d.address);
  const range = lastOctetRange(addresses);
  const scanEnv = {
    PATH: process.env.PATH,
    CAMWARDEN_ONVIF_USERNAME: USER,
    CAMWARDEN_ONVIF_PASSWORD: PASSWORD,
    CAMWARDEN_DATA_DIR: join(work, 'data'),
  };
  const scan = async () => {
    const r = await timed([CLI, 'scan', '--json', '--no-multicast', '--target', range], { cwd: work, env: scanEnv });
    if (r.code !== 0) throw new Error(`camwarden scan exited ${r.code}: ${r.stderr.slice(-500)}`);
    const cameras = JSON.parse(r.stdout).cameras;
    const missing = [...new Set(cameras.flatMap(missingFields))];
    if (missing.length > 0) throw new Error(`camwarden scan: records without documented fields: ${missing.join(', ')}`);
    return {
      ms: r.ms,
      cpuMs: r.cpuMs,
      devices: cameras.length,
      verified: cameras.filter((c) => c.errors.length === 0 && c.serial).length,
    };
  };
  const baseline = async () => {
    const r = await timed([BASELINE, String(PORT), USER, PASSWORD, ...addresses], { cwd: work });
    if (r.code !== 0) throw new Error(`baseline exited ${r.code}: ${r.stderr.slice(-500)}`);
    return { ms: r.ms, cpuMs: r.cpuMs, devices: JSON.parse(r.stdout.trim().split('\n').at(-1)).devices };
  };

  const loadBefore = loadavg()[0];
  await scan(); // warm-up: file cache, the simulator's first connections
  await baseline();
  const scans = [];
  const bases = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate who goes first, so neither always gets the quieter moment.
    if (i % 2 === 0) {
      scans.push(await scan());
      bases.push(await baseline());
    } else {
      bases.push(await baseline());
      scans.push(await scan());
    }
  }
  const scanMs = median(scans.map((s) => s.ms));
  const baseMs = median(bases.map((b) => b.ms));
  const cpu = (runs) => (runs.every((r) => r.cpuMs !== undefined) ? median(runs.map((r) => r.cpuMs)) : undefined);
  const scanCpu = cpu(scans);
  const baseCpu = cpu(bases);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'scan',
      cameras: COUNT,
      rounds: ROUNDS,
      authMode: AUTH_MODE,
      answerDelayMs: ANSWER_DELAY_MS,
      camwardenScan: {
        command: `camwarden scan --json --no-multicast --target ${range}`,
        medianMs: Math.round(scanMs),
        runsMs: scans.map((s) => Math.round(s.ms)),
        medianCpuMs: scanCpu,
        devices: Math.min(...scans.map((s) => s.devices)),
        verified: Math.min(...scans.map((s) => s.verified)),
        recordsComplete: true, // every documented field in every record (docs/scan-json.md), or the bench fails
      },
      onvifReadmeBaseline: {
        medianMs: Math.round(baseMs),
        runsMs: bases.map((b) => Math.round(b.ms)),
        medianCpuMs: baseCpu,
        devices: Math.min(...bases.map((b) => b.devices)),
      },
      ratio: Math.round((scanMs / baseMs) * 100) / 100,
      cpuRatio:
        scanCpu === undefined || baseCpu === undefined ? undefined : Math.round((scanCpu / baseCpu) * 100) / 100,
      loadavg1: { before: round1(loadBefore), after: round1(loadavg()[0]) },
    })}\n`,
  );
} finally {
  await sim.stop();
  rmSync(work, { recursive: true, force: true });
}
