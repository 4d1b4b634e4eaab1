import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../src/model/camera-records.js';
import { interrogateDevice } from '../../src/onvif/interrogate.js';
import { createOpenSession } from '../../src/onvif/open-session.js';
import { ErrorCode } from '../../src/util/errors.js';
import { fixture, KOTLIN, listenTracked, type TrackedServer } from './fixtures.js';

/** A device that answers GetSystemDateAndTime honestly and then misbehaves on every other call. */
type Behaviour = 'entity-bomb' | 'huge-body' | 'hang' | 'trickle' | 'invalid-xml' | 'fault-midway' | 'digest-only';

const ENVELOPE = (inner: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${inner}</s:Body></s:Envelope>`;
const TIME = ENVELOPE(
  '<tds:GetSystemDateAndTimeResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><tds:SystemDateAndTime><tt:UTCDateTime>' +
    '<tt:Time><tt:Hour>1</tt:Hour><tt:Minute>2</tt:Minute><tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>1</tt:Month><tt:Day>2</tt:Day></tt:Date>' +
    '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
);
const BOMB = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${ENVELOPE('<x>&lol2;</x>')}`;

let server: Server;
let port = 0;
const behaviour: { current: Behaviour } = { current: 'hang' };
let tracked: TrackedServer;
const processErrors: unknown[] = [];
const onProcessError = (err: unknown) => processErrors.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onProcessError);
  process.on('unhandledRejection', onProcessError);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/soap+xml');
      const b = behaviour.current;
      if (b === 'digest-only' && !req.headers.authorization) {
        res.statusCode = 401;
        res.setHeader('www-authenticate', 'Digest realm="cam", qop="auth", nonce="abc123", algorithm=MD5');
        res.end();
        return;
      }
      if (body.includes('GetSystemDateAndTime')) return void res.end(TIME);
      if (b === 'digest-only' || (b === 'fault-midway' && body.includes('GetDeviceInformation'))) {
        return void res.end(fixture(`${KOTLIN}/deviceInfo.xml`));
      }
      switch (b) {
        case 'entity-bomb':
          return void res.end(BOMB);
        case 'huge-body': {
          // 30 MB, streamed: the client must cut it off long before the end.
          res.write(ENVELOPE('<x>').slice(0, -16));
          const chunk = 'A'.repeat(64 * 1024);
          let sent = 0;
          const pump = () => {
            while (sent < 30 * 1024 * 1024) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end('</x></s:Body></s:Envelope>');
          };
          res.on('error', () => {});
          return pump();
        }
        case 'hang':
          return; // never answers
        case 'trickle': {
          res.write('<');
          const t = setInterval(() => res.write(' '), 50);
          res.on('close', () => clearInterval(t));
          return;
        }
        case 'invalid-xml':
          return void res.end('<s:Envelope><s:Body><unclosed></s:Body>');
        case 'fault-midway':
          res.statusCode = 500;
          return void res.end(fixture(`${KOTLIN}/fault_gsoap.xml`));
      }
    });
  });
  tracked = await listenTracked(server);
  port = tracked.port;
});

afterAll(async () => {
  await tracked.close();
  process.off('uncaughtException', onProcessError);
  process.off('unhandledRejection', onProcessError);
});

beforeEach(() => {
  processErrors.length = 0;
});
afterEach(() => {
  expect(processErrors).toEqual([]);
});

function device(): DiscoveredDevice {
  return {
    endpoint: 'urn:uuid:hostile',
    address: '127.0.0.1',
    xaddrs: [`http://127.0.0.1:${port}/onvif/device_service`],
    scopes: [],
    types: [],
    via: 'unicast',
  };
}

const opts = {
  credentials: { username: 'admin', password: 'secret' },
  callTimeoutMs: 600,
  deviceTimeoutMs: 3000,
  maxResponseBytes: 256 * 1024,
  maxClockSkewS: 1_000_000_000,
};

describe('hostile devices are harmless (docs/discovery.md, ONVIF answers)', () => {
  it.each([
    ['entity-bomb', ErrorCode.DoctypeRefused],
    ['huge-body', ErrorCode.ResponseTooLarge],
    ['hang', ErrorCode.Timeout],
    ['trickle', ErrorCode.Timeout],
    ['invalid-xml', ErrorCode.InvalidXml],
  ] as const)('%s → %s, bounded in time and memory, no process-level error', async (b, code) => {
    behaviour.current = b;
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const report = await interrogateDevice(device(), opts);
    const elapsed = Date.now() - t0;
    // bounded by the device time limit: within twice it (a device left unbounded would hang or trickle for ever)
    expect(elapsed).toBeLessThan(2 * opts.deviceTimeoutMs);
    expect(report.errors.map((e) => e.code)).toContain(code);
    expect(report.clockSkewMs).toBeDefined(); // what was learned before the failure is kept
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('a device failing midway keeps its identity and lists the failures', async () => {
    behaviour.current = 'fault-midway';
    const report = await interrogateDevice(device(), opts);
    expect(report.serial).toBe('B8A44F26437D');
    expect(report.hardwareId).toBe('727');
    expect(report.errors.length).toBeGreaterThan(0);
  });

  it('digest-only device: identity read through HTTP Digest', async () => {
    behaviour.current = 'digest-only';
    const report = await interrogateDevice(device(), opts);
    expect(report.model).toBe('M2025-LE');
  });

  it('connection refused is an unreachable error, fast', async () => {
    const d = { ...device(), xaddrs: ['http://127.0.0.1:1/onvif/device_service'] };
    const report = await interrogateDevice(d, opts);
    expect(report.errors.map((e) => e.code)).toEqual([ErrorCode.Unreachable]);
  });

  it('no usable XAddr (all foreign) → foreign-xaddr, no connection attempted', async () => {
    const d = { ...device(), xaddrs: [], refusedXaddrs: ['http://10.9.9.9/onvif/device_service'] };
    const report = await interrogateDevice(d, opts);
    expect(report.errors.map((e) => e.code)).toEqual([ErrorCode.ForeignXaddr]);
  });
});

describe('OnvifSession', () => {
  it('raw calls return XML; hostile answers reject with codes, never hang', async () => {
    behaviour.current = 'fault-midway';
    const open = createOpenSession({ callTimeoutMs: 600, maxResponseBytes: 256 * 1024 });
    const session = await open(device().xaddrs[0] ?? '', { username: 'a', password: 'b' });
    const xml = await session.call('device', '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>');
    expect(xml).toContain('B8A44F26437D');
    behaviour.current = 'hang';
    await expect(
      session.call('device', '<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/>'),
    ).rejects.toMatchObject({ code: ErrorCode.Timeout });
    behaviour.current = 'entity-bomb';
    await expect(
      session.call('device', '<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/>'),
    ).rejects.toMatchObject({ code: ErrorCode.DoctypeRefused });
    await expect(
      session.call('media2', '<GetMasks xmlns="http://www.onvif.org/ver20/media/wsdl"/>'),
    ).rejects.toMatchObject({
      code: ErrorCode.NotSupported,
    });
    session.close();
  });
});
