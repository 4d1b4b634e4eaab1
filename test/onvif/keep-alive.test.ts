import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CamClient } from '../../src/onvif/cam-client.js';
import { ErrorCode } from '../../src/util/errors.js';
import { waitFor } from '../helpers/wait-for.js';
import { listenTracked, type TrackedServer } from './fixtures.js';

const envelope = (inner: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${inner}</s:Body></s:Envelope>`;

let server: Server;
let port = 0;
let tracked: TrackedServer;
const stats = { connections: 0, inFlight: 0, maxInFlight: 0 };
/** Padding per operation name, to size responses. */
const padding: Record<string, number> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const op = /Body[^>]*>\s*<(\w+)/.exec(body)?.[1] ?? 'Unknown';
      // Answer a little later, so calls sent together would overlap here if the client let them.
      setTimeout(() => {
        stats.inFlight--;
        res.setHeader('content-type', 'application/soap+xml');
        res.end(envelope(`<${op}Response><Pad>${'x'.repeat(padding[op] ?? 0)}</Pad></${op}Response>`));
      }, 20);
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', () => stats.connections++);
  tracked = await listenTracked(server);
  port = tracked.port;
});

afterAll(async () => {
  await tracked.close();
});

beforeEach(() => {
  Object.assign(stats, { connections: 0, inFlight: 0, maxInFlight: 0 });
  for (const k of Object.keys(padding)) delete padding[k];
});

function client(maxResponseBytes = 64 * 1024): CamClient {
  return new CamClient({
    xaddr: new URL(`http://127.0.0.1:${port}/onvif/device_service`),
    credentials: { username: 'admin', password: 'pw' },
    callTimeoutMs: 2000,
    maxResponseBytes,
  });
}

const ops = ['GetDeviceInformation', 'GetScopes', 'GetServices', 'GetProfiles'];
const call = (c: CamClient, op: string) =>
  c.call('device', op, `<${op} xmlns="http://www.onvif.org/ver10/device/wsdl"/>`);

describe('device session connections', () => {
  it('sends calls made together one at a time over one kept-alive connection', async () => {
    const c = client();
    try {
      const replies = await Promise.all(ops.map((op) => call(c, op)));
      expect(replies.map((r) => r.body.local)).toEqual(ops.map((op) => `${op}Response`));
      expect(stats.maxInFlight).toBe(1);
      expect(stats.connections).toBe(1);
    } finally {
      c.close();
    }
  });

  it('gives every response on a reused connection the full size cap, and still enforces it', async () => {
    const c = client(6000);
    try {
      for (const op of ops) padding[op] = 4000; // each fits, together they are far over the cap
      await Promise.all(ops.map((op) => call(c, op)));
      expect(stats.connections).toBe(1);
      padding.GetRecordings = 7000;
      await expect(call(c, 'GetRecordings')).rejects.toMatchObject({ code: ErrorCode.ResponseTooLarge });
      // The connection that broke the cap is gone; the session goes on with a new one.
      await expect(call(c, 'GetScopes')).resolves.toMatchObject({ body: { local: 'GetScopesResponse' } });
      expect(stats.connections).toBe(2);
    } finally {
      c.close();
    }
  });

  it('close() ends the kept-alive connection', async () => {
    const c = client();
    await call(c, 'GetScopes');
    expect(tracked.sockets.size).toBe(1);
    c.close();
    // the server sees the close when its event loop gets to it: a loaded machine can take longer than a moment
    await waitFor('the server to see the connection end', () => (tracked.sockets.size === 0 ? true : undefined));
    await expect(call(c, 'GetScopes')).rejects.toMatchObject({ code: ErrorCode.Timeout });
  });
});
