import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestAuth, parseDigestChallenge } from '../../src/onvif/digest-auth.js';
import { DeviceClock, soapEnvelope, usernameToken } from '../../src/onvif/ws-security.js';
import { DigestVerifier, parseDigestHeader, verifyUsernameToken } from '../../src/simulator/auth.js';

const CREDS = { username: 'admin', password: 'pässwort' };
const AUTH = { mode: 'both' as const, ...CREDS };
const header = (xml: string): string => /<s:Header>(.*)<\/s:Header>/s.exec(xml)?.[1] ?? '';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('WS-UsernameToken', () => {
  it('is what a device verifies: SHA-1 digest over nonce, Created and the UTF-8 password', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const token = usernameToken(CREDS, now);
    expect(verifyUsernameToken(token, AUTH, now.getTime(), 5000)).toEqual({ kind: 'valid', user: 'admin' });
    expect(verifyUsernameToken(token, { ...AUTH, password: 'other' }, now.getTime(), 5000).kind).toBe('invalid');
  });

  it('escapes the username and uses a fresh nonce each time', () => {
    const a = usernameToken({ username: 'a<b&c', password: 'x' }, new Date());
    expect(a).toContain('<Username>a&lt;b&amp;c</Username>');
    const nonces = [1, 2, 3].map(() => /<Nonce[^>]*>([^<]+)</.exec(usernameToken(CREDS, new Date()))?.[1]);
    expect(new Set(nonces).size).toBe(3);
  });

  it('dates the token by the device clock once known, by ours before', () => {
    const clock = new DeviceClock();
    const created = (xml: string): number => Date.parse(/<Created[^>]*>([^<]+)</.exec(xml)?.[1] ?? '');
    expect(Math.abs(created(soapEnvelope('<X/>', CREDS, clock)) - Date.now())).toBeLessThan(60_000);
    const deviceNow = Date.now() - 3 * 3600_000; // the device runs three hours behind
    clock.learn(new Date(deviceNow));
    clock.learn(new Date(0)); // later answers do not move it
    const env = soapEnvelope('<X/>', CREDS, clock);
    expect(Math.abs(created(env) - deviceNow)).toBeLessThan(60_000);
    expect(verifyUsernameToken(header(env), AUTH, deviceNow, 60_000).kind).toBe('valid');
  });

  it('without credentials (or with an empty password) the envelope carries no token', () => {
    expect(soapEnvelope('<X/>', undefined, new DeviceClock())).not.toContain('UsernameToken');
    expect(soapEnvelope('<X/>', { username: 'admin', password: '' }, new DeviceClock())).not.toContain('Security');
    expect(soapEnvelope('<GetScopes/>', CREDS, new DeviceClock())).toMatch(/<s:Body[^>]*><GetScopes\/><\/s:Body>/);
  });
});

describe('HTTP Digest', () => {
  it('answers a challenge the device verifies, with qop=auth and an increasing hex nonce count', () => {
    const verifier = new DigestVerifier('cam');
    const auth = new DigestAuth(CREDS);
    const challenge = verifier.challenge(false);
    const counts: string[] = [];
    for (let i = 0; i < 17; i++) {
      const answer = auth.answer([challenge], { method: 'POST', path: '/onvif/device_service' }) ?? '';
      expect(verifier.verify(answer, 'POST', AUTH)).toBe('admin');
      counts.push(parseDigestHeader(answer)?.nc ?? '');
    }
    expect(counts.slice(0, 2)).toEqual(['00000001', '00000002']);
    expect(counts.at(-1)).toBe('00000011');
  });

  it('prefers SHA-256 when a device offers it besides MD5, and echoes realm, nonce and opaque', () => {
    const auth = new DigestAuth(CREDS);
    const answer =
      auth.answer(
        [
          'Digest realm="IP Camera", qop="auth", nonce="n1", algorithm=MD5',
          'Digest realm="IP Camera", qop="auth,auth-int", nonce="n1", opaque="op", algorithm=SHA-256',
        ],
        { method: 'POST', path: '/p' },
      ) ?? '';
    const d = parseDigestHeader(answer) ?? {};
    expect(d).toMatchObject({ algorithm: 'SHA-256', realm: 'IP Camera', nonce: 'n1', opaque: 'op', qop: 'auth' });
    const ha1 = sha256(`admin:IP Camera:${CREDS.password}`);
    const ha2 = sha256('POST:/p');
    expect(d.response).toBe(sha256(`${ha1}:n1:${d.nc}:${d.cnonce}:auth:${ha2}`));
  });

  it('answers a challenge without qop the RFC 2069 way', () => {
    const answer = new DigestAuth(CREDS).answer(['Digest realm="r", nonce="n"'], { method: 'POST', path: '/p' });
    const d = parseDigestHeader(answer ?? '') ?? {};
    expect(d.qop).toBeUndefined();
    expect(d.nc).toBeUndefined();
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    expect(d.response).toBe(md5(`${md5(`admin:r:${CREDS.password}`)}:n:${md5('POST:/p')}`));
  });

  it('refuses what it cannot answer: unknown algorithms, auth-int alone, no nonce, not Digest', () => {
    const auth = new DigestAuth(CREDS);
    const req = { method: 'POST', path: '/p' };
    expect(auth.answer(['Digest realm="r", nonce="n", algorithm=MD5-sess, qop="auth"'], req)).toBeNull();
    expect(auth.answer(['Digest realm="r", nonce="n", qop="auth-int"'], req)).toBeNull();
    expect(auth.answer(['Digest realm="r"'], req)).toBeNull();
    expect(auth.answer(['Basic realm="r"'], req)).toBeNull();
  });

  it('parses quoted values holding commas and escaped quotes', () => {
    expect(parseDigestChallenge('Digest realm="a, \\"b\\"", qop="auth,auth-int", nonce=abc, stale=FALSE')).toEqual({
      realm: 'a, "b"',
      qop: 'auth,auth-int',
      nonce: 'abc',
      stale: 'FALSE',
    });
    expect(parseDigestChallenge('Digest realm="unterminated')).toBeUndefined();
  });
});
