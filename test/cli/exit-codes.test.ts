import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { randomBlock } from '../simulator/helpers.js';

// Exit codes: 0 success, 1 failure, 2 bad usage or invalid input, and a message that names the flag, argument,
// file or field at fault. Every invocation here is refused before the command does anything.
const scratch = mkdtempSync(join(tmpdir(), 'cw-exit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stdout.resume();
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await main(argv, {
    stdout,
    stderr,
    env: { CAMWARDEN_DATA_DIR: join(scratch, 'data'), CAMWARDEN_LOG_LEVEL: 'silent', ...env },
    cwd: scratch,
  });
  return { code, err };
}

describe('bad usage exits 2 and names what is wrong', () => {
  it.each([
    [['demo', '--interval', '99'], '--interval'],
    [['demo', '--interval', 'soon'], '--interval'],
    [['demo', '--exit-after', '0'], '--exit-after'],
    [['scan', '--timeout', '0'], '--timeout'],
    [['scan', '--target', '10.0.0.300'], '--target'],
    [['scan', '--device', 'ftp://camera/'], '--device'],
    [['audit', 'verify', '--anchor', 'not-a-hash'], '--anchor'],
    [['audit', 'verify', '--file', '/nonexistent/audit.jsonl'], '--file'],
    [['plan', '--inventory', '/nonexistent/inventory.json'], '/nonexistent/inventory.json'],
    [['profiles', 'check', '/nonexistent/profiles'], '/nonexistent/profiles'],
    [['simulate', '--count', 'many'], '--count'],
    [['simulate', '--port', '80x'], '--port'],
    [['simulate', '--base', '1.2.3'], '--base'],
    [['simulate', '--hostile', 'gremlins'], '--hostile'],
    [['sweep'], 'CAMWARDEN_RECORDINGS_DIR'],
  ])('%j', async (argv, named) => {
    const r = await run(argv);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(named);
  });

  it('an unknown flag, for every command', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = await run([...name.split(' '), '--no-such-flag']);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toContain('--no-such-flag');
    }
  });

  it('a stray argument, for every command (it is refused, never ignored: `run extra` does not start a daemon)', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      // Fill what the synopsis takes (`DIR`, `[NAME]`, …), then one word more.
      const words = ((await entry.load()).positionals ?? '').split(/\s+/).filter(Boolean);
      const extra = [...words.map((_, i) => `word${i}`), 'stray-word'];
      const r = await run([...name.split(' '), ...extra]);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toContain('unexpected argument "stray-word"');
    }
  });

  it('a recordings root that is not a directory', async () => {
    const file = join(scratch, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await run(['sweep', '--dry-run'], { CAMWARDEN_RECORDINGS_DIR: file });
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('CAMWARDEN_RECORDINGS_DIR');
  });
});

describe('the simulator names the flag whose socket it cannot have', () => {
  const ip = randomBlock();
  let taken: Server | undefined;
  afterAll(() => taken?.close());

  it('a port already in use → --port', async () => {
    const server = createServer();
    taken = server;
    const port = await new Promise<number>((resolve) =>
      server.listen(0, ip(1), () => resolve((server.address() as { port: number }).port)),
    );
    const r = await run(['simulate', '--count', '1', '--base', ip(1), '--port', String(port)]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^--port: .*EADDRINUSE/);
  });

  it('an address this host does not have → --base', async () => {
    const r = await run(['simulate', '--count', '1', '--base', '192.0.2.77', '--port', '18081']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^--base: .*EADDRNOTAVAIL/);
  });
});

describe('a failure that is not bad usage exits 1', () => {
  it('an audit log whose chain is broken', async () => {
    const log = join(scratch, 'audit.jsonl');
    writeFileSync(log, '{"seq":1,"ts":"2026-01-01T00:00:00.000Z","kind":"x","data":{},"prev":"00","hash":"ff"}\n');
    const r = await run(['audit', 'verify', '--file', log]);
    expect(r.code).toBe(1);
  });
});
