import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { discover } from '../../src/discovery/ws-discovery.js';
import { probeMatch, type Responder, startResponder } from './responder.js';

const base = `127.${20 + (process.pid % 200)}.${Math.floor(Math.random() * 250)}`;
let responders: Responder[] = [];
afterEach(async () => {
  await Promise.all(responders.map((r) => r.close()));
  responders = [];
});

describe('unicast WS-Discovery on loopback', () => {
  it('accepts related matches once, drops spoofs, junk, printers and foreign XAddrs', async () => {
    const port = 30000 + (process.pid % 20000);
    const honest = await startResponder(`${base}.1`, port, (_p, id) => [
      probeMatch({
        relatesTo: id,
        endpoint: 'urn:uuid:honest',
        xaddrs: `http://${base}.1:8080/onvif/device_service http://169.254.3.3/onvif`,
      }),
    ]);
    const ns2009 = await startResponder(`${base}.2`, port, (_p, id) => [
      probeMatch({
        relatesTo: id,
        endpoint: 'uuid:new-ns',
        xaddrs: `http://${base}.2/onvif/device_service`,
        ns2009: true,
      }),
    ]);
    const spoof = await startResponder(`${base}.3`, port, () => [
      probeMatch({ relatesTo: 'urn:uuid:not-ours', endpoint: 'urn:uuid:spoof', xaddrs: `http://${base}.3/onvif` }),
    ]);
    const junk = await startResponder(`${base}.4`, port, (_p, id) => [
      'not xml at all',
      `<!DOCTYPE x [<!ENTITY a "b">]>${probeMatch({ relatesTo: id, endpoint: 'urn:uuid:bomb', xaddrs: `http://${base}.4/` })}`,
      Buffer.alloc(65 * 1024, 60),
    ]);
    const printer = await startResponder(`${base}.5`, port, (_p, id) => [
      probeMatch({
        relatesTo: id,
        endpoint: 'urn:uuid:printer',
        xaddrs: `http://${base}.5/wsd`,
        types: 'wsdp:Device',
        scopes: 'ldap:///ou=printers',
      }),
    ]);
    const foreign = await startResponder(`${base}.6`, port, (_p, id) => [
      probeMatch({ relatesTo: id, endpoint: 'urn:uuid:foreign', xaddrs: `http://${base}.200/onvif/device_service` }),
    ]);
    responders = [honest, ns2009, spoof, junk, printer, foreign];
    const streamed: string[] = [];
    const t0 = Date.now();
    const result = await discover({
      multicast: false,
      unicastTargets: [1, 2, 3, 4, 5, 6, 7].map((i) => `${base}.${i}`),
      timeoutMs: 3000,
      port,
      onDevice: (d) => streamed.push(d.endpoint),
    });
    // ends with its window: within twice it (a loaded machine delays timers; a window that never closed would not)
    expect(Date.now() - t0).toBeLessThan(2 * 3000);
    const byEp = Object.fromEntries(result.devices.map((d) => [d.endpoint, d]));
    expect(Object.keys(byEp).sort()).toEqual(['urn:uuid:foreign', 'urn:uuid:honest', 'uuid:new-ns']);
    expect(streamed.sort()).toEqual(Object.keys(byEp).sort());
    expect(byEp['urn:uuid:honest']?.xaddrs).toEqual([`http://${base}.1:8080/onvif/device_service`]);
    expect(byEp['urn:uuid:honest']?.refusedXaddrs).toEqual(['http://169.254.3.3/onvif']);
    expect(byEp['urn:uuid:honest']?.scopes).toEqual([
      'onvif://www.onvif.org/Profile/Streaming',
      'onvif://www.onvif.org/location/zone/toilet',
    ]);
    expect(byEp['urn:uuid:foreign']?.xaddrs).toEqual([]);
    expect(byEp['urn:uuid:foreign']?.refusedXaddrs).toEqual([`http://${base}.200/onvif/device_service`]);
    expect(result.dropped.unrelated).toBeGreaterThan(0);
    expect(result.dropped.unparsable).toBeGreaterThan(0);
    expect(result.dropped['not-onvif']).toBeGreaterThan(0);
    // Two types probed separately, repeated: a silent target got both types.
    expect(junk.probes.some((p) => p.includes('<d:Types>dn:NetworkVideoTransmitter</d:Types>'))).toBe(true);
    expect(junk.probes.some((p) => p.includes('<d:Types>tds:Device</d:Types>'))).toBe(true);
  });

  it('probes tds:Device first, and the camera type only where that found nothing: a legacy camera is found too', async () => {
    const port = 30004 + (process.pid % 20000);
    const compliant = await startResponder(`${base}.13`, port, (_p, id) => [
      probeMatch({ relatesTo: id, endpoint: 'urn:uuid:compliant', xaddrs: `http://${base}.13/onvif/device_service` }),
    ]);
    // An old camera that lists only dn:NetworkVideoTransmitter answers a Probe for that type alone.
    const legacy = await startResponder(`${base}.14`, port, (p, id) =>
      p.includes('<d:Types>dn:NetworkVideoTransmitter</d:Types>')
        ? [
            probeMatch({
              relatesTo: id,
              endpoint: 'urn:uuid:legacy',
              xaddrs: `http://${base}.14/onvif/device_service`,
              types: 'dn:NetworkVideoTransmitter',
            }),
          ]
        : [],
    );
    responders = [compliant, legacy];
    const result = await discover({
      multicast: false,
      unicastTargets: [compliant.address, legacy.address],
      timeoutMs: 3000,
      port,
    });
    expect(result.devices.map((d) => d.endpoint).sort()).toEqual(['urn:uuid:compliant', 'urn:uuid:legacy']);
    const types = (r: typeof compliant): string[] => r.probes.map((p) => /<d:Types>([^<]*)</.exec(p)?.[1] ?? '');
    expect(types(compliant)).toEqual(['tds:Device']);
    expect(types(legacy).slice(0, 2)).toEqual(['tds:Device', 'dn:NetworkVideoTransmitter']);
  });

  it('ends early when every unicast target answered', async () => {
    const port = 30001 + (process.pid % 20000);
    responders = [
      await startResponder(`${base}.9`, port, (_p, id) => [
        probeMatch({ relatesTo: id, endpoint: 'urn:uuid:only', xaddrs: `http://${base}.9/onvif/device_service` }),
      ]),
    ];
    const t0 = Date.now();
    // Probe rounds (spaced up to 500 ms) and a time limit that make waiting it out take 20 s: ending in less than
    // half of that is ending early, however slow the machine.
    const result = await discover({
      multicast: false,
      unicastTargets: [`${base}.9`],
      timeoutMs: 20_000,
      repeats: 40,
      port,
    });
    expect(result.devices).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('ends early too when multicast was asked for but no interface can send it', async () => {
    const port = 30002 + (process.pid % 20000);
    responders = [
      await startResponder(`${base}.10`, port, (_p, id) => [
        probeMatch({ relatesTo: id, endpoint: 'urn:uuid:solo', xaddrs: `http://${base}.10/onvif/device_service` }),
      ]),
    ];
    const t0 = Date.now();
    // as above: waiting it out takes 20 s, ending early well under half of that
    const result = await discover({
      multicast: true,
      interfaces: ['cw-no-such-interface'], // nothing to probe on: no multicast answer can come
      unicastTargets: [`${base}.10`],
      timeoutMs: 20_000,
      repeats: 40,
      port,
    });
    expect(result.devices.map((d) => d.endpoint)).toEqual(['urn:uuid:solo']);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('waits out the window for a target that stays silent, and no longer', async () => {
    const port = 30003 + (process.pid % 20000);
    responders = [
      await startResponder(`${base}.11`, port, (_p, id) => [
        probeMatch({ relatesTo: id, endpoint: 'urn:uuid:talks', xaddrs: `http://${base}.11/onvif/device_service` }),
      ]),
      await startResponder(`${base}.12`, port, () => []),
    ];
    const t0 = Date.now();
    const result = await discover({
      multicast: false,
      unicastTargets: [`${base}.11`, `${base}.12`],
      timeoutMs: 20_000, // the window ends after the last probe (~1-1.5 s), far from this limit
      port,
    });
    const ms = Date.now() - t0;
    expect(result.devices.map((d) => d.endpoint)).toEqual(['urn:uuid:talks']);
    // The silent one is probed again and given the answer window after the last probe, then given up on.
    expect(responders[1]?.probes.length).toBeGreaterThanOrEqual(4);
    expect(ms).toBeGreaterThan(700);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('the answer window follows the last probe sent', () => {
  it('accepts a reply within APP_MAX_DELAY of its probe even when that falls past discovery.timeoutMs', async () => {
    const port = 30004 + (process.pid % 20000);
    // A device may delay its answer up to APP_MAX_DELAY (500 ms): this one takes 450 ms, so its answer always comes
    // after a 200 ms limit counted from the start, as when sending a large sweep on a starved machine eats the limit.
    const delayed = (endpoint: string, relatesTo?: string) => (_p: string, id: string) => {
      const reply = probeMatch({
        relatesTo: relatesTo ?? id,
        endpoint,
        xaddrs: `http://${base}.${endpoint === 'urn:uuid:late' ? 13 : 14}/onvif/device_service`,
      });
      return { after: 450, datagrams: [reply] };
    };
    responders = [
      await startResponder(`${base}.13`, port, delayed('urn:uuid:late')),
      await startResponder(`${base}.14`, port, delayed('urn:uuid:spoof', 'urn:uuid:not-ours')),
    ];
    const result = await discover({
      multicast: false,
      unicastTargets: [`${base}.13`, `${base}.14`],
      timeoutMs: 200,
      port,
    });
    expect(result.devices.map((d) => d.endpoint)).toEqual(['urn:uuid:late']);
    // the spoofed answer, as late, is still dropped and counted; the honest one is not among them
    expect(result.errors.filter((e) => e.code === 'unrelated-reply').map((e) => e.source)).toEqual([
      `discovery:${base}.14`,
    ]);
  });

  it('stops a sweep when the scan is aborted', async () => {
    const port = 30005 + (process.pid % 20000);
    const stop = new AbortController();
    // the first target answers and aborts the scan; the last of 254 must then never be probed
    const first = await startResponder(`${base}.1`, port, (_p, id) => {
      stop.abort();
      return [
        probeMatch({ relatesTo: id, endpoint: 'urn:uuid:first', xaddrs: `http://${base}.1/onvif/device_service` }),
      ];
    });
    let sentinelSeen: () => void = () => {};
    const sentinel = new Promise<void>((resolve) => {
      sentinelSeen = resolve;
    });
    const last = await startResponder(`${base}.254`, port, (text) => {
      if (text === 'sentinel') sentinelSeen();
      return [];
    });
    responders = [first, last];
    const result = await discover({
      multicast: false,
      unicastTargets: Array.from({ length: 254 }, (_, i) => `${base}.${i + 1}`),
      timeoutMs: 60_000,
      port,
      signal: stop.signal,
    });
    expect(stop.signal.aborted).toBe(true);
    // A probe sent to the last target would be queued ahead of this datagram: once it is read, none was.
    const probe = createSocket({ type: 'udp4' });
    probe.send('sentinel', last.port, last.address);
    await sentinel;
    probe.close();
    expect(last.probes).toEqual(['sentinel']);
    expect(result.errors).toEqual([]);
  });
});
