import { describe, expect, it } from 'vitest';
import { MAX_XADDRS } from '../../src/discovery/constants.js';
import { deviceFromEntry, filterXaddrs, isOnvifEntry, parseDiscoveryMessage } from '../../src/discovery/messages.js';
import { ErrorCode } from '../../src/util/errors.js';
import { fixture, KOTLIN } from '../onvif/fixtures.js';

describe('parseDiscoveryMessage on real ProbeMatches', () => {
  it('Axis M2025-LE: multi-line Scopes/XAddrs split on any whitespace', () => {
    const m = parseDiscoveryMessage(fixture(`${KOTLIN}/probeResponse.xml`));
    expect(m.kind).toBe('probe-matches');
    if (m.kind !== 'probe-matches') return;
    expect(m.relatesTo).toBe('uuid:63a205c4-7eae-4dd5-99dc-75e38ff576b3');
    const e = m.matches[0];
    expect(e?.endpoint).toBe('urn:uuid:3ea96f68-b845-4c0b-87cf-eee904c4be65');
    expect(e?.xaddrs).toHaveLength(4);
    expect(e?.scopes).toContain('onvif://www.onvif.org/name/AXIS%20M2025-LE');
    expect(e?.scopes).toContain('onvif://www.onvif.org/location/');
    expect(e && isOnvifEntry(e)).toBe(true);
    const { accepted, refused } = filterXaddrs(e?.xaddrs ?? [], '192.168.0.209');
    expect(accepted).toEqual([
      'http://192.168.0.209/onvif/device_service',
      'https://192.168.0.209/onvif/device_service',
    ]);
    expect(refused).toHaveLength(2); // 169.254 link-local
  });
  it('Amcrest (Dahua OEM): uuid: without urn:', () => {
    const m = parseDiscoveryMessage(fixture(`${KOTLIN}/probeResponse2.xml`));
    if (m.kind !== 'probe-matches') throw new Error(m.kind);
    expect(m.matches[0]?.endpoint).toBe('uuid:2a46daf1-86f6-91ad-5458-3d184eb186f6');
    expect(m.matches[0]?.scopes).toContain('onvif://www.onvif.org/location/country/china');
  });
  it('agsh Probe.xml template parses', () => {
    const raw = fixture('agsh_onvif/Probe.xml').replace(/\{\{[^}]*\}\}/g, 'x');
    const m = parseDiscoveryMessage(raw);
    expect(m.kind).toBe('probe-matches');
  });
  it('2009/01 namespace Hello and Bye', () => {
    const ns = 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01';
    const env = (action: string, body: string) =>
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:d="${ns}">` +
      `<s:Header><a:Action>${ns}/${action}</a:Action></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
    const hello = parseDiscoveryMessage(
      env(
        'Hello',
        '<d:Hello><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference><d:Types xmlns:dn="http://www.onvif.org/ver10/network/wsdl">dn:NetworkVideoTransmitter</d:Types><d:XAddrs>http://127.0.0.1/x</d:XAddrs></d:Hello>',
      ),
    );
    expect(hello.kind).toBe('hello');
    if (hello.kind === 'hello') expect(isOnvifEntry(hello.entry)).toBe(true);
    const bye = parseDiscoveryMessage(
      env('Bye', '<d:Bye><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference></d:Bye>'),
    );
    expect(bye).toMatchObject({ kind: 'bye', endpoint: 'urn:uuid:1' });
  });
  it('a WSD printer (wsdp:Device, no onvif scopes) is not ONVIF', () => {
    expect(
      isOnvifEntry({
        endpoint: 'urn:uuid:p',
        types: ['wsdp:Device', 'wprt:PrintDeviceType'],
        typeNamespaces: [
          'http://schemas.xmlsoap.org/ws/2006/02/devprof',
          'http://schemas.microsoft.com/windows/2006/08/wdp/print',
        ],
        scopes: [],
        xaddrs: [],
      }),
    ).toBe(false);
  });
  it('DOCTYPE, oversize and junk throw coded errors (callers drop the datagram)', () => {
    expect(() => parseDiscoveryMessage('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toThrow(
      expect.objectContaining({ code: ErrorCode.DoctypeRefused }),
    );
    expect(() => parseDiscoveryMessage(Buffer.alloc(70 * 1024, 32))).toThrow(
      expect.objectContaining({ code: ErrorCode.ResponseTooLarge }),
    );
    expect(() => parseDiscoveryMessage('\u0000\u0001garbage')).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidXml }),
    );
  });
  it('XAddrs on other hosts, link-local, userinfo or odd schemes are refused', () => {
    const { accepted, refused } = filterXaddrs(
      [
        'http://127.0.0.9/a',
        'http://127.0.0.2/b',
        'http://169.254.1.1/c',
        'http://[fe80::1]/d',
        'ftp://127.0.0.2/e',
        'http://u:p@127.0.0.2/f',
        'junk',
      ],
      '127.0.0.2',
    );
    expect(accepted).toEqual(['http://127.0.0.2/b']);
    expect(refused).toHaveLength(6);
  });
  it('a Hello stuffed with XAddrs keeps the first MAX_XADDRS and says how many it dropped', () => {
    // 64 KiB of distinct XAddrs on the sender's own host: filtering them all cost the agent's event loop
    // hundreds of milliseconds per datagram (docs/discovery.md: past a bound the excess is dropped and counted).
    const sender = '10.1.2.3';
    const xaddrs = Array.from({ length: 2500 }, (_, i) => `http://${sender}:${1 + i}/x`);
    const ns = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
    const hello = parseDiscoveryMessage(
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="${ns}">` +
        `<s:Header><a:Action>${ns}/Hello</a:Action></s:Header><s:Body><d:Hello><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>` +
        `<d:Scopes>onvif://www.onvif.org/type/video_encoder</d:Scopes><d:XAddrs>${xaddrs.join(' ')}</d:XAddrs></d:Hello></s:Body></s:Envelope>`,
    );
    if (hello.kind !== 'hello') throw new Error(hello.kind);
    expect(hello.entry.xaddrs).toEqual(xaddrs.slice(0, MAX_XADDRS));
    const device = deviceFromEntry(hello.entry, sender, 'hello');
    expect(device.xaddrs).toEqual(xaddrs.slice(0, MAX_XADDRS));
    expect(device.errors).toEqual([
      { code: ErrorCode.ItemsDropped, message: expect.stringMatching(/2500 XAddrs, 2484 dropped/) },
    ]);
  });
});
