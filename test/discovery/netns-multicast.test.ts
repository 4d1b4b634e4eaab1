import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model/camera-records.js';
import { netnsAvailable, nftAvailable, requireCapability } from '../helpers/capabilities.js';
import { ensureDist } from '../helpers/dist.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = requireCapability('netns', netnsAvailable() && nftAvailable()); // nft counts the probes' TTL
const tag = `${process.pid % 100000}`;
const NS_GW = `cw-disc-${tag}-gw`;
const NS_CAM = `cw-disc-${tag}-cam`;
const octet = 10 + (process.pid % 200);
const GW = `10.231.${octet}.1`;
const CAM = `10.231.${octet}.2`;
let responder: ChildProcess | undefined;

const sh = (...args: string[]) => execFileSync(args[0] ?? 'true', args.slice(1), { stdio: 'pipe' }).toString();
const inNs = (ns: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);

describe.runIf(run)('multicast discovery across a veth pair (network namespaces)', () => {
  beforeAll(async () => {
    ensureDist();
    sh('ip', 'netns', 'add', NS_GW);
    sh('ip', 'netns', 'add', NS_CAM);
    sh(
      'ip',
      'link',
      'add',
      `cwd${tag}g`,
      'netns',
      NS_GW,
      'type',
      'veth',
      'peer',
      'name',
      `cwd${tag}c`,
      'netns',
      NS_CAM,
    );
    inNs(NS_GW, 'ip', 'addr', 'add', `${GW}/24`, 'dev', `cwd${tag}g`);
    inNs(NS_CAM, 'ip', 'addr', 'add', `${CAM}/24`, 'dev', `cwd${tag}c`);
    for (const [ns, dev] of [
      [NS_GW, `cwd${tag}g`],
      [NS_CAM, `cwd${tag}c`],
    ] as const) {
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
      inNs(ns, 'ip', 'link', 'set', dev, 'up');
    }
    // Count probes arriving at the camera side by TTL: they must all carry TTL 1.
    inNs(
      NS_CAM,
      'nft',
      `add table ip cwdisc; add chain ip cwdisc in { type filter hook input priority 0; }; ` +
        'add rule ip cwdisc in udp dport 3702 ip ttl 1 counter; add rule ip cwdisc in udp dport 3702 ip ttl != 1 counter',
    );
    responder = spawn('ip', [
      'netns',
      'exec',
      NS_CAM,
      process.execPath,
      join(import.meta.dirname, 'netns-responder.mjs'),
      CAM,
      'urn:uuid:netns-cam-1',
    ]);
    await new Promise<void>((resolve, reject) => {
      responder?.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      responder?.on('exit', (code) => reject(new Error(`responder exited ${code}`)));
    });
  }, 60_000);

  afterAll(() => {
    responder?.kill();
    for (const ns of [NS_GW, NS_CAM]) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  });

  it('finds the camera by multicast only, and every probe left at TTL 1', () => {
    const out = inNs(
      NS_GW,
      'env',
      'CAMWARDEN_LOG_LEVEL=warn',
      process.execPath,
      join(ROOT, 'dist', 'cli', 'main.js'),
      'scan',
      '--timeout',
      '4000',
      '--json',
    );
    const result = JSON.parse(out) as ScanResult;
    const cam = result.cameras.find((c) => c.endpoint === 'urn:uuid:netns-cam-1');
    expect(cam?.address).toBe(CAM);
    // it never answers over HTTP: its ProbeMatch scopes (unauthenticated) are not used for the decision
    expect(cam?.location.tags).toEqual([]);
    expect(cam?.decision.action).toBe('flag');
    const rules = inNs(NS_CAM, 'nft', 'list', 'chain', 'ip', 'cwdisc', 'in');
    const counts = [...rules.matchAll(/ip ttl (!= )?1 counter packets (\d+)/g)].map((m) => [
      m[1] ? 'other' : 'ttl1',
      Number(m[2]),
    ]);
    const byKind = Object.fromEntries(counts);
    expect(byKind.ttl1).toBeGreaterThanOrEqual(2); // two probe types, repeated
    expect(byKind.other).toBe(0);
  }, 30_000);
});
