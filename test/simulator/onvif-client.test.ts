import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { HTTP_PORT, randomBlock } from './helpers.js';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the onvif package's responses are untyped
const { Cam } = require('onvif') as { Cam: any };

const ip = randomBlock();
const creds = { username: 'admin', password: 'sim-Secret1' };
let site: SimulatedSite;

beforeAll(async () => {
  site = await startSimulatedSite({
    devices: [
      {
        name: 'axis-ws',
        vendor: 'axis',
        address: ip(10),
        httpPort: HTTP_PORT,
        auth: { mode: 'ws-security', ...creds },
      },
      {
        name: 'bosch-digest',
        vendor: 'bosch',
        address: ip(11),
        httpPort: HTTP_PORT,
        auth: { mode: 'digest-only', ...creds },
        clockSkewMs: -900 * 24 * 3600 * 1000,
      },
      {
        name: 'hik-nvr',
        vendor: 'hikvision',
        kind: 'nvr',
        address: ip(12),
        httpPort: HTTP_PORT,
        auth: { mode: 'both', ...creds },
        channels: [
          { token: 'VideoSource_1', name: 'Lobby', location: 'lobby' },
          { token: 'VideoSource_2', name: 'Changing', location: '更衣室', maximumRetentionTime: 'P30D' },
        ],
      },
      { name: 'single', vendor: 'generic', address: ip(14), httpPort: HTTP_PORT, faults: [{ kind: 'single-service' }] },
      {
        name: 'mismatch',
        vendor: 'hikvision',
        kind: 'nvr',
        address: ip(15),
        httpPort: HTTP_PORT,
        faults: [{ kind: 'token-mismatch' }],
      },
      {
        name: 'dahua-skewed',
        vendor: 'dahua',
        address: ip(13),
        httpPort: HTTP_PORT,
        auth: { mode: 'ws-security', ...creds },
        faults: [{ kind: 'clock-skew' }],
      },
    ],
  });
});
afterAll(async () => {
  await site?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: see above
function call<T = any>(
  // biome-ignore lint/suspicious/noExplicitAny: see above
  cam: any,
  method: string,
  ...args: unknown[]
): Promise<{ err: Error | null; data: T; xml: string }> {
  return new Promise((resolve) => {
    cam[method](...args, (err: Error | null, data: T, xml: string) => resolve({ err, data, xml }));
  });
}

function cam(host: string, useWSSecurity: boolean, password = creds.password) {
  return new Cam({
    hostname: host,
    port: HTTP_PORT,
    username: creds.username,
    password,
    useWSSecurity,
    timeout: 3000,
    autoconnect: false,
  });
}

describe('the onvif package (agsh 0.8.3) against simulated devices', () => {
  it('connects over WS-UsernameToken and reads verbatim identity from the raw XML', async () => {
    const c = cam(ip(10), true);
    const connected = await call(c, 'connect');
    expect(connected.err).toBeNull();
    expect(c.media2Support).toBe(true);
    expect(c.activeSources.length).toBe(1);
    const info = await call(c, 'getDeviceInformation');
    expect(info.err).toBeNull();
    expect(info.data.manufacturer).toBe('AXIS');
    expect(info.xml).toContain('<tds:HardwareId>727</tds:HardwareId>');
    const users = site.calls.filter((x) => x.device === 'axis-ws' && x.operation !== 'GetSystemDateAndTime');
    expect(users.length).toBeGreaterThan(3);
    expect(users.every((x) => x.user === 'admin')).toBe(true);
  });

  it('connects to a digest-only device with a 2.5-year clock skew and keeps the 18-digit serial in the XML', async () => {
    const c = cam(ip(11), false);
    expect((await call(c, 'connect')).err).toBeNull();
    const info = await call(c, 'getDeviceInformation');
    expect(info.err).toBeNull();
    expect(info.xml).toContain('<tds:SerialNumber>404754734001050102</tds:SerialNumber>');
    // The onvif package turns it into a lossy number: why camwarden must read the raw XML.
    expect(String(info.data.serialNumber)).not.toBe('404754734001050102');
    const date = await call<Date>(c, 'getSystemDateAndTime');
    expect(Date.now() - date.data.getTime()).toBeGreaterThan(800 * 24 * 3600 * 1000);
  });

  it('WS-Security to a digest-only device fails with a 401 challenge, not a hang', async () => {
    const c = cam(ip(11), true, 'wrong');
    const r = await call(c, 'getDeviceInformation');
    expect(r.err?.message).toMatch(/Digest authentication failed 401/);
  });

  it('wrong WS-Security password is refused with ter:NotAuthorized', async () => {
    const c = cam(ip(10), true, 'wrong');
    const r = await call(c, 'getDeviceInformation');
    expect(r.err).toBeTruthy();
    expect(r.xml).toContain('ter:NotAuthorized');
  });

  it('tolerates the device clock skew like a real device (the client time-shifts)', async () => {
    const c = cam(ip(13), true);
    expect((await call(c, 'connect')).err).toBeNull();
    expect((await call(c, 'getDeviceInformation')).err).toBeNull();
    // Without the time shift the same credentials are refused: Created is outside the device window.
    const naive = cam(ip(13), true);
    naive.timeShift = 0;
    const r = await call(naive, 'getDeviceInformation');
    expect(r.xml).toContain('ter:NotAuthorized');
  });

  it('NVR: channels as video sources and recordings with source name, location and retention', async () => {
    const c = cam(ip(12), true);
    expect((await call(c, 'connect')).err).toBeNull();
    expect(c.activeSources.map((s: { sourceToken: string }) => s.sourceToken)).toEqual([
      'VideoSource_1',
      'VideoSource_2',
    ]);
    const r = await call(c, 'getRecordings');
    expect(r.err).toBeNull();
    expect(r.xml).toContain('<tt:Location>更衣室</tt:Location>');
    expect(r.xml).toContain('<tt:MaximumRetentionTime>P30D</tt:MaximumRetentionTime>');
    expect(r.xml.match(/<trc:RecordingItem>/g)?.length).toBe(2);
  });

  it('single-service: the package silently falls back to GetCapabilities (docs/scan-json.md, What a scan asks each device)', async () => {
    const c = new Cam({ hostname: ip(14), port: HTTP_PORT, timeout: 3000, autoconnect: false });
    expect((await call(c, 'connect')).err).toBeNull();
    const ops = site.calls.filter((x) => x.device === 'single').map((x) => x.operation);
    expect(ops).toContain('GetCapabilities');
  });

  it('token-mismatch: the package never calls back from connect (issue #369), so callers must race a timer', async () => {
    const c = new Cam({ hostname: ip(15), port: HTTP_PORT, timeout: 3000, autoconnect: false });
    const outcome = await Promise.race([
      call(c, 'connect').then(() => 'called back'),
      new Promise((r) => setTimeout(() => r('no callback'), 1500)),
    ]);
    expect(outcome).toBe('no callback');
  });
});
