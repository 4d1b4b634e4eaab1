import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActiveProfileSet } from '../../src/agent/active-profile-set.js';
import { loadConfig } from '../../src/config/load-config.js';
import { rtspOffLever } from '../../src/enforce/levers/rtsp-off.js';
import { runScan } from '../../src/inventory/scan.js';
import { interrogateDevice } from '../../src/onvif/interrogate.js';
import { createOpenSession } from '../../src/onvif/open-session.js';
import { decisionsFor } from '../../src/policy/index.js';
import type { SimDeviceSpec } from '../../src/simulator/index.js';
import { ensureDist } from '../helpers/dist.js';
import { longestStallMs } from '../helpers/event-loop-stall.js';
import { onTestPort } from '../simulator/helpers.js';

const DIST_CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/**
 * One hostile device must never hold the agent's event loop for more than 100 ms: not with answers that make the
 * onvif package's xmlns regex quadratic, not with 2 MiB of dense XML, not with 40,000 scopes to decide on.
 * Measured as how late a 5 ms timer comes during the work, less the time the process waited for a CPU meanwhile
 * (test/helpers/event-loop-stall.ts): on a shared, loaded machine the scheduler alone makes timers late by
 * hundreds of milliseconds, which is not our code holding the loop. Best of three attempts; code that blocks
 * fails all three.
 */
const LIMIT_MS = 100;
const CAP = 2 * 1024 * 1024;
const prefix = `127.${60 + (process.pid % 40)}.${1 + Math.floor(Math.random() * 250)}`;
const toilet = 'onvif://www.onvif.org/location/zone/toilet';

const bomb = (n: number, bytes: number, variant: string, operations?: string[]): SimDeviceSpec => ({
  name: `bomb-${n}`,
  vendor: 'axis',
  address: `${prefix}.${n}`,
  faults: [{ kind: 'regex-bomb', bytes, variant, ...(operations ? { operations } : {}) }],
});

/** The hostile devices run in a process of their own (`camwarden simulate`): only our side is measured. */
let simulator: ChildProcess | undefined;
let listed: Array<{ name: string; xaddr: string }> = [];
let dir = '';
beforeAll(async () => {
  ensureDist();
  dir = await mkdtemp(join(tmpdir(), 'cw-eventloop-'));
  const site = join(dir, 'site.json');
  await writeFile(
    site,
    JSON.stringify(
      onTestPort({
        devices: [
          bomb(1, 200 * 1024, 'text'), // 1-2 s of blocking for the package's regex
          bomb(2, 1.9 * 1024 * 1024, 'text'), // minutes for it, at the response cap
          bomb(3, 1.9 * 1024 * 1024, 'attribute'),
          bomb(4, 1.9 * 1024 * 1024, 'elements'), // dense for every parser: 160,000 elements
          bomb(5, 1.9 * 1024 * 1024, 'text', ['GetNetworkProtocols']), // a lever's read in the agent process
          {
            name: 'scopes',
            vendor: 'axis',
            address: `${prefix}.6`,
            scopes: [toilet],
            faults: [{ kind: 'scope-flood', count: 40_000 }],
          },
        ],
      }),
    ),
  );
  const child = spawn(process.execPath, [DIST_CLI, 'simulate', '--site', site, '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  simulator = child;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`simulator not ready: ${out}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += String(c);
      if (out.includes('\n')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  listed = (JSON.parse(out) as { devices: Array<{ name: string; xaddr: string }> }).devices;
}, 60_000);
afterAll(async () => {
  simulator?.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Set once a small answer blocked for seconds: the cap-size ones would then block for minutes, not worth waiting. */
let blockedForSeconds = false;

/** The longest time `work` held the event loop; best of three. */
async function worstStallMs(work: () => Promise<unknown>, bomb = true): Promise<number> {
  if (bomb && blockedForSeconds) expect.fail('a 200 KiB answer already blocked the event loop for seconds');
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3 && best >= LIMIT_MS; attempt++) {
    const stall = await longestStallMs(work);
    best = Math.min(best, stall);
    if (stall > 1000) {
      blockedForSeconds ||= bomb; // a scheduler hiccup is never a second: this is our own blocking
      break;
    }
  }
  return best;
}

const device = (n: number) => {
  const d = listed.find((x) => x.name === `bomb-${n}`);
  if (!d) throw new Error(`no bomb-${n}`);
  return {
    endpoint: '',
    address: new URL(d.xaddr).hostname,
    xaddrs: [d.xaddr],
    scopes: [],
    types: [],
    via: 'manual' as const,
  };
};

const interrogate = (n: number) =>
  interrogateDevice(device(n), {
    credentials: undefined,
    callTimeoutMs: 20_000,
    deviceTimeoutMs: 60_000,
    maxResponseBytes: CAP,
    maxClockSkewS: 300,
  });

describe('event loop under hostile answers', () => {
  it.each([
    ['200 KiB of xmlns tokens', 1],
    ['1.9 MiB of xmlns tokens', 2],
    ['1.9 MiB of xmlns tokens in one attribute', 3],
    ['1.9 MiB of dense elements (refused past onvif.maxResponseElements)', 4],
  ])(
    'interrogating a device answering %s never blocks it for 100 ms',
    async (_what, n) => {
      let timedOut = true;
      const stall = await worstStallMs(async () => {
        const report = await interrogate(n);
        timedOut = report.errors.some((e) => e.code === 'timeout');
      });
      expect(stall).toBeLessThan(LIMIT_MS);
      expect(timedOut).toBe(false); // read (and found useless) or refused, in time: nothing hangs
    },
    120_000,
  );

  it('a lever reading a 1.9 MiB answer in the agent process never blocks it for 100 ms', async () => {
    const open = createOpenSession({ callTimeoutMs: 20_000, maxResponseBytes: CAP });
    const run = async () => {
      const session = await open(device(5).xaddrs[0] as string, undefined);
      try {
        await expect(
          rtspOffLever.apply(
            session,
            { key: 'rtsp-off:x', kind: 'rtsp-off', cameras: ['x'] },
            {
              pendingPrior: undefined,
              savePrior: async () => undefined,
            },
          ),
        ).rejects.toMatchObject({ code: 'not-supported' }); // read whole, and found to list no RTSP
      } finally {
        session.close();
      }
    };
    expect(await worstStallMs(run)).toBeLessThan(LIMIT_MS);
  }, 120_000);

  it('deciding on a device with 40,000 scopes never blocks it for 100 ms', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-eventloop-'));
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_MULTICAST: '0' }, dataDir);
    config.onvif = { ...config.onvif, maxResponseBytes: 8 * 1024 * 1024 };
    const { decide } = decisionsFor(await loadActiveProfileSet(config));
    let action: string | undefined;
    const stall = await worstStallMs(async () => {
      const r = await runScan({ config, targets: [`${prefix}.6`], multicast: false, timeoutMs: 30_000, decide });
      action = r.cameras[0]?.decision.action;
    }, false);
    expect(action === 'flag' || action === 'block').toBe(true); // its toilet tag is never read as allowed
    expect(stall).toBeLessThan(LIMIT_MS);
  }, 120_000);
});
