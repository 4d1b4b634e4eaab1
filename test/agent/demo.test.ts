import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

describe('camwarden demo', () => {
  beforeAll(() => ensureDist());

  it('shows the decisions table within 30 s, with enforcement and a sweep, then stops cleanly', async () => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, 'demo', '--exit-after', '12'], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let tableAt: number | undefined;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (tableAt === undefined && out.includes('== decisions at')) tableAt = Date.now() - started;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(tableAt).toBeDefined();
    expect(tableAt ?? Number.POSITIVE_INFINITY).toBeLessThan(30_000);
    const table = out.slice(out.indexOf('== decisions at'));
    expect(table).toMatch(/toilet\s+block\s+prohibi/);
    expect(table).toMatch(/military-re…\s+flag\s+consent/);
    expect(table).toMatch(/unknown\s+flag\s+unclass/);
    expect(table).toMatch(/allow/);
    expect(out).toMatch(/enforcement\.applied .*action=quarantine/);
    // Loopback cameras are never firewalled; the console says so instead of a bare failure code.
    expect(out).toMatch(/enforcement\.failed .*action=isolate .*error=address \S+ is loopback/);
    expect(out).toMatch(/retention\.swept deleted=[1-9]/);
    expect(out).toContain('state=stopped');
    expect(out).toContain('stopped cleanly');
  }, 60_000);
});
