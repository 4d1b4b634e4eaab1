import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_FILE } from '../../src/agent/data-dir-lock.js';
import { ErrorCode } from '../../src/util/errors.js';
import { ensureDist } from '../helpers/dist.js';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'cw-lock-'));
const children: ChildProcess[] = [];

beforeAll(() => ensureDist(), 180_000);
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function dataDir(name: string): string {
  return join(scratch, name);
}

describe('DataDirLock', () => {
  it('a second holder is refused with an error naming the first; release frees it', async () => {
    const dir = dataDir('a');
    const first = await DataDirLock.acquire(dir, 'agent');
    await expect(DataDirLock.acquire(dir, 'sweep')).rejects.toMatchObject({
      code: ErrorCode.DataDirLocked,
      message: expect.stringContaining(`in use by camwarden agent (pid ${process.pid}`),
    });
    await first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = await DataDirLock.acquire(dir, 'sweep');
    await again.release();
  });

  it('takes over a lock whose holder is gone (a crash), never one held on another host', async () => {
    const dir = dataDir('b');
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    const stale = { pid: gone.pid, start: '1', boot: 'x', host: hostname(), what: 'agent', since: '2026-01-01' };
    await DataDirLock.acquire(dir, 'x').then((l) => l.release()); // creates the dir
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
    const taken = await DataDirLock.acquire(dir, 'agent');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await taken.release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...stale, host: 'another-gateway' }));
    await expect(DataDirLock.acquire(dir, 'agent')).rejects.toMatchObject({ code: ErrorCode.DataDirLocked });
  });

  it('a second `camwarden run` on the same data dir refuses to start (exit 1); the first goes on', async () => {
    const env = {
      ...process.env,
      CAMWARDEN_DATA_DIR: dataDir('agent'),
      CAMWARDEN_MULTICAST: '0',
      CAMWARDEN_LOG_LEVEL: 'info',
      CAMWARDEN_ENFORCE: 'off',
    };
    const cli = join(ROOT, 'dist', 'cli', 'main.js');
    const first = spawn(process.execPath, [cli, 'run'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(first);
    let firstErr = '';
    await new Promise<void>((resolve, reject) => {
      first.stderr?.on('data', (c: Buffer) => {
        firstErr += c.toString();
        if (firstErr.includes('camwarden started')) resolve();
      });
      first.once('exit', (code) => reject(new Error(`first agent exited ${code}: ${firstErr}`)));
    });
    const second = spawn(process.execPath, [cli, 'run'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(second);
    let secondErr = '';
    second.stderr?.on('data', (c: Buffer) => {
      secondErr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(secondErr).toMatch(/data-dir-locked: .* is in use by camwarden agent \(pid \d+/);
    expect(first.exitCode).toBeNull();
    const exit = new Promise<number | null>((resolve) => first.once('exit', resolve));
    first.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(join(dataDir('agent'), LOCK_FILE))).toBe(false);
  }, 60_000);
});
