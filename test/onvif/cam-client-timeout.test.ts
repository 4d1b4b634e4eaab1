import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamClient } from '../../src/onvif/cam-client.js';
import { DigestVerifier } from '../../src/simulator/auth.js';
import { ErrorCode } from '../../src/util/errors.js';
import { fixture, KOTLIN, listenTracked, type TrackedServer } from './fixtures.js';

const AUTH = { mode: 'digest-only' as const, username: 'admin', password: 'right' };
const CALL_TIMEOUT_MS = 400;
const verifier = new DigestVerifier('cam');
let tracked: TrackedServer;

/**
 * A digest-only device that is slow to challenge (most of a call's time goes on the 401) and never answers
 * GetDeviceInformation; every other call it answers.
 */
beforeAll(async () => {
  tracked = await listenTracked(
    createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const user = verifier.verify(req.headers.authorization, 'POST', AUTH);
        if (user === undefined || user === 'stale') {
          setTimeout(() => {
            res.statusCode = 401;
            res.setHeader('www-authenticate', verifier.challenge(user === 'stale'));
            res.end();
          }, CALL_TIMEOUT_MS / 2);
          return;
        }
        if (body.includes('GetDeviceInformation')) return; // never answers
        res.setHeader('content-type', 'application/soap+xml');
        res.end(fixture(`${KOTLIN}/deviceInfo.xml`).replaceAll('GetDeviceInformationResponse', 'GetScopesResponse'));
      });
    }),
  );
});
afterAll(() => tracked.close());

describe('CamClient call time limit', () => {
  it('a call out of time ends its exchange: the next call gets the connection, not a busy one', async () => {
    const c = new CamClient({
      xaddr: new URL(`http://127.0.0.1:${tracked.port}/onvif/device_service`),
      credentials: { username: AUTH.username, password: AUTH.password },
      callTimeoutMs: CALL_TIMEOUT_MS,
      maxResponseBytes: 1 << 20,
    });
    try {
      // The challenge takes half the call's time, the answered request then hangs: the call's own timer runs out
      // while the second exchange is still on the wire.
      await expect(
        c.call(
          'device',
          'GetDeviceInformation',
          '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
        ),
      ).rejects.toMatchObject({ code: ErrorCode.Timeout });
      const reply = await c.call('device', 'GetScopes', '<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/>');
      expect(reply.body.local).toBe('GetScopesResponse');
    } finally {
      c.close();
    }
  });
});
