import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * `count` processes that take the lock at the same moment (each waits for a shared start time): each prints `held`
 * or its error code, holders keep the lock until every process has answered, then release it.
 */
async function racers(dir: string, count: number): Promise<string[]> {
  const lockModule = join(ROOT, 'dist', 'agent', 'data-dir-lock.js');
  const at = Date.now() + 400;
  const script = `
    const { DataDirLock } = await import(${JSON.stringify(lockModule)});
    while (Date.now() < ${at});
    try {
      const lock = await DataDirLock.acquire(${JSON.stringify(dir)}, 'racer');
      process.stdout.write('held\\n');
      process.stdin.once('end', () => lock.release().then(() => process.exit(0)));
      process.stdin.resume();
    } catch (err) {
      process.stdout.write((err.code ?? String(err)) + '\\n');
      process.exit(0);
    }`;
  const procs = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    return child;
  });
  const outcomes = await Promise.all(
    procs.map(
      (child) =>
        new Promise<string>((resolve) => {
          let out = '';
          child.stdout?.on('data', (c: Buffer) => {
            out += c.toString();
            if (out.includes('\n')) resolve(out.trim());
          });
          child.once('exit', () => resolve(out.trim() || 'exited'));
        }),
    ),
  );
  await Promise.all(
    procs.map((child) => {
      const exited = child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined;
      child.stdin?.end();
      return exited;
    }),
  );
  return outcomes;
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

  it('of processes starting at once, on a fresh data dir or over a stale lock, exactly one holds it', async () => {
    const dir = dataDir('race');
    await DataDirLock.acquire(dir, 'x').then((l) => l.release()); // creates the dir
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    const stale = { pid: gone.pid, start: '1', boot: 'x', host: hostname(), what: 'agent', since: '2026-01-01' };
    for (const start of ['fresh', 'stale', 'fresh', 'stale', 'damaged']) {
      if (start === 'stale') writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
      if (start === 'damaged') writeFileSync(join(dir, LOCK_FILE), '');
      const outcomes = await racers(dir, 6);
      expect(
        outcomes.filter((o) => o === 'held'),
        `${start}: ${outcomes.join(' ')}`,
      ).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'held' && o !== ErrorCode.DataDirLocked)).toEqual([]);
      // Nothing of the takeovers is left beside the lock, and the holder released it.
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);

  it('a takeover under way is not raced; the guard of a taker that crashed is cleared', async () => {
    const dir = dataDir('guard');
    await DataDirLock.acquire(dir, 'x').then((l) => l.release());
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    const stale = { pid: gone.pid, start: '1', boot: 'x', host: hostname(), what: 'agent', since: '2026-01-01' };
    const guard = join(dir, `${LOCK_FILE}.takeover`);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
    writeFileSync(guard, JSON.stringify({ ...stale, host: 'another-gateway', what: 'sweep' }));
    await expect(DataDirLock.acquire(dir, 'agent')).rejects.toMatchObject({
      code: ErrorCode.DataDirLocked,
      message: expect.stringContaining('in use by camwarden sweep'),
    });
    writeFileSync(guard, JSON.stringify({ ...stale, what: 'sweep' }));
    const taken = await DataDirLock.acquire(dir, 'agent');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, what: 'agent' });
    await taken.release();
    expect(readdirSync(dir)).toEqual([]);
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
