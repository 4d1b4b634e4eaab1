import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Enforcer } from '../../src/enforce/enforcer.js';
import { createLinkViewSource } from '../../src/enforce/link-view.js';
import { createNftRunner } from '../../src/enforce/nft-runner.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { netnsAvailable, nftAvailable, requireCapability } from '../helpers/capabilities.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { camera, enforceConfig, profileSet } from './fakes.js';
import { inNs, ip, probe, reach, SERVERS, startIn, tearDown } from './netns/harness.js';

afterEach(expectEventsMatchSchemas);

/**
 * Dual-stack site: cameras A and B (each its own namespace and MAC) on a bridge in the gateway namespace
 * (forwarding IPv4 and IPv6, camwarden's nftables), an upstream namespace behind it. A blocked camera's IPv6
 * addresses are learnt from the gateway's neighbour table and isolated like its IPv4 address.
 */
const canRun = requireCapability('netns', netnsAvailable() && nftAvailable());

const tag = `${process.pid % 100000}`;
const NS = { a: `cw-v6-${tag}-a`, b: `cw-v6-${tag}-b`, gw: `cw-v6-${tag}-gw`, up: `cw-v6-${tag}-up` };
const V4 = { a: '10.79.1.11', b: '10.79.1.12', gw: '10.79.1.1', up: '10.79.2.2', gwUp: '10.79.2.1' };
const V6 = {
  a: 'fd79:1::11',
  aQuiet: 'fd79:1::a1', // assigned to A, but nobody has talked to it yet: only A's own report names it
  b: 'fd79:1::12',
  gw: 'fd79:1::1',
  up: 'fd79:2::2',
  gwUp: 'fd79:2::1',
};
const children: ChildProcess[] = [];
let dir = '';

function liveV6(): string[] {
  const doc = JSON.parse(inNs(NS.gw, ['nft', '-j', 'list', 'set', 'inet', 'camwarden', 'blocked_v6'])) as {
    nftables: Array<{ set?: { elem?: string[] } }>;
  };
  return [...(doc.nftables.find((i) => i.set)?.set?.elem ?? [])].sort();
}

const linkLocal = (ns: string, dev: string): string => {
  const doc = JSON.parse(inNs(ns, ['ip', '-j', '-6', 'addr', 'show', 'dev', dev])) as Array<{
    addr_info: Array<{ local: string; scope: string }>;
  }>;
  return doc[0]?.addr_info.find((a) => a.scope === 'link')?.local ?? '';
};

describe.runIf(canRun)('IPv6 isolation in network namespaces', () => {
  const dev = { a: `cw6${tag}a`.slice(0, 13), b: `cw6${tag}b`.slice(0, 13), u: `cw6${tag}u`.slice(0, 13) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-v6-netns-'));
    for (const ns of Object.values(NS)) {
      ip(['netns', 'add', ns]);
      // No duplicate address detection: addresses (link-local ones too) are usable at once, not after seconds.
      inNs(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    }
    ip(['link', 'add', `${dev.a}0`, 'netns', NS.a, 'type', 'veth', 'peer', 'name', `${dev.a}1`, 'netns', NS.gw]);
    ip(['link', 'add', `${dev.b}0`, 'netns', NS.b, 'type', 'veth', 'peer', 'name', `${dev.b}1`, 'netns', NS.gw]);
    ip(['link', 'add', `${dev.u}0`, 'netns', NS.up, 'type', 'veth', 'peer', 'name', `${dev.u}1`, 'netns', NS.gw]);
    inNs(NS.gw, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    for (const d of [`${dev.a}1`, `${dev.b}1`]) inNs(NS.gw, ['ip', 'link', 'set', d, 'master', 'br0']);
    const up = (ns: string, d: string) => inNs(ns, ['ip', 'link', 'set', d, 'up']);
    for (const [ns, d] of [
      [NS.a, `${dev.a}0`],
      [NS.b, `${dev.b}0`],
      [NS.up, `${dev.u}0`],
      [NS.gw, `${dev.a}1`],
      [NS.gw, `${dev.b}1`],
      [NS.gw, `${dev.u}1`],
      [NS.gw, 'br0'],
    ] as const) {
      up(ns, d);
      up(ns, 'lo');
    }
    const addr = (ns: string, a: string, d: string) =>
      inNs(ns, ['ip', 'addr', 'add', a, 'dev', d, ...(a.includes(':') ? ['nodad'] : [])]);
    addr(NS.a, `${V4.a}/24`, `${dev.a}0`);
    addr(NS.a, `${V6.a}/64`, `${dev.a}0`);
    addr(NS.a, `${V6.aQuiet}/64`, `${dev.a}0`);
    addr(NS.b, `${V4.b}/24`, `${dev.b}0`);
    addr(NS.b, `${V6.b}/64`, `${dev.b}0`);
    addr(NS.gw, `${V4.gw}/24`, 'br0');
    addr(NS.gw, `${V6.gw}/64`, 'br0');
    addr(NS.gw, `${V4.gwUp}/24`, `${dev.u}1`);
    addr(NS.gw, `${V6.gwUp}/64`, `${dev.u}1`);
    addr(NS.up, `${V4.up}/24`, `${dev.u}0`);
    addr(NS.up, `${V6.up}/64`, `${dev.u}0`);
    for (const [ns, d, v4, v6] of [
      [NS.a, `${dev.a}0`, V4.gw, V6.gw],
      [NS.b, `${dev.b}0`, V4.gw, V6.gw],
      [NS.up, `${dev.u}0`, V4.gwUp, V6.gwUp],
    ] as const) {
      inNs(ns, ['ip', 'route', 'add', 'default', 'via', v4, 'dev', d]);
      inNs(ns, ['ip', '-6', 'route', 'add', 'default', 'via', v6, 'dev', d]);
    }
    inNs(NS.gw, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    inNs(NS.gw, ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
    await startIn(children, NS.a, [SERVERS, V4.a, V6.a, V6.aQuiet]);
    await startIn(children, NS.b, [SERVERS, V4.b, V6.b]);
    await startIn(children, NS.up, [SERVERS, V4.up, V6.up]);
    await startIn(children, NS.gw, [SERVERS], { PORTS: `${V6.gw}:9000,${V4.gw}:9000` });
    // The gateway has talked to both cameras (as interrogation does): its neighbour table knows their MACs.
    reach(NS.gw, [V4.a, V4.b, V6.a, V6.b]);
  }, 60_000);

  afterAll(async () => {
    tearDown(children, Object.values(NS));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const newEnforcer = (events = new CheckedEventSink()) =>
    new Enforcer({
      config: enforceConfig({ quarantineFootage: false }),
      stateFile: join(dir, 'enforcement-state.json'),
      nft: createNftRunner({ netns: NS.gw }),
      linkView: createLinkViewSource({ netns: NS.gw }),
      events,
      audit: new MemoryAuditSink(),
    });
  // A reports its quiet address, and (hostile or wrong) the upstream host's and B's: only its own may count.
  const records = (blocked: boolean) => [
    camera('cam-a', V4.a, blocked ? 'block' : 'allow', { ipv6: [V6.aQuiet, V6.up, V6.b] }),
    camera('cam-b', V4.b, 'allow'),
  ];

  it("drops a blocked camera's IPv6 traffic both ways, forwards the others', keeps the gateway's own, and undoes it", async () => {
    expect(reach(NS.up, [V6.a, V6.b, V4.a, V4.b])).toEqual({ [V6.a]: true, [V6.b]: true, [V4.a]: true, [V4.b]: true });
    expect(reach(NS.a, [V6.up])).toEqual({ [V6.up]: true });

    const r = await newEnforcer().reconcile(records(true), profileSet());
    expect(r.failed).toEqual([]);
    const aLinkLocal = linkLocal(NS.a, `${dev.a}0`);
    // Learnt from the neighbour table by A's MAC (its global and link-local addresses) and A's own report, within
    // the camera link's prefix; the upstream host and B, which A also named, are not touched.
    expect(liveV6()).toEqual(expect.arrayContaining([V6.a, V6.aQuiet]));
    expect(liveV6()).not.toContain(V6.up);
    expect(liveV6()).not.toContain(V6.b);
    expect(liveV6().every((a) => [V6.a, V6.aQuiet, aLinkLocal].includes(a))).toBe(true);

    // Forwarded traffic to A over IPv6 is dropped (TCP, UDP, HTTP), B's is still forwarded.
    expect(reach(NS.up, [V6.a, V6.aQuiet, V6.b])).toEqual({ [V6.a]: false, [V6.aQuiet]: false, [V6.b]: true });
    // …and from A: its IPv6 cannot reach upstream, B's can.
    expect(reach(NS.a, [V6.up])).toEqual({ [V6.up]: false });
    expect(reach(NS.b, [V6.up])).toEqual({ [V6.up]: true });
    // The gateway's own connections to A still work (replies accepted)…
    expect(reach(NS.gw, [V6.a])).toEqual({ [V6.a]: true });
    // …but A cannot open one to the gateway over IPv6; B can.
    const toGw = probe(NS.a, [{ proto: 'tcp', host: V6.gw, port: 9000, local: V6.a }]);
    expect(Object.values(toGw)).toEqual([false]);
    expect(Object.values(probe(NS.b, [{ proto: 'tcp', host: V6.gw, port: 9000, local: V6.b }]))).toEqual([true]);

    // Restart: a new Enforcer keeps every live element (it may learn an address the traffic above revealed, such
    // as A's link-local one, never release one), and a second pass changes nothing.
    // A's link-local address reaches the gateway's neighbour table whenever NDP gets to it, so a pass may still
    // learn it; it is the only thing a pass may add, and once it is in, a pass changes nothing.
    const first = liveV6();
    let learntLinkLocal = first.includes(aLinkLocal);
    for (let pass = 0; ; pass++) {
      const before = liveV6();
      const again = await newEnforcer().reconcile(records(true), profileSet());
      expect(again).toMatchObject({ reverted: [], failed: [] });
      expect(again.applied.every((k) => k === `isolate:${aLinkLocal}`)).toBe(true);
      expect(liveV6()).toEqual(expect.arrayContaining(before));
      if (again.applied.length === 0 && (learntLinkLocal || pass >= 2)) {
        expect(liveV6()).toEqual(before);
        break;
      }
      learntLinkLocal ||= again.applied.length > 0;
      expect(pass).toBeLessThan(5);
    }
    const before = liveV6();
    expect(before).toEqual(expect.arrayContaining(first));

    // Unblock: every IPv6 element goes, and A is forwarded again.
    const events = new CheckedEventSink();
    const undo = await newEnforcer(events).reconcile(records(false), profileSet());
    expect(undo.reverted.sort()).toEqual(
      before
        .map((a) => `isolate:${a}`)
        .concat(`isolate:${V4.a}`)
        .sort(),
    );
    expect(liveV6()).toEqual([]);
    expect(reach(NS.up, [V6.a, V6.b])).toEqual({ [V6.a]: true, [V6.b]: true });
    expect(events.ofType('enforcement.reverted').length).toBe(before.length + 1);
  }, 60_000);
});
