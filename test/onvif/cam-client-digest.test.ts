import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CamClient } from '../../src/onvif/cam-client.js';
import { DigestVerifier } from '../../src/simulator/auth.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';
import { fixture, KOTLIN, listenTracked, type TrackedServer } from './fixtures.js';

const AUTH = { mode: 'digest-only' as const, username: 'admin', password: 'right' };
const DEVICE_INFO = '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>';

/** A digest-only device (the simulator's verifier) that counts requests and can forget its nonces. */
let verifier = new DigestVerifier('cam');
const seen = { requests: 0, challenged: 0, authorizations: [] as string[] };
let tracked: TrackedServer;

beforeAll(async () => {
  tracked = await listenTracked(
    createServer((req, res) => {
      seen.requests++;
      req.resume();
      req.on('end', () => {
        const user = verifier.verify(req.headers.authorization, 'POST', AUTH);
        if (req.headers.authorization) seen.authorizations.push(req.headers.authorization);
        if (user === undefined || user === 'stale') {
          seen.challenged++;
          res.statusCode = 401;
          res.setHeader('www-authenticate', verifier.challenge(user === 'stale'));
          // Hikvision's 401 page: HTML with a DOCTYPE, which the connection guard refuses if it is ever read.
          res.end('<!DOCTYPE html><html><head><title>Document Error: Unauthorized</title></head></html>');
          return;
        }
        res.setHeader('content-type', 'application/soap+xml');
        res.end(fixture(`${KOTLIN}/deviceInfo.xml`));
      });
    }),
  );
});
afterAll(() => tracked.close());
beforeEach(() => {
  verifier = new DigestVerifier('cam');
  seen.requests = 0;
  seen.challenged = 0;
  seen.authorizations = [];
});

/** Runs `fn` with a client of the device, closed afterwards whatever happens. */
async function withClient(fn: (c: CamClient) => Promise<void>, password = AUTH.password): Promise<void> {
  const c = new CamClient({
    xaddr: new URL(`http://127.0.0.1:${tracked.port}/onvif/device_service`),
    credentials: { username: AUTH.username, password },
    callTimeoutMs: 3000,
    maxResponseBytes: 1 << 20,
  });
  try {
    await fn(c);
  } finally {
    c.close();
  }
}

describe('CamClient against a digest-only device', () => {
  it('answers the challenge once and reuses it with an increasing nonce count: one round trip per call', async () => {
    await withClient(async (c) => {
      for (let i = 0; i < 5; i++) {
        const reply = await c.call('device', 'GetDeviceInformation', DEVICE_INFO);
        expect(reply.xml).toContain('M2025-LE');
      }
    });
    expect(seen.challenged).toBe(1);
    expect(seen.requests).toBe(6);
    const counts = seen.authorizations.map((a) => /\bnc=(\d+)/.exec(a)?.[1]);
    expect(counts).toEqual(['00000001', '00000002', '00000003', '00000004', '00000005']);
  });

  it('a remembered challenge the device no longer accepts is answered afresh, once', async () => {
    await withClient(async (c) => {
      await c.call('device', 'GetDeviceInformation', DEVICE_INFO);
      verifier = new DigestVerifier('cam'); // the device restarted: every nonce it issued is unknown now
      const reply = await c.call('device', 'GetDeviceInformation', DEVICE_INFO);
      expect(reply.xml).toContain('M2025-LE');
    });
    expect(seen.challenged).toBe(2);
    expect(seen.requests).toBe(4);
  });

  it('wrong credentials are refused as unauthorized after one answered challenge, never in a loop', async () => {
    await withClient(async (c) => {
      const err = await c.call('device', 'GetDeviceInformation', DEVICE_INFO).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CamwardenError);
      expect((err as CamwardenError).code).toBe(ErrorCode.Unauthorized);
    }, 'wrong');
    expect(seen.requests).toBe(2);
  });
});
