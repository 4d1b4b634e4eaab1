import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsAvailable, requireCapability } from '../helpers/capabilities.js';
import { ensureDist } from '../helpers/dist.js';

// Two namespaces joined by a veth pair: the simulator (camwarden simulate) in one, a WS-Discovery client in the other.
const run = requireCapability('netns', netnsAvailable());
const tag = `${process.pid % 100000}`;
const nsDev = `cw-sim-${tag}-d`;
const nsCli = `cw-sim-${tag}-c`;
const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const devAddr = `${subnet}.2`;
const cliAddr = `${subnet}.1`;

const sh = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'ignore' });
};

interface Line {
  ready?: boolean;
  via?: string;
  kind?: string;
  from?: string;
  relatesTo?: string | null;
  xml?: string;
}

function lines(child: ChildProcessWithoutNullStreams): {
  all: Line[];
  wait(pred: (l: Line) => boolean, ms?: number): Promise<Line>;
} {
  const all: Line[] = [];
  const waiters: Array<{ pred: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  let buf = '';
  child.stdout.on('data', (c) => {
    buf += String(c);
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const l = JSON.parse(text) as Line;
        all.push(l);
        for (const w of [...waiters]) if (w.pred(l)) w.resolve(l);
      } catch {
        // not ours
      }
    }
  });
  return {
    all,
    wait(pred, ms = 8000) {
      const found = all.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`timed out; saw ${JSON.stringify(all.map((l) => l.kind ?? l))}`)),
          ms,
        );
        waiters.push({
          pred,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      });
    },
  };
}

let dir = '';
const children: ChildProcessWithoutNullStreams[] = [];

describe.runIf(run)('simulator in a network namespace: multicast WS-Discovery across a veth pair', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-sim-ns-'));
    ensureDist();
    sh('netns', 'add', nsDev);
    sh('netns', 'add', nsCli);
    sh('link', 'add', `cwsd${tag}`, 'type', 'veth', 'peer', 'name', `cwsc${tag}`);
    sh('link', 'set', `cwsd${tag}`, 'netns', nsDev);
    sh('link', 'set', `cwsc${tag}`, 'netns', nsCli);
    sh('-n', nsDev, 'addr', 'add', `${devAddr}/24`, 'dev', `cwsd${tag}`);
    sh('-n', nsCli, 'addr', 'add', `${cliAddr}/24`, 'dev', `cwsc${tag}`);
    for (const [ns, dev] of [
      [nsDev, `cwsd${tag}`],
      [nsCli, `cwsc${tag}`],
    ] as const) {
      sh('-n', ns, 'link', 'set', 'lo', 'up');
      sh('-n', ns, 'link', 'set', dev, 'up');
    }
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const ns of [nsDev, nsCli]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Hello on start, ProbeMatch to a multicast Probe (RelatesTo matches), Bye on SIGTERM', async () => {
    const client = spawn('ip', [
      'netns',
      'exec',
      nsCli,
      process.execPath,
      'test/fixtures/sim/mcast-client.mjs',
      cliAddr,
    ]);
    children.push(client);
    const cli = lines(client);
    await cli.wait((l) => l.ready === true);

    const site = join(dir, 'site.json');
    await writeFile(site, JSON.stringify({ devices: [{ name: 'ns-cam', vendor: 'axis', address: devAddr }] }));
    const sim = spawn('ip', [
      'netns',
      'exec',
      nsDev,
      process.execPath,
      'dist/cli/main.js',
      'simulate',
      '--site',
      site,
      '--json',
      '--multicast-interface',
      devAddr,
    ]);
    children.push(sim);
    const simOut = lines(sim);
    await simOut.wait(() => true);

    const helloMsg = await cli.wait((l) => l.kind === 'Hello');
    expect(helloMsg.from).toBe(devAddr);
    expect(helloMsg.xml).toContain(`http://${devAddr}/onvif/device_service`);

    const id = 'urn:uuid:5f1e8a7c-0000-4000-8000-000000000001';
    client.stdin.write(`probe ${id}\n`);
    const match = await cli.wait((l) => l.kind === 'ProbeMatches');
    expect(match.via).toBe('unicast');
    expect(match.relatesTo).toBe(id);
    expect(match.from).toBe(devAddr);

    const exited = new Promise<number | null>((resolve) => sim.on('exit', (code) => resolve(code)));
    sim.kill('SIGTERM');
    const byeMsg = await cli.wait((l) => l.kind === 'Bye');
    expect(byeMsg.from).toBe(devAddr);
    expect(await exited).toBe(0);
  }, 30_000);
});
