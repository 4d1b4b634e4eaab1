import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ensureDist } from '../helpers/dist.js';
import { HTTP_PORT, post, randomBlock, soap, TDS } from './helpers.js';

const ip = randomBlock();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-sim-cli-'));
  // The spawned CLI runs from dist/: build it when a fresh clone has none (tsc emits despite others' errors).
  ensureDist();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => (err += String(c)));
  const code = await main(argv, { stdout, stderr, env: {}, cwd: dir });
  return { code, stderr: err };
}

describe('camwarden simulate', () => {
  it.each([
    [['--count', 'zero'], '--count'],
    [['--base', '300.1.1.1'], '--base'],
    [['--vendors', 'axis,sony'], '--vendors'],
    [['--hostile', 'meteor'], '--hostile'],
    [['--username', 'admin'], '--password'],
    [['--multicast-interface', 'eth0'], '--multicast-interface'],
    [['--site', 'missing.yaml'], '--site'],
    [['--answer-delay-ms', '20000'], '--answer-delay-ms'],
    [['--answer-delay-ms', 'slow'], '--answer-delay-ms'],
  ])('%j is a usage error naming %s', async (argv, flag) => {
    const r = await run(['simulate', ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
  });

  it('a bad site file names the field at fault', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'devices:\n  - vendor: axis\n    address: not-an-ip\n');
    const r = await run(['simulate', '--site', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--site: bad\.yaml: devices\.0\.address/);
  });

  it('runs a site file with --json, serves it, and stops cleanly on SIGTERM', async () => {
    const file = join(dir, 'site.yaml');
    await writeFile(
      file,
      `devices:\n  - name: one\n    vendor: bosch\n    address: ${ip(10)}\n    httpPort: ${HTTP_PORT}\n  - name: two\n    vendor: uniview\n    kind: nvr\n    address: ${ip(11)}\n    httpPort: ${HTTP_PORT}\n`,
    );
    const child = spawn(process.execPath, ['dist/cli/main.js', 'simulate', '--site', file, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no JSON within 10 s: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        if (out.includes('\n')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const listed = JSON.parse(out) as { devices: Array<{ name: string; xaddr: string; kind: string }> };
    expect(listed.devices.map((d) => d.name)).toEqual(['one', 'two']);
    expect(listed.devices[1]?.kind).toBe('nvr');
    const r = await post(listed.devices[0]?.xaddr ?? '', soap('GetDeviceInformation', TDS));
    expect(r.body).toContain('404754734001050102');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(post(listed.devices[0]?.xaddr ?? '', soap('GetDeviceInformation', TDS), {}, 500)).rejects.toThrow();
  }, 20_000);
});
