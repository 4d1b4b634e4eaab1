import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecorderHook } from '../../src/enforce/recorder-hook.js';

let dir: string;
let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-enf-hook-'));
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/slow')) return; // never answers
    res.statusCode = req.url?.startsWith('/fail') ? 500 : 204;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const vars = { camera: '3fa1:CH.1_a-b', address: '10.0.0.2', action: 'stop' };

describe('recorder hook', () => {
  it('runs an argv without a shell: substituted values stay single arguments', async () => {
    const out = join(dir, 'args.txt');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(1)))`;
    await runRecorderHook(
      { kind: 'command', command: [process.execPath, '-e', script, '{camera}', '{address}-{action}'], timeoutMs: 5000 },
      vars,
    );
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(['3fa1:CH.1_a-b', '10.0.0.2-stop']);
  });

  it('refuses a camera id or address that would be an option, a path step or shell text (nothing runs)', async () => {
    const out = join(dir, 'never.txt');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, 'ran')`;
    const command = [process.execPath, '-e', script, 'stop', '{camera}', '{address}'];
    for (const bad of [
      { camera: '--all', address: '10.0.0.2' },
      { camera: '-rf', address: '10.0.0.2' },
      { camera: '..', address: '10.0.0.2' },
      { camera: 'a/b', address: '10.0.0.2' },
      { camera: 'cam 1;$(rm -rf /)', address: '10.0.0.2' },
      { camera: 'ok', address: '-x' },
    ]) {
      await expect(
        runRecorderHook({ kind: 'command', command, timeoutMs: 5000 }, { ...bad, action: 'stop' }),
      ).rejects.toThrow(/refusing|option/);
      await expect(
        runRecorderHook(
          { kind: 'http', url: `${base}/rec/{camera}/{action}`, timeoutMs: 2000 },
          { ...bad, action: 'stop' },
        ),
      ).rejects.toThrow(/refusing/);
    }
    await expect(readFile(out, 'utf8')).rejects.toThrow();
    expect(seen.some((u) => u.includes('..') || u.includes('all'))).toBe(false);
  });

  it('reports a failing command and kills one that exceeds its timeout', async () => {
    await expect(
      runRecorderHook({ kind: 'command', command: [process.execPath, '-e', 'process.exit(3)'], timeoutMs: 5000 }, vars),
    ).rejects.toThrow(/exit 3/);
    const started = Date.now();
    await expect(
      runRecorderHook(
        { kind: 'command', command: [process.execPath, '-e', 'setTimeout(()=>{},60000)'], timeoutMs: 300 },
        vars,
      ),
    ).rejects.toThrow(/300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('calls an HTTP hook with percent-encoded values, and reports a non-2xx answer and a timeout', async () => {
    await runRecorderHook(
      { kind: 'http', url: `${base}/rec/{camera}/{action}`, method: 'POST', timeoutMs: 2000 },
      vars,
    );
    expect(seen.at(-1)).toBe(`POST /rec/${encodeURIComponent(vars.camera)}/stop`);
    await expect(runRecorderHook({ kind: 'http', url: `${base}/fail`, timeoutMs: 2000 }, vars)).rejects.toThrow(
      /HTTP 500/,
    );
    await expect(runRecorderHook({ kind: 'http', url: `${base}/slow`, timeoutMs: 200 }, vars)).rejects.toThrow();
  });
});
