import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoSite,
  generateSite,
  type SimDeviceSpec,
  type SimulatedSite,
  startSimulatedSite,
  VENDOR_STYLES,
} from '../../src/simulator/index.js';
import { HTTP_PORT, post, randomBlock, soap, TDS, TR2, TRC } from './helpers.js';

const ip = randomBlock();
let site: SimulatedSite;
const url = (host: number, path = '/onvif/device_service') =>
  `http://${ip(host)}${HTTP_PORT === 80 ? '' : `:${HTTP_PORT}`}${path}`;

const VERBATIM: Record<string, { serial: string; hardwareId: string; manufacturer: string }> = {
  axis: { manufacturer: 'AXIS', serial: 'B8A44F26437D', hardwareId: '727' },
  hikvision: { manufacturer: 'ONVIF', serial: 'ENP1A14-IR/25X20190430AAWRD14878498W', hardwareId: '88' },
  dahua: { manufacturer: 'Amcrest', serial: '9B02A1EPAZ2C4B8', hardwareId: '1.00' },
  bosch: { manufacturer: 'Bosch', serial: '404754734001050102', hardwareId: 'F000B543' },
  milesight: { manufacturer: 'Milesight Technology Co.,Ltd.', serial: 'EM82V102329001403', hardwareId: 'V1.0' },
  uniview: { manufacturer: 'NONE', serial: '210235T8HQ3197000191', hardwareId: 'GX728MF-IR28' },
  generic: {
    manufacturer: 'ONVIF_IPNC',
    serial: 'I207215E7840DFDA9877E8B',
    hardwareId: '8FE1887A-72EE-403f-9385-5a58aed534cf',
  },
};

const styled: SimDeviceSpec[] = VENDOR_STYLES.map((vendor, i) => ({
  name: `style-${vendor}`,
  vendor,
  address: ip(10 + i),
  httpPort: HTTP_PORT,
}));

const faulty: SimDeviceSpec[] = [
  { name: 'hang', vendor: 'generic', address: ip(40), httpPort: HTTP_PORT, faults: [{ kind: 'hang' }] },
  { name: 'huge', vendor: 'axis', address: ip(41), httpPort: HTTP_PORT, faults: [{ kind: 'huge-body' }] },
  { name: 'bomb', vendor: 'hikvision', address: ip(42), httpPort: HTTP_PORT, faults: [{ kind: 'entity-bomb' }] },
  { name: 'invalid', vendor: 'dahua', address: ip(43), httpPort: HTTP_PORT, faults: [{ kind: 'invalid-xml' }] },
  { name: 'spoof', vendor: 'bosch', address: ip(44), httpPort: HTTP_PORT, faults: [{ kind: 'spoof-relates-to' }] },
  {
    name: 'foreign',
    vendor: 'milesight',
    address: ip(45),
    httpPort: HTTP_PORT,
    faults: [{ kind: 'foreign-xaddr', host: ip(250) }],
  },
  { name: 'printer', vendor: 'generic', address: ip(46), httpPort: HTTP_PORT, faults: [{ kind: 'non-onvif' }] },
  { name: 'slow', vendor: 'uniview', address: ip(47), httpPort: HTTP_PORT, faults: [{ kind: 'slow', ms: 300 }] },
  // Not a fault: an honest device that takes its time, as real cameras do.
  { name: 'unhurried', vendor: 'hikvision', address: ip(53), httpPort: HTTP_PORT, answerDelayMs: 300 },
  {
    name: 'fault-on',
    vendor: 'axis',
    address: ip(48),
    httpPort: HTTP_PORT,
    faults: [{ kind: 'soap-fault-on', operation: 'GetScopes', subcode: 'ter:InvalidArgVal' }],
  },
  {
    name: 'big-datagram',
    vendor: 'axis',
    address: ip(49),
    httpPort: HTTP_PORT,
    faults: [{ kind: 'oversized-datagram' }],
  },
  { name: 'single', vendor: 'generic', address: ip(50), httpPort: HTTP_PORT, faults: [{ kind: 'single-service' }] },
  {
    name: 'digest',
    vendor: 'hikvision',
    address: ip(51),
    httpPort: HTTP_PORT,
    faults: [{ kind: 'digest-only', username: 'admin', password: 'x' }],
  },
  {
    name: 'mutable',
    vendor: 'hikvision',
    kind: 'nvr',
    address: ip(52),
    httpPort: HTTP_PORT,
    geo: { lat: 31.23, lon: 121.47 },
    channels: [{ token: 'VideoSource_1' }, { token: 'VideoSource_2', location: '更衣室' }],
  },
];

beforeAll(async () => {
  site = await startSimulatedSite({ devices: [...styled, ...faulty] });
});
afterAll(async () => {
  await site?.stop();
});

function probeXml(messageId: string, version: '2005' | '2009' = '2005', types = 'dn:NetworkVideoTransmitter'): string {
  const d =
    version === '2005'
      ? 'http://schemas.xmlsoap.org/ws/2005/04/discovery'
      : 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01';
  const wsa =
    version === '2005' ? 'http://schemas.xmlsoap.org/ws/2004/08/addressing' : 'http://www.w3.org/2005/08/addressing';
  return (
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="${wsa}" xmlns:d="${d}" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">` +
    `<s:Header><a:MessageID>${messageId}</a:MessageID><a:Action>${d}/Probe</a:Action></s:Header>` +
    `<s:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

/** Sends one datagram to host:3702 and collects every answer for `waitMs`. */
async function probe(host: string, payload: string | Buffer, waitMs = 250): Promise<string[]> {
  const sock = createSocket('udp4');
  const answers: string[] = [];
  sock.on('message', (m) => answers.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.send(payload, 3702, host);
  await new Promise((r) => setTimeout(r, waitMs));
  sock.close();
  return answers;
}

describe('vendor styles', () => {
  it.each(VENDOR_STYLES)('%s serves its capture identity verbatim', async (vendor) => {
    const i = VENDOR_STYLES.indexOf(vendor);
    const r = await post(url(10 + i), soap('GetDeviceInformation', TDS));
    expect(r.status).toBe(200);
    const want = VERBATIM[vendor];
    expect(r.body).toContain(`<tds:SerialNumber>${want?.serial}</tds:SerialNumber>`);
    expect(r.body).toContain(`<tds:HardwareId>${want?.hardwareId}</tds:HardwareId>`);
    expect(r.body).toContain(`<tds:Manufacturer>${want?.manufacturer}</tds:Manufacturer>`);
    expect(r.body).not.toMatch(/192\.168\.|169\.254\./);
  });

  it('factory placeholder location scopes per vendor', async () => {
    const scopes = (i: number) => site.devices[i]?.state.scopes ?? [];
    expect(scopes(VENDOR_STYLES.indexOf('hikvision'))).toContain('onvif://www.onvif.org/location/city/hangzhou');
    expect(scopes(VENDOR_STYLES.indexOf('dahua'))).toContain('onvif://www.onvif.org/location/country/china');
    expect(scopes(VENDOR_STYLES.indexOf('axis'))).toContain('onvif://www.onvif.org/location/');
  });
});

describe('WS-Discovery', () => {
  it('answers a unicast Probe with a ProbeMatch whose RelatesTo is the probe MessageID (Axis: multi-line, 169.254 extra)', async () => {
    const id = `urn:uuid:${randomUUID()}`;
    const [answer, ...rest] = await probe(ip(10), probeXml(id));
    expect(rest).toEqual([]);
    expect(answer).toContain(`<wsa:RelatesTo>${id}</wsa:RelatesTo>`);
    expect(answer).toContain(site.devices[0]?.endpoint);
    expect(answer).toContain(`http://${ip(10)}${HTTP_PORT === 80 ? '' : `:${HTTP_PORT}`}/onvif/device_service`);
    expect(answer).toMatch(/<d:XAddrs>[^<]*\n[^<]*169\.254\./);
    expect(answer).toContain('http://schemas.xmlsoap.org/ws/2005/04/discovery');
  });

  it('Amcrest style sends uuid: without urn:, Uniview answers in 2009/01 whatever the probe', async () => {
    const dahua = await probe(ip(10 + VENDOR_STYLES.indexOf('dahua')), probeXml('urn:uuid:1'));
    expect(dahua[0]).toMatch(/<a:Address>uuid:[0-9a-f-]{36}<\/a:Address>/);
    const uniview = await probe(ip(10 + VENDOR_STYLES.indexOf('uniview')), probeXml('urn:uuid:2'));
    expect(uniview[0]).toContain('http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01');
    const v2009 = await probe(ip(10), probeXml('urn:uuid:3', '2009'));
    expect(v2009[0]).toContain('http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01');
  });

  it('does not answer a probe for types it lacks', async () => {
    const answers = await probe(ip(10), probeXml('urn:uuid:4', '2005', 'dn:NetworkVideoDisplay'));
    expect(answers).toEqual([]);
  });

  it('spoof-relates-to: answers, but never with the probe MessageID', async () => {
    const id = `urn:uuid:${randomUUID()}`;
    const answers = await probe(ip(44), probeXml(id));
    expect(answers.length).toBe(1);
    expect(answers[0]).toContain('RelatesTo');
    expect(answers[0]).not.toContain(id);
  });

  it('foreign-xaddr: XAddrs only name the other host', async () => {
    const [a] = await probe(ip(45), probeXml('urn:uuid:5'));
    const xaddrs = /<wsdd:XAddrs>([^<]*)</.exec(a ?? '')?.[1] ?? '';
    expect(xaddrs.trim()).toBe(`http://${ip(250)}/onvif/device_service`);
  });

  it('non-onvif: a printer ProbeMatch and no ONVIF HTTP', async () => {
    const [a] = await probe(ip(46), probeXml('urn:uuid:6'));
    expect(a).toContain('pri:PrintDeviceType');
    expect(a).not.toContain('NetworkVideoTransmitter');
    const r = await post(url(46), soap('GetDeviceInformation', TDS));
    expect(r.status).toBe(404);
  });

  it('oversized-datagram: a ProbeMatch of the largest IPv4 UDP payload', async () => {
    const [a] = await probe(ip(49), probeXml('urn:uuid:7'));
    expect(Buffer.byteLength(a ?? '')).toBe(65_507);
  });

  it('never crashes on junk datagrams and still answers afterwards', async () => {
    const junk = [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      Buffer.from('<s:Envelope><s:Body><d:Probe>'),
      Buffer.from(`${'<MessageID '.repeat(5000)}http://schemas.xmlsoap.org/ws/2005/04/discovery`),
      Buffer.from(probeXml('urn:uuid:x').replace('</s:Envelope>', '')),
      Buffer.alloc(60_000, '<'),
    ];
    for (const j of junk) await probe(ip(10), j, 5);
    const id = `urn:uuid:${randomUUID()}`;
    const answers = await probe(ip(10), probeXml(id));
    expect(answers[0]).toContain(id);
  });
});

describe('faults over HTTP', () => {
  it('hang: accepts and never answers', async () => {
    await expect(post(url(40), soap('GetSystemDateAndTime', TDS), {}, 500)).rejects.toThrow(/timeout/);
  });

  it('huge-body: streams 30 MB', async () => {
    const r = await post(url(41), soap('GetDeviceInformation', TDS), {}, 20_000);
    expect(r.body.length).toBeGreaterThanOrEqual(30 * 1024 * 1024);
  });

  it('entity-bomb: a billion-laughs DOCTYPE', async () => {
    const r = await post(url(42), soap('GetDeviceInformation', TDS));
    expect(r.body).toContain('<!DOCTYPE');
    expect(r.body).toContain('<!ENTITY lol9');
  });

  it('invalid-xml: mismatched tags', async () => {
    const r = await post(url(43), soap('GetDeviceInformation', TDS));
    expect(r.body).toContain('<tds:Manufacturer>AXIS</tds:Model>');
  });

  it('slow: each answer is delayed', async () => {
    const t0 = Date.now();
    await post(url(47), soap('GetSystemDateAndTime', TDS));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('answerDelayMs: an honest device answers every call, only after its delay', async () => {
    const t0 = Date.now();
    const r = await post(url(53), soap('GetDeviceInformation', TDS));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<tds:Manufacturer>[^<]+<\/tds:Manufacturer>/);
  });

  it('soap-fault-on: only the named operation faults', async () => {
    const r = await post(url(48), soap('GetScopes', TDS));
    expect(r.status).toBe(500);
    expect(r.body).toContain('ter:InvalidArgVal');
    expect((await post(url(48), soap('GetDeviceInformation', TDS))).status).toBe(200);
  });

  it('single-service: GetServices lists one Service', async () => {
    const r = await post(url(50), soap('GetServices', TDS, '<IncludeCapability>true</IncludeCapability>'));
    expect(r.body.match(/<tds:Service>/g)?.length).toBe(1);
  });

  it('digest-only: 401 with an RFC 7616 challenge; GetSystemDateAndTime stays PRE_AUTH', async () => {
    const r = await post(url(51), soap('GetDeviceInformation', TDS));
    expect(r.status).toBe(401);
    expect(String(r.headers['www-authenticate'])).toMatch(/^Digest realm="IP Camera", qop="auth", nonce="[0-9a-f]+"/);
    expect((await post(url(51), soap('GetSystemDateAndTime', TDS))).status).toBe(200);
  });

  it('unknown operations get ter:ActionNotSupported', async () => {
    const r = await post(url(10), soap('GetFrobnicator', TDS));
    expect(r.status).toBe(500);
    expect(r.body).toContain('ter:ActionNotSupported');
  });

  it('never crashes on junk HTTP bodies, huge bodies or DOCTYPEs', async () => {
    const bodies = [
      '',
      'not xml at all',
      '<s:Envelope><s:Body>',
      '<!DOCTYPE x [<!ENTITY a "b">]><s:Envelope/>',
      '\u0000\uffff'.repeat(1000),
      `${'<Body '.repeat(20000)}`,
    ];
    for (const b of bodies) {
      const r = await post(url(11), b);
      expect([400, 500]).toContain(r.status);
    }
    const big = await post(url(11), Buffer.alloc(2 * 1024 * 1024, 'a')).catch(() => ({ status: 413 }));
    expect(big.status).toBe(413);
    await new Promise<void>((resolve) => {
      const s = connect(HTTP_PORT, ip(11), () => s.write('GARBAGE \r\n\r\n\r\n'));
      s.setTimeout(1000, () => s.destroy());
      s.on('data', () => s.destroy());
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect((await post(url(11), soap('GetDeviceInformation', TDS))).status).toBe(200);
  });
});

describe('state and recorded calls', () => {
  const nvr = () => site.devices.find((d) => d.name === 'mutable');
  const path = (p: string) => url(52, p);

  it('SetScopes and AddScopes change GetScopes and the discovery scopes', async () => {
    const zone = 'onvif://www.onvif.org/location/zone/toilet';
    await post(url(52), soap('SetScopes', TDS, `<Scopes>${zone}</Scopes>`));
    expect(nvr()?.state.scopes).toContain(zone);
    expect(nvr()?.state.scopes).not.toContain('onvif://www.onvif.org/location/city/hangzhou');
    await post(url(52), soap('AddScopes', TDS, '<ScopeItem>onvif://www.onvif.org/name/x</ScopeItem>'));
    const r = await post(url(52), soap('GetScopes', TDS));
    expect(r.body).toContain(zone);
    expect(r.body).toContain('onvif://www.onvif.org/name/x');
    const call = site.calls.find((c) => c.device === 'mutable' && c.operation === 'SetScopes');
    expect(call?.body).toContain(zone);
    const [a] = await probe(ip(52), probeXml('urn:uuid:8'));
    expect(a).toContain(zone);
  });

  it('SetNetworkProtocols turns RTSP off and on', async () => {
    const set = (on: boolean) =>
      soap(
        'SetNetworkProtocols',
        TDS,
        `<NetworkProtocols><Name xmlns="http://www.onvif.org/ver10/schema">RTSP</Name><Enabled xmlns="http://www.onvif.org/ver10/schema">${on}</Enabled><Port xmlns="http://www.onvif.org/ver10/schema">554</Port></NetworkProtocols>`,
      );
    expect((await post(url(52), set(false))).status).toBe(200);
    expect(nvr()?.state.rtspEnabled).toBe(false);
    expect((await post(url(52), soap('GetNetworkProtocols', TDS))).body).toMatch(/RTSP<\/tt:Name>\s*<tt:Enabled>false/);
    await post(url(52), set(true));
    expect(nvr()?.state.rtspEnabled).toBe(true);
  });

  it('Media2 CreateMask/GetMasks/DeleteMask', async () => {
    const media2 = path('/onvif/Media2');
    const opts = await post(
      media2,
      soap('GetMaskOptions', TR2, '<ConfigurationToken>VideoSourceConfig_1</ConfigurationToken>'),
    );
    expect(opts.body).toContain('<tr2:MaxPoints>4</tr2:MaxPoints>');
    const mask =
      '<Mask><ConfigurationToken>VideoSourceConfig_1</ConfigurationToken><Polygon><Point xmlns="http://www.onvif.org/ver10/schema" x="-1" y="-1"/><Point xmlns="http://www.onvif.org/ver10/schema" x="1" y="-1"/><Point xmlns="http://www.onvif.org/ver10/schema" x="1" y="1"/><Point xmlns="http://www.onvif.org/ver10/schema" x="-1" y="1"/></Polygon><Type>Color</Type><Enabled>true</Enabled></Mask>';
    const created = await post(media2, soap('CreateMask', TR2, mask));
    const token = /<tr2:Token>([^<]+)</.exec(created.body)?.[1];
    expect(token).toBeTruthy();
    expect(nvr()?.state.masks.length).toBe(1);
    expect((await post(media2, soap('GetMasks', TR2))).body).toContain(`token="${token}"`);
    await post(media2, soap('DeleteMask', TR2, `<Token>${token}</Token>`));
    expect(nvr()?.state.masks).toEqual([]);
    const again = await post(media2, soap('DeleteMask', TR2, `<Token>${token}</Token>`));
    expect(again.body).toContain('ter:NoConfig');
  });

  it('SetRecordingJobMode sets one job Idle; GetRecordingJobs shows it', async () => {
    const rec = path('/onvif/Recording');
    const jobs = await post(rec, soap('GetRecordingJobs', TRC));
    const tokens = [...jobs.body.matchAll(/<tt:JobToken>([^<]+)</g)].map((m) => m[1]);
    expect(tokens.length).toBe(2);
    await post(rec, soap('SetRecordingJobMode', TRC, `<JobToken>${tokens[0]}</JobToken><Mode>Idle</Mode>`));
    expect(nvr()?.state.recordingJobModes[tokens[0] ?? '']).toBe('Idle');
    expect(nvr()?.state.recordingJobModes[tokens[1] ?? '']).toBe('Active');
    const bad = await post(rec, soap('SetRecordingJobMode', TRC, '<JobToken>nope</JobToken><Mode>Idle</Mode>'));
    expect(bad.body).toContain('ter:NoRecordingJob');
  });

  it('GetGeoLocation when configured, advertised in GetServices', async () => {
    const g = await post(url(52), soap('GetGeoLocation', TDS));
    expect(g.body).toContain('lat="31.23"');
    const s = await post(url(52), soap('GetServices', TDS, '<IncludeCapability>true</IncludeCapability>'));
    expect(s.body).toContain('GeoLocationEntries="1"');
    expect((await post(url(10), soap('GetGeoLocation', TDS))).body).toContain('ter:ActionNotSupported');
  });
});

describe('site generation and lifecycle', () => {
  it('generateSite: deterministic, ≥5 styles, consecutive addresses, NVRs and hostile devices appended', () => {
    const a = generateSite({
      base: '127.50.0.250',
      count: 40,
      seed: 7,
      nvrs: 2,
      hostile: ['hang', 'non-onvif'],
      zones: ['toilet', 'lobby'],
    });
    const b = generateSite({
      base: '127.50.0.250',
      count: 40,
      seed: 7,
      nvrs: 2,
      hostile: ['hang', 'non-onvif'],
      zones: ['toilet', 'lobby'],
    });
    expect(a).toEqual(b);
    expect(a.devices.length).toBe(44);
    expect(new Set(a.devices.slice(0, 40).map((d) => d.vendor)).size).toBeGreaterThanOrEqual(5);
    expect(a.devices[6]?.address).toBe('127.50.1.0');
    expect(a.devices.filter((d) => d.kind === 'nvr').length).toBe(2);
    expect(a.devices.at(-1)?.name).toBe('hostile-non-onvif');
    const serials = a.devices.map((d) => d.serial).filter((x) => x !== undefined);
    expect(new Set(serials).size).toBe(serials.length);
    expect(a.devices.find((d) => d.vendor === 'bosch')?.serial).toMatch(/^\d{18}$/);
  });

  it('generateSite: answerDelayMs reaches every device, cameras and recorders alike', () => {
    const site = generateSite({ base: '127.50.2.1', count: 7, nvrs: 1, answerDelayMs: 40 });
    expect(site.devices.map((d) => d.answerDelayMs)).toEqual(Array(8).fill(40));
    expect(generateSite({ base: '127.50.2.1', count: 2 }).devices.map((d) => d.answerDelayMs)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('demoSite: ≥12 cameras of several vendors plus one NVR, 更衣室 percent-encoded', () => {
    const d = demoSite('127.60.0.10');
    expect(d.devices.filter((x) => x.kind === 'camera').length).toBeGreaterThanOrEqual(12);
    expect(d.devices.filter((x) => x.kind === 'nvr').length).toBe(1);
    const scopes = d.devices.flatMap((x) => x.scopes ?? []);
    expect(scopes).toContain(`onvif://www.onvif.org/location/${encodeURIComponent('更衣室')}`);
    expect(scopes).toContain('onvif://www.onvif.org/location/zone/military-restricted-adjacent');
  });

  it('refuses a bad spec naming the field, and two devices on one address', async () => {
    await expect(startSimulatedSite({ devices: [{ vendor: 'sony' as 'axis', address: ip(90) }] })).rejects.toThrow(
      /devices\.0\.vendor/,
    );
    await expect(
      startSimulatedSite({
        devices: [
          { vendor: 'axis', address: ip(90) },
          { vendor: 'bosch', address: ip(90) },
        ],
      }),
    ).rejects.toThrow(/devices\.1\.address/);
  });

  it('a WS-Discovery port that cannot be bound is named in the error, as configured', async () => {
    // A socket without SO_REUSEADDR holds the port: the simulator's (reusing) bind on it fails.
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind({ address: ip(92), port: 0 }, () => resolve()));
    const port = holder.address().port;
    try {
      await expect(
        startSimulatedSite({
          devices: [{ vendor: 'axis', address: ip(92), httpPort: HTTP_PORT, discoveryPort: port }],
        }),
      ).rejects.toThrow(`cannot bind ${ip(92)}:${port}/udp`);
    } finally {
      holder.close();
    }
  });

  it('stop() frees the HTTP and UDP ports so they can be bound again', async () => {
    const spec = { devices: [{ vendor: 'axis' as const, address: ip(91), httpPort: HTTP_PORT }] };
    const first = await startSimulatedSite(spec);
    await post(url(91), soap('GetSystemDateAndTime', TDS));
    await first.stop();
    await expect(post(url(91), soap('GetSystemDateAndTime', TDS), {}, 500)).rejects.toThrow();
    const second = await startSimulatedSite(spec);
    expect((await post(url(91), soap('GetSystemDateAndTime', TDS))).status).toBe(200);
    await second.stop();
  });
});
