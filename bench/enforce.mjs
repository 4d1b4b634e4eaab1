// Enforcement: planning cost and reconcile passes for a large site with an in-memory nft runner (no root).
// Run: node bench/enforce.mjs (after `npx tsc -p tsconfig.build.json`). Last stdout line is the JSON result.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeDesired } from '../dist/enforce/desired-state.js';
import { Enforcer } from '../dist/enforce/enforcer.js';
import { planEnforcement } from '../dist/enforce/plan.js';

const N = Number(process.env.ENFORCE_CAMERAS ?? 2000);
const cam = (i, action) => ({
  id: `cam-${i}`,
  kind: 'camera',
  endpoint: `urn:uuid:${i}`,
  address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255 || 1}`,
  xaddr: '',
  scopes: [],
  location: { zone: 'toilet', source: 'scope', tags: [] },
  decision: { action, reasons: [] },
  errors: [],
});
const records = Array.from({ length: N }, (_, i) => cam(i + 1, i % 2 === 0 ? 'block' : 'allow'));
const profiles = { site: { recorderHooks: {}, levers: {} }, vendors: [] };
const opts = {
  levers: { rtspOff: false, privacyMask: false, recordingJobIdle: false },
  nftables: true,
  quarantine: true,
};

let t = performance.now();
const rounds = 20;
for (let r = 0; r < rounds; r++) planEnforcement(computeDesired(records, profiles, opts), new Map());
const planMs = (performance.now() - t) / rounds;

const elements = new Set();
let calls = 0;
const nft = async (args, stdin) => {
  calls++;
  if (args[0] === '-j') {
    return {
      stdout: JSON.stringify({
        nftables: [
          { set: { name: 'blocked_v4', type: 'ipv4_addr', elem: [...elements] } },
          { chain: { name: 'forward', type: 'filter', hook: 'forward', policy: 'accept' } },
          { chain: { name: 'input', type: 'filter', hook: 'input', policy: 'accept' } },
          { rule: { chain: 'forward', expr: [{ drop: null }] } },
          { rule: { chain: 'forward', expr: [{ drop: null }] } },
          { rule: { chain: 'input', expr: [{ accept: null }] } },
          { rule: { chain: 'input', expr: [{ drop: null }] } },
        ],
      }),
      stderr: '',
    };
  }
  for (const line of stdin.split('\n')) {
    const op = line.startsWith('add element') ? 'add' : line.startsWith('delete element') ? 'delete' : '';
    for (const [a] of op ? line.matchAll(/\d+\.\d+\.\d+\.\d+/g) : [])
      op === 'add' ? elements.add(a) : elements.delete(a);
  }
  return { stdout: '', stderr: '' };
};
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-enf-'));
try {
  const sink = { emit: async () => {} };
  const audit = { append: async () => {} };
  const quarantine = { quarantine: async () => {}, release: async () => {} };
  const config = {
    mode: 'on',
    nftables: { enabled: true, nftPath: 'nft', table: 'camwarden' },
    levers: opts.levers,
    quarantineFootage: true,
    retryBaseMs: 1000,
    retryMaxMs: 60000,
  };
  const enforcer = new Enforcer({ config, stateFile: join(dir, 'state.json'), nft, quarantine, events: sink, audit });
  t = performance.now();
  const first = await enforcer.reconcile(records, profiles);
  const firstMs = performance.now() - t;
  calls = 0;
  t = performance.now();
  const steady = await enforcer.reconcile(records, profiles);
  const steadyMs = performance.now() - t;
  const out = {
    cameras: N,
    blocked: N / 2,
    planMs: +planMs.toFixed(2),
    firstPassActions: first.applied.length,
    firstPassMs: Math.round(firstMs),
    firstPassMsPerAction: +(firstMs / first.applied.length).toFixed(2),
    steadyPassMs: +steadyMs.toFixed(1),
    steadyPassNftCalls: calls,
    steadyPassChanges: steady.applied.length + steady.reverted.length,
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  };
  console.log(JSON.stringify(out));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
