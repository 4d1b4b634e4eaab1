import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationFlag } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { checkRequest } from '../../src/operator/signed-request.js';
import { verifyBundle } from '../../src/profiles/bundle.js';
import { loadEd25519PublicKeys } from '../../src/util/ed25519-keys.js';
import { freePort } from '../helpers/brokers.js';
import { captureIo } from '../helpers/cli-io.js';
import { ensureDist } from '../helpers/dist.js';

const ROOT = join(import.meta.dirname, '..', '..');

async function cli(args: string[], env: Record<string, string> = {}) {
  const t = captureIo(env);
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

describe('operator CLI usage, no broker needed', () => {
  const work = mkdtempSync(join(tmpdir(), 'cw-opcli-'));
  const keys = join(work, 'keys');

  it('keys generate needs --out', async () => {
    const r = await cli(['keys', 'generate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--out');
  });

  it('profiles sign writes what the agent’s bundle verification accepts, and names what is wrong', async () => {
    expect((await cli(['keys', 'generate', '--out', keys])).code).toBe(0);
    const dir = join(work, 'profiles');
    cpSync(join(ROOT, 'device-profiles'), dir, { recursive: true });
    const signed = await cli(['profiles', 'sign', dir, '--key', join(keys, 'private.pem'), '--json']);
    expect(signed.code, signed.err).toBe(0);
    const manifest = JSON.parse(signed.out) as { files: Record<string, string> };
    expect(Object.keys(manifest.files)).toContain('site/site.yaml');
    const trusted = await loadEd25519PublicKeys(join(keys, 'public.pem'));
    expect(await verifyBundle(dir, trusted)).toEqual([]);
    const checked = await cli(['profiles', 'check', dir, '--keys', join(keys, 'public.pem')]);
    expect(checked.code, checked.err).toBe(0);
    expect(checked.out).toContain('(signed)');
    writeFileSync(
      join(dir, 'site', 'site.yaml'),
      `${readFileSync(join(dir, 'site', 'site.yaml'), 'utf8')}\n# edited\n`,
    );
    expect(await verifyBundle(dir, trusted)).toEqual([expect.stringContaining('site/site.yaml')]);

    const notDir = await cli(['profiles', 'sign', join(work, 'nope'), '--key', join(keys, 'private.pem')]);
    expect(notDir.code).toBe(2);
    expect(notDir.err).toContain('not a directory');
    const publicAsKey = await cli(['profiles', 'sign', dir, '--key', join(keys, 'public.pem')]);
    expect(publicAsKey.code).toBe(2);
    expect(publicAsKey.err).toContain('--key');
    expect((await cli(['profiles', 'sign', dir])).code).toBe(2);
  });

  it('profiles sign refuses an invalid set and signs nothing', async () => {
    const dir = join(work, 'bad-profiles');
    cpSync(join(ROOT, 'device-profiles'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'site', 'site.yaml'),
      'schemaVersion: 1\ncameras:\n  - match: {serial: X}\n    systemClass: art99\n',
    );
    const r = await cli(['profiles', 'sign', dir, '--key', join(keys, 'private.pem')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('site/site.yaml: cameras.0.systemClass:');
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });

  it('request without a broker configured exits 2 and says what to set', async () => {
    const r = await cli(['request', 'status', '--key', join(keys, 'private.pem'), '--site', 's', '--gateway', 'g'], {
      CAMWARDEN_DATA_DIR: join(work, 'data'),
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain('CAMWARDEN_MQTT_URL');
  });

  it('request reads --args from @FILE and names the file when it cannot', async () => {
    const file = join(work, 'args.json');
    writeFileSync(file, '{"cameraId":"c","from":"2026-01-01T00:00:00Z"}');
    const flags = ['--key', join(keys, 'private.pem'), '--site', 's', '--gateway', 'g'];
    const incomplete = await cli(['request', 'legal-hold/add', '--args', `@${file}`, ...flags]);
    expect(incomplete.code).toBe(2);
    expect(incomplete.err).toContain('args.to');
    const missing = await cli(['request', 'status', '--args', `@${join(work, 'none.json')}`, ...flags]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('none.json');
  });

  it('the installed binary exits 3 when no response comes in time', async () => {
    ensureDist();
    const port = await freePort();
    const child = spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'cli', 'main.js'),
        'request',
        'status',
        '--key',
        join(keys, 'private.pem'),
        '--site',
        's',
        '--gateway',
        'g',
        '--timeout',
        '500ms',
      ],
      {
        env: { PATH: process.env.PATH ?? '', CAMWARDEN_MQTT_URL: `mqtt://127.0.0.1:${port}` },
        encoding: 'utf8',
        cwd: work,
      },
    );
    expect(child.status, child.stderr).toBe(3);
    expect(child.stderr).toContain('could not connect');
    expect(child.stdout).toBe('');
  }, 30_000);

  it('request refuses a site or gateway that is not a topic level', async () => {
    const r = await cli(['request', 'status', '--key', join(keys, 'private.pem'), '--site', 'a/#', '--gateway', 'g']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--site');
  });
});

describe('checkRequest', () => {
  it('names every field at fault and returns the args untouched', () => {
    expect(() => checkRequest('legal-hold/add', { cameraId: 'c', from: 'x', extra: 1 })).toThrow(
      /args\.from: .*args\.to: .*extra/s,
    );
    const args = { cameraId: 'c', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    expect(checkRequest('legal-hold/add', args)).toEqual({ op: 'legal-hold/add', args });
    expect(() => checkRequest('status', [])).toThrow(/args/);
    expect(() => checkRequest('__proto__', {})).toThrow(/unknown op/);
  });
});

describe('durationFlag', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['7', 7000],
    ['1.5s', 1500],
  ])('%s is %d ms', (raw, ms) => {
    expect(durationFlag({ timeout: raw }, 'timeout', 1)).toBe(ms);
  });

  it.each(['', '0', '-1s', '10 minutes', '1d'])('refuses %j naming the flag', (raw) => {
    expect(() => durationFlag({ timeout: raw }, 'timeout', 1)).toThrow(/--timeout/);
  });

  it('falls back when the flag is absent', () => {
    expect(durationFlag({}, 'timeout', 10_000)).toBe(10_000);
  });
});
