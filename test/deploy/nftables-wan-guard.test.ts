import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsAvailable, nftAvailable, requireCapability } from '../helpers/capabilities.js';
import { waitFor } from '../helpers/wait-for.js';

const SNIPPET = join(import.meta.dirname, '..', '..', 'deploy', 'nftables', 'camwarden-wan-3702.nft');
const enabled = requireCapability('netns', netnsAvailable() && nftAvailable());

// Three namespaces: "wan" (the Internet side), "gw" (the gateway, WAN interface named eth0 as in the shipped
// snippet) and "cam" (the camera LAN). Addresses are documentation ranges, inside our namespaces only.
const NS = { wan: `cw-dep-${process.pid}-wan`, gw: `cw-dep-${process.pid}-gw`, cam: `cw-dep-${process.pid}-cam` };
const GW_WAN = '198.51.100.1';
const WAN_HOST = '198.51.100.2';
const CAM = '192.0.2.10';

function inNs(ns: string, cmd: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: 10_000 });
}

const LISTENER = `
const dgram = require('node:dgram');
let ready = 0;
for (const port of [3702, 3703]) {
  const s = dgram.createSocket('udp4');
  s.on('message', (m) => process.stdout.write('got ' + port + ' ' + m + '\\n'));
  s.bind(port, '0.0.0.0', () => { if (++ready === 2) process.stdout.write('ready\\n'); });
}`;

const SENDER = `
const dgram = require('node:dgram');
const [host, tag] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
let left = 6;
for (let i = 0; i < 3; i++) for (const port of [3702, 3703]) {
  s.send(tag + '-' + port, port, host, () => { if (--left === 0) s.close(); });
}`;

/**
 * Starts a UDP listener on 3702 and 3703 in `ns`, sends from "wan" to `host`, returns the ports that got data:
 * once each port in `expected` has (however long a loaded machine takes), and a moment more for any other.
 */
async function deliveredPorts(ns: string, host: string, tag: string, expected: number[]): Promise<Set<number>> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', LISTENER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const ports = () => {
    const got = new Set<number>();
    for (const m of out.matchAll(new RegExp(`got (\\d+) ${tag}-`, 'g'))) got.add(Number(m[1]));
    return got;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('listener did not start')), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`listener exited: ${out}`)));
    });
    inNs(NS.wan, process.execPath, ['-e', SENDER, host, tag]);
    await waitFor('the datagrams that must arrive', () => (expected.every((p) => ports().has(p)) ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    child.kill('SIGTERM');
  }
  return ports();
}

describe.runIf(enabled)('deploy/nftables/camwarden-wan-3702.nft', () => {
  beforeAll(() => {
    for (const ns of Object.values(NS)) execFileSync('ip', ['netns', 'add', ns]);
    // veth pairs are created inside the namespaces: nothing appears on the host's interfaces.
    inNs(NS.gw, 'ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'wan0', 'netns', NS.wan]);
    inNs(NS.gw, 'ip', ['link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.cam]);
    const setup: [string, string[]][] = [
      [NS.gw, ['addr', 'add', `${GW_WAN}/24`, 'dev', 'eth0']],
      [NS.gw, ['addr', 'add', '192.0.2.1/24', 'dev', 'lan0']],
      [NS.gw, ['link', 'set', 'eth0', 'up']],
      [NS.gw, ['link', 'set', 'lan0', 'up']],
      [NS.gw, ['link', 'set', 'lo', 'up']],
      [NS.wan, ['addr', 'add', `${WAN_HOST}/24`, 'dev', 'wan0']],
      [NS.wan, ['link', 'set', 'wan0', 'up']],
      [NS.wan, ['route', 'add', '192.0.2.0/24', 'via', GW_WAN]],
      [NS.cam, ['addr', 'add', `${CAM}/24`, 'dev', 'eth0']],
      [NS.cam, ['link', 'set', 'eth0', 'up']],
      [NS.cam, ['route', 'add', 'default', 'via', '192.0.2.1']],
    ];
    for (const [ns, args] of setup) inNs(ns, 'ip', args);
    inNs(NS.gw, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  });

  afterAll(() => {
    for (const ns of Object.values(NS)) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  });

  it('passes nft -c and loads idempotently into its own table', () => {
    expect(readFileSync(SNIPPET, 'utf8')).toMatch(/^define WAN_IF = "eth0"$/m);
    inNs(NS.gw, 'nft', ['-c', '-f', SNIPPET]);
    // camwarden's runtime table exists alongside and must survive the snippet's (re)loads untouched.
    inNs(NS.gw, 'nft', ['add', 'table', 'inet', 'camwarden']);
    inNs(NS.gw, 'nft', ['-f', SNIPPET]);
    inNs(NS.gw, 'nft', ['-f', SNIPPET]);
    const tables = inNs(NS.gw, 'nft', ['list', 'tables']);
    expect(tables).toContain('table inet camwarden_wan_guard');
    expect(tables).toContain('table inet camwarden\n');
    const rules = inNs(NS.gw, 'nft', ['list', 'chain', 'inet', 'camwarden_wan_guard', 'input']);
    expect(rules.match(/udp dport 3702/g)).toHaveLength(1);
    inNs(NS.gw, 'nft', ['delete', 'table', 'inet', 'camwarden_wan_guard']);
  });

  it('drops 3702/udp from the WAN to the gateway and to cameras, and lets another port through', async () => {
    // Control: without the snippet both ports arrive, so a silent listener cannot pass the test.
    expect(await deliveredPorts(NS.gw, GW_WAN, 'before', [3702, 3703])).toEqual(new Set([3702, 3703]));
    expect(await deliveredPorts(NS.cam, CAM, 'before', [3702, 3703])).toEqual(new Set([3702, 3703]));

    inNs(NS.gw, 'nft', ['-f', SNIPPET]);
    expect(await deliveredPorts(NS.gw, GW_WAN, 'after', [3703])).toEqual(new Set([3703]));
    expect(await deliveredPorts(NS.cam, CAM, 'after', [3703])).toEqual(new Set([3703]));

    const ruleset = inNs(NS.gw, 'nft', ['list', 'table', 'inet', 'camwarden_wan_guard']);
    const counters = [...ruleset.matchAll(/udp dport 3702 counter packets (\d+)/g)].map((m) => Number(m[1]));
    expect(counters).toEqual([3, 3]); // input, forward: every copy of the probe was counted and dropped
  });
});
