#!/usr/bin/env node
// Bench: what hostile devices cost the agent's event loop (docs/discovery.md). Devices run in their own process
// (`camwarden simulate`); this process interrogates them, reads a lever's answer, scans and decides, and listens to
// a Hello flood, measuring the longest event-loop stall (perf_hooks) of each. For contrast, the onvif package's own
// xmlns pre-processing regex on a 256 KiB bomb. Prints one JSON line. Run after the build: node bench/untrusted.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const { interrogateDevice } = await import('../dist/onvif/interrogate.js');
const { createOpenSession } = await import('../dist/onvif/open-session.js');
const { rtspOffLever } = await import('../dist/enforce/levers/rtsp-off.js');
const { loadConfig } = await import('../dist/config/load-config.js');
const { runScan } = await import('../dist/inventory/scan.js');
const { decisionsFor } = await import('../dist/policy/index.js');
const { loadActiveProfileSet } = await import('../dist/agent/active-profile-set.js');
const { HelloListener } = await import('../dist/discovery/hello-listener.js');

const ROUNDS = 3;
const CAP = 2 * 1024 * 1024;
const PREFIX = `127.78.${Math.floor(Math.random() * 200) + 1}`;
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-untrusted-'));
const bomb = (n, bytes, variant, operations) => ({
  name: `d${n}`,
  vendor: 'axis',
  address: `${PREFIX}.${n}`,
  faults: [{ kind: 'regex-bomb', bytes, variant, ...(operations ? { operations } : {}) }],
});
const site = {
  devices: [
    bomb(1, 1.9 * 1024 * 1024, 'text'),
    bomb(2, 1.9 * 1024 * 1024, 'elements'),
    bomb(3, 1.9 * 1024 * 1024, 'text', ['GetNetworkProtocols']),
    {
      name: 'd4',
      vendor: 'axis',
      address: `${PREFIX}.4`,
      scopes: ['onvif://www.onvif.org/location/zone/toilet'],
      faults: [{ kind: 'scope-flood', count: 40_000 }],
    },
  ],
};
writeFileSync(join(dir, 'site.json'), JSON.stringify(site));

const simulator = spawn(
  process.execPath,
  [new URL('../dist/cli/main.js', import.meta.url).pathname, 'simulate', '--site', join(dir, 'site.json'), '--json'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const listed = await new Promise((resolve, reject) => {
  let out = '';
  simulator.stdout.on('data', (c) => {
    out += String(c);
    if (out.includes('\n')) resolve(JSON.parse(out).devices);
  });
  simulator.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
});
const device = (name) => {
  const d = listed.find((x) => x.name === name);
  return { endpoint: '', address: new URL(d.xaddr).hostname, xaddrs: [d.xaddr], scopes: [], types: [], via: 'manual' };
};

/** Longest stall and wall time of each of ROUNDS runs of `work`. */
async function measure(work) {
  const stalls = [];
  const walls = [];
  for (let i = 0; i < ROUNDS; i++) {
    globalThis.gc?.();
    const h = monitorEventLoopDelay({ resolution: 1 });
    const t0 = performance.now();
    h.enable();
    await work();
    h.disable();
    walls.push(Math.round(performance.now() - t0));
    stalls.push(Math.round((h.max / 1e6) * 10) / 10);
  }
  return { maxStallMs: Math.max(...stalls), stallsMs: stalls, wallMs: walls };
}

const interrogate = (name) =>
  interrogateDevice(device(name), {
    credentials: undefined,
    callTimeoutMs: 30_000,
    deviceTimeoutMs: 120_000,
    maxResponseBytes: CAP,
    maxClockSkewS: 300,
  });

try {
  // The noise floor: the same measurement around doing nothing for as long as an interrogation takes. On a shared,
  // busy machine the scheduler alone delays timers; a device's cost is what stands above this.
  const idle = await measure(() => new Promise((resolve) => setTimeout(resolve, 400)));
  const regexBomb = await measure(() => interrogate('d1'));
  const denseBomb = await measure(() => interrogate('d2'));
  const open = createOpenSession({ callTimeoutMs: 30_000, maxResponseBytes: CAP });
  const lever = await measure(async () => {
    const session = await open(device('d3').xaddrs[0], undefined);
    try {
      await rtspOffLever
        .apply(
          session,
          { key: 'k', kind: 'rtsp-off', cameras: ['x'] },
          { pendingPrior: undefined, savePrior: async () => {} },
        )
        .catch(() => undefined);
    } finally {
      session.close();
    }
  });

  const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dir, CAMWARDEN_MULTICAST: '0' }, dir);
  const { decide } = decisionsFor(await loadActiveProfileSet(config));
  // The policy compiles its matchers on first use (~70 ms, whatever the devices): not what is measured here.
  decide([
    {
      id: 'warm-up',
      kind: 'camera',
      endpoint: '',
      address: '192.0.2.1',
      xaddr: '',
      scopes: [],
      location: { zone: 'unknown', source: 'none', tags: ['location/zone/toilet'] },
      decision: { action: 'flag', reasons: [] },
      errors: [],
    },
  ]);
  const scopeScan = async (onvif) => {
    let scopes = 0;
    const r = await measure(async () => {
      const result = await runScan({
        config: { ...config, onvif: { ...config.onvif, ...onvif } },
        targets: [`${PREFIX}.4`],
        multicast: false,
        timeoutMs: 60_000,
        decide,
      });
      scopes = result.cameras[0]?.scopes.length ?? -1;
    });
    return { ...r, scopesKept: scopes };
  };
  // 40,000 scopes is ~3.9 MB of GetScopes: past the default byte cap. With the byte cap raised, the element cap
  // refuses it; with both raised, it is read whole and the scopes are cut to maxScopesPerDevice.
  const scopesElementCap = await scopeScan({ maxResponseBytes: 8 * 1024 * 1024 });
  const scopesReadWhole = await scopeScan({ maxResponseBytes: 8 * 1024 * 1024, maxResponseElements: 200_000 });

  // Hello flood: 64 senders × 200 Hellos at the listener, defaults (20/s, 4/s per sender). The flooder is another
  // process, as an attacker is another host: only the listener's cost is measured here.
  const port = 20000 + (process.pid % 20000);
  const listener = new HelloListener({ port, interfaces: ['cw-none'] });
  await listener.start();
  let flood;
  const flooder = new URL('../dist/simulator/index.js', import.meta.url).href;
  const helloFlood = await measure(async () => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { floodHellos } = await import(${JSON.stringify(flooder)});
         const senders = Array.from({ length: 64 }, (_, i) => '127.79.250.' + (i + 1));
         process.stdout.write(JSON.stringify(await floodHellos({ target: '127.0.0.1', port: ${port}, senders, perSender: 200 })));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c) => {
      out += String(c);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    flood = JSON.parse(out || '{}');
  });
  listener.stop();

  // The onvif package's pre-processing, as it runs on every answer it reads: 256 KiB of `xmlns` tokens.
  const body = `<s:Envelope><s:Body><x>${'xmlns '.repeat((256 * 1024) / 6)}</x></s:Body></s:Envelope>`;
  const t0 = performance.now();
  body.replace(/xmlns([^=]*?)=(".*?")/g, '');
  const packageRegex256KiBMs = Math.round(performance.now() - t0);

  process.stdout.write(
    `${JSON.stringify({
      bench: 'untrusted',
      loadavg1: Math.round(loadavg()[0] * 100) / 100,
      limitMs: 100,
      idleControl: idle,
      interrogateRegexBomb1_9MiB: regexBomb,
      interrogateDense1_9MiB: denseBomb,
      leverRegexBomb1_9MiB: lever,
      scan40kScopesElementCap: scopesElementCap,
      scan40kScopesReadWhole: scopesReadWhole,
      helloFlood: { ...helloFlood, sent: flood?.sent, listener: listener.health() },
      packageRegex256KiBMs,
    })}\n`,
  );
} finally {
  simulator.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
