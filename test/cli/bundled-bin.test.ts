import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model/camera-records.js';
import { collectOutput } from '../helpers/child-output.js';
import { ensureDist } from '../helpers/dist.js';
import { waitFor } from '../helpers/wait-for.js';
import { HTTP_PORT, randomBlock } from '../simulator/helpers.js';

/**
 * The package's `bin` is the bundle scripts/bundle.mjs makes of dist/ (dist/bin/: entry, workers and chunks in one
 * directory). Everything it resolves from its own location must still be found there: the package's
 * device-profiles, the sweep's worker thread, the daemon's scan process, the lazily loaded YAML parser. It starts
 * from the V8 code caches the build made (src/cli/code-cache.ts).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { camwarden: string } };
const BIN = join(ROOT, pkg.bin.camwarden);
const DAY = 86_400_000;
const ip = randomBlock();
const LOBBY = '0f000000-0000-4000-8000-0000000000b1';
const work = mkdtempSync(join(tmpdir(), 'cw-bin-'));
const children: ChildProcess[] = [];

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', CAMWARDEN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = collectOutput(child);
  return { child, out: () => `${output.stdout()}\n--- stderr\n${output.stderr()}` };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

beforeAll(async () => {
  ensureDist();
  const site = {
    devices: [
      {
        name: 'lobby',
        vendor: 'axis',
        address: ip(10),
        httpPort: HTTP_PORT,
        endpoint: `urn:uuid:${LOBBY}`,
        scopes: ['onvif://www.onvif.org/location/zone/public-other'],
      },
      {
        name: 'toilet',
        vendor: 'hikvision',
        address: ip(11),
        httpPort: HTTP_PORT,
        scopes: ['onvif://www.onvif.org/location/zone/toilet'],
      },
    ],
  };
  writeFileSync(join(work, 'site.json'), JSON.stringify(site));
  const sim = start(['simulate', '--site', join(work, 'site.json'), '--json']);
  await waitFor('the simulator up', () => (sim.out().startsWith('{') ? true : undefined), 15_000);
}, 30_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map(exited));
  rmSync(work, { recursive: true, force: true });
});

describe('the bundled bin (package.json bin)', () => {
  it('is the bundle, not the tsc output', () => {
    expect(BIN).toBe(join(ROOT, 'dist', 'bin', 'camwarden.js'));
    expect(existsSync(join(ROOT, 'dist', 'bin', 'sweep-worker.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'bin', 'scan-worker.js'))).toBe(true);
  });

  it('has code caches the build made, and a plain `node` accepts every one', () => {
    const loaderModule = pathToFileURL(join(ROOT, 'dist', 'cli', 'code-cache.js')).href;
    const script = [
      `import { BundleLoader } from ${JSON.stringify(loaderModule)};`,
      'const loader = new BundleLoader();',
      `loader.load(${JSON.stringify(join(ROOT, 'dist', 'bin', 'cli.js'))});`,
      'process.stdout.write(JSON.stringify(loader.stats));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const stats = JSON.parse(out) as { files: number; fromCache: number; refused: number };
    expect(stats.files).toBeGreaterThan(3);
    expect(stats).toEqual({ files: stats.files, fromCache: stats.files, refused: 0 });
  });

  it('scans the simulator with the package device-profiles and decides', async () => {
    const scan = start(['scan', '--json', '--no-multicast', '--target', `${ip(10)}-11`, '--timeout', '8000'], {
      CAMWARDEN_DATA_DIR: join(work, 'scan-data'),
    });
    expect(await exited(scan.child), scan.out()).toBe(0);
    const result = JSON.parse(scan.out().split('\n--- stderr')[0] ?? '') as ScanResult;
    expect(result.policyRevision).not.toBe('undecided');
    const lobby = result.cameras.find((c) => c.id === LOBBY);
    expect(lobby?.vendorProfile).toBe('axis'); // device-profiles/vendors/, found from dist/bin/
    expect(lobby?.errors).toEqual([]);
    expect(result.cameras.find((c) => c.address === ip(11))?.decision.action).toBe('block');
  }, 30_000);

  it('runs the daemon: a scan in its own process, then a sweep in its worker thread', async () => {
    const recordings = join(work, 'recordings');
    const segment = (ago: number): string => {
      const dir = join(recordings, LOBBY, new Date(Date.now() - ago).toISOString().slice(0, 10));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '10-00-00.mp4'), Buffer.alloc(1024));
      return join(dir, '10-00-00.mp4');
    };
    const expired = segment(45 * DAY);
    const young = segment(2 * DAY);
    // A config file: the YAML parser is loaded lazily, from node_modules, by the bundle.
    writeFileSync(
      join(work, 'camwarden.yaml'),
      [
        'discovery:',
        '  multicast: false',
        '  listenHello: false',
        `  probeTargets: ["${ip(10)}-11"]`,
        'enforce:',
        '  mode: "off"',
      ].join('\n'),
    );
    const data = join(work, 'run-data');
    const agent = start(['run'], {
      CAMWARDEN_CONFIG: join(work, 'camwarden.yaml'),
      CAMWARDEN_DATA_DIR: data,
      CAMWARDEN_RECORDINGS_DIR: recordings,
      CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *',
      CAMWARDEN_SWEEP_SCHEDULE: '0 0 1 1 *',
    });
    const inventory = await waitFor(
      'the first scan in inventory.json',
      () => {
        try {
          const parsed = JSON.parse(readFileSync(join(data, 'inventory.json'), 'utf8')) as ScanResult;
          return parsed.cameras.length >= 2 ? parsed : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
    expect(inventory.cameras.find((c) => c.id === LOBBY)?.vendorProfile).toBe('axis');
    await waitFor('the expired segment swept', () => (existsSync(expired) ? undefined : true), 30_000);
    expect(existsSync(young)).toBe(true);
    // The deletion is audited once the file is gone, on the audit log's own queue: wait for the entry, not the moment.
    const audit = await waitFor(
      'the deletion in the audit log',
      () => {
        const text = readFileSync(join(data, 'audit.jsonl'), 'utf8');
        return text.includes('"deletion"') ? text : undefined;
      },
      30_000,
    );
    expect(audit).toContain('"deletion"');
    agent.child.kill('SIGTERM');
    expect(await exited(agent.child), agent.out()).toBe(0);
    expect(agent.out()).not.toMatch(/"level":(50|60)/);
  }, 60_000);
});
