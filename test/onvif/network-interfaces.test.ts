import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interrogateDevice } from '../../src/onvif/interrogate.js';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { onTestPort } from '../simulator/helpers.js';

/** The IPv6 addresses a device reports (GetNetworkInterfaces) reach its record canonical, valid and bounded. */
const prefix = `127.${100 + (process.pid % 40)}.${1 + Math.floor(Math.random() * 250)}`;
let site: SimulatedSite;
beforeAll(async () => {
  site = await startSimulatedSite(
    onTestPort({
      devices: [
        {
          name: 'dual',
          vendor: 'axis',
          address: `${prefix}.1`,
          ipv6: ['FD00:0:0::11', 'fe80::11', 'junk', 'fd00::11'],
        },
        {
          name: 'many',
          vendor: 'hikvision',
          address: `${prefix}.2`,
          ipv6: Array.from({ length: 40 }, (_, i) => `fd00::${(i + 1).toString(16)}`),
        },
        { name: 'v4only', vendor: 'bosch', address: `${prefix}.3` },
      ],
    }),
  );
}, 30_000);
afterAll(async () => {
  await site?.stop();
});

const interrogate = (name: string) => {
  const d = site.devices.find((x) => x.name === name);
  if (!d) throw new Error(name);
  return interrogateDevice(
    { endpoint: d.endpoint, address: d.address, xaddrs: [d.xaddr], scopes: [], types: [], via: 'manual' },
    {
      credentials: undefined,
      callTimeoutMs: 3000,
      deviceTimeoutMs: 10_000,
      maxResponseBytes: 2 ** 21,
      maxClockSkewS: 300,
    },
  );
};

describe('reported IPv6 addresses', () => {
  it('are kept canonical and distinct; junk is left out', async () => {
    const r = await interrogate('dual');
    expect(r.ipv6).toEqual(['fd00::11', 'fe80::11']);
    expect(r.errors).toEqual([]);
  });

  it('are at most 16, the rest counted', async () => {
    const r = await interrogate('many');
    expect(r.ipv6).toHaveLength(16);
    expect(r.errors).toContainEqual({
      code: 'items-dropped',
      message: 'GetNetworkInterfaces: 24 IPv6 addresses past the first 16 dropped',
    });
  });

  it('a device without IPv6 has none', async () => {
    const r = await interrogate('v4only');
    expect(r.ipv6).toBeUndefined();
  });
});
