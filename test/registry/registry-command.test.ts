import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/brokers.js';
import { ensureDist } from '../helpers/dist.js';

/** `camwarden registry` as an operator runs it: the built CLI in a child process. */
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

describe('camwarden registry (command)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cw-reg-cli-'));
  let broker: TestBroker;

  beforeAll(async () => {
    ensureDist();
    broker = await startBroker('embedded');
  });

  afterAll(async () => {
    await broker?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [cli, 'registry'], {
      env: { PATH: process.env.PATH ?? '', CAMWARDEN_DATA_DIR: work, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('refuses to start without a broker or with a bad setting, naming it (exit 2)', () => {
    const noBroker = run({});
    expect(noBroker.status).toBe(2);
    expect(noBroker.stderr).toContain('CAMWARDEN_MQTT_URL');
    const badShare = run({ CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_REGISTRY_SHARE: 'yes' });
    expect(badShare.status).toBe(2);
    expect(badShare.stderr).toContain('CAMWARDEN_REGISTRY_SHARE');
    const badListen = run({ CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_REGISTRY_LISTEN: 'anywhere' });
    expect(badListen.status).toBe(2);
    expect(badListen.stderr).toContain('CAMWARDEN_REGISTRY_LISTEN: expected host:port');
    const badUrl = run({ CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_REGISTRY_DATABASE_URL: 'mysql://x' });
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('CAMWARDEN_REGISTRY_DATABASE_URL: must start with postgres://');
    // the network, not loopback: refused without a token, before anything is opened
    const open = run({ CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_REGISTRY_LISTEN: '0.0.0.0:0' });
    expect(open.status).toBe(2);
    expect(open.stderr).toContain('0.0.0.0:0 is reachable from the network: set CAMWARDEN_REGISTRY_TOKEN');
    const shortToken = run({ CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_REGISTRY_TOKEN: 'short' });
    expect(shortToken.status).toBe(2);
    expect(shortToken.stderr).toContain('CAMWARDEN_REGISTRY_TOKEN: at least 16 characters');
    expect(shortToken.stderr).not.toContain('short');
    const badAllow = run({ CAMWARDEN_MQTT_URL: broker.url, CAMWARDEN_REGISTRY_ALLOW_UNAUTHENTICATED: 'yes' });
    expect(badAllow.status).toBe(2);
    expect(badAllow.stderr).toContain('CAMWARDEN_REGISTRY_ALLOW_UNAUTHENTICATED: must be 0 or 1');
  });

  it('prints its fleet page URL, serves it, and stops cleanly on SIGTERM (exit 0)', async () => {
    const child = spawn(process.execPath, [cli, 'registry', '--listen', '127.0.0.1:0'], {
      env: { PATH: process.env.PATH ?? '', CAMWARDEN_DATA_DIR: work, CAMWARDEN_MQTT_URL: broker.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started = Date.now();
    let url: string | undefined;
    while (!url && Date.now() - started < 60_000 && child.exitCode === null) {
      url = /fleet page (http:\/\/\S+)/.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url ?? '');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('camwarden fleet');
    expect((await fetch(new URL('/api/sites', url))).status).toBe(200);
    expect((await fetch(new URL('/api/sites/nowhere/report', url))).status).toBe(404);
    expect((await fetch(new URL('/api/sites', url), { method: 'POST' })).status).toBe(405);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
