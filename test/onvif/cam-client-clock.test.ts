import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamClient } from '../../src/onvif/cam-client.js';
import { fixture, KOTLIN, listenTracked, type TrackedServer } from './fixtures.js';

const DEVICE_INFO = '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>';
const FAULT =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value>' +
  '</s:Code><s:Reason><s:Text xml:lang="en">not today</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>';

/** A device whose GetSystemDateAndTime faults (so it never tells its time); records every WS-Security Created. */
const created: string[] = [];
let tracked: TrackedServer;
beforeAll(async () => {
  tracked = await listenTracked(
    createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const stamp = /<Created[^>]*>([^<]+)</.exec(body)?.[1];
        if (stamp) created.push(stamp);
        res.setHeader('content-type', 'application/soap+xml');
        if (body.includes('GetSystemDateAndTime')) {
          res.statusCode = 500;
          res.end(FAULT);
        } else res.end(fixture(`${KOTLIN}/deviceInfo.xml`));
      });
    }),
  );
});
afterAll(() => tracked.close());

describe('CamClient WS-Security clock', () => {
  it('dates tokens by the gateway clock when the device never tells its time (not 1970)', async () => {
    const c = new CamClient({
      xaddr: new URL(`http://127.0.0.1:${tracked.port}/onvif/device_service`),
      credentials: { username: 'admin', password: 'pw' },
      callTimeoutMs: 3000,
      maxResponseBytes: 1 << 20,
    });
    try {
      await expect(c.getSystemDateAndTime()).rejects.toThrow();
      await c.call('device', 'GetDeviceInformation', DEVICE_INFO);
    } finally {
      c.close();
    }
    const last = Date.parse(created.at(-1) ?? '');
    expect(Math.abs(last - Date.now())).toBeLessThan(10 * 60_000);
  });
});
