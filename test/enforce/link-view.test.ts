import { describe, expect, it } from 'vitest';
import { computeDesired } from '../../src/enforce/desired-state.js';
import {
  ipv6AddressesOf,
  type LinkView,
  MAX_IPV6_PER_CAMERA,
  parseNeighbours,
  parsePrefixes,
} from '../../src/enforce/link-view.js';
import { camera, profileSet } from './fakes.js';

const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';
const view: LinkView = {
  neighbours: [
    { address: '10.1.1.11', mac: MAC_A, dev: 'cam0' },
    { address: 'fd01::11', mac: MAC_A, dev: 'cam0' },
    { address: 'fe80::a', mac: MAC_A, dev: 'cam0' },
    { address: '10.1.1.12', mac: MAC_B, dev: 'cam0' },
    { address: 'fd01::12', mac: MAC_B, dev: 'cam0' },
  ],
  prefixes: [
    { dev: 'cam0', address: 'fd01::1', prefixLength: 64 },
    { dev: 'cam0', address: 'fe80::1', prefixLength: 64 },
    { dev: 'wan0', address: '2001:db8:ff::1', prefixLength: 64 },
  ],
};

describe('IPv6 addresses of a blocked camera', () => {
  it('are the neighbours with the MAC seen for its IPv4 address', () => {
    expect(ipv6AddressesOf('10.1.1.11', [], view).sort()).toEqual(['fd01::11', 'fe80::a']);
    expect(ipv6AddressesOf('10.1.1.12', [], view)).toEqual(['fd01::12']);
    // Not on a gateway link (no IPv4 neighbour entry): nothing is learnt from the table.
    expect(ipv6AddressesOf('10.9.9.9', [], view)).toEqual([]);
  });

  it("take the device's own report only on its link and where no other MAC holds the address", () => {
    const reported = [
      'FD01:0:0::99', // on the camera link's prefix, unknown to the table: isolated (canonical form)
      'fd01::12', // camera B's, per the table
      '2001:db8:ff::7', // on another link of the gateway
      '2001:db8:1234::1', // somewhere upstream: a server the camera wants cut off
      'fd01::1', // the gateway itself
      'fe80::77', // link-local: only the input chain is concerned
      'not-an-address',
    ];
    expect(ipv6AddressesOf('10.1.1.11', reported, view).sort()).toEqual([
      'fd01::11',
      'fd01::99',
      'fe80::77',
      'fe80::a',
    ]);
  });

  it('are at most MAX_IPV6_PER_CAMERA however many the device names', () => {
    const many = Array.from({ length: 100 }, (_, i) => `fd01::1:${i.toString(16)}`);
    expect(ipv6AddressesOf('10.1.1.11', many, view)).toHaveLength(MAX_IPV6_PER_CAMERA);
  });

  it('become isolate actions keyed by address, with unsafe ones skipped', () => {
    const d = computeDesired([camera('a', '10.1.1.11', 'block'), camera('b', '10.1.1.12', 'allow')], profileSet(), {
      levers: { rtspOff: false, privacyMask: false, recordingJobIdle: false },
      nftables: true,
      quarantine: false,
      ipv6Of: (r) => (r.id === 'a' ? ['fd01::11', 'ff02::1', '::1'] : ['fd01::12']),
    });
    expect(d.actions.map((a) => a.key).sort()).toEqual(['isolate:10.1.1.11', 'isolate:fd01::11']);
    expect(d.skipped.map((s) => s.reason)).toEqual([
      'address ff02::1 is multicast',
      'address ::1 is loopback: isolating it would cut the gateway off from itself',
    ]);
  });
});

describe('iproute2 JSON', () => {
  it('neighbours: entries without a link-layer address are left out; IPv6 made canonical', () => {
    const json = JSON.stringify([
      { dst: '10.1.1.11', dev: 'cam0', lladdr: '02:00:00:00:00:0A', state: ['REACHABLE'] },
      { dst: 'FD01:0::11', dev: 'cam0', lladdr: '02:00:00:00:00:0a', state: ['STALE'] },
      { dst: 'fd01::99', dev: 'cam0', state: ['FAILED'] },
      { dst: 'fd01::98', dev: 'cam0', lladdr: 'junk', state: ['STALE'] },
      'nonsense',
    ]);
    expect(parseNeighbours(json)).toEqual([
      { address: '10.1.1.11', mac: MAC_A, dev: 'cam0' },
      { address: 'fd01::11', mac: MAC_A, dev: 'cam0' },
    ]);
    expect(() => parseNeighbours('{')).toThrow(/not JSON/);
  });

  it('prefixes: the gateway’s own IPv6 addresses per interface', () => {
    const json = JSON.stringify([
      { ifname: 'cam0', addr_info: [{ family: 'inet', local: '10.1.1.1', prefixlen: 24 }] },
      {
        ifname: 'cam0',
        addr_info: [
          { family: 'inet6', local: 'fd01::1', prefixlen: 64 },
          { family: 'inet6', local: 'fe80::1', prefixlen: 64 },
        ],
      },
    ]);
    expect(parsePrefixes(json)).toEqual([
      { dev: 'cam0', address: 'fd01::1', prefixLength: 64 },
      { dev: 'cam0', address: 'fe80::1', prefixLength: 64 },
    ]);
  });
});
