import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashEntry } from '../../src/audit/audit-entry.js';
import { signRequest, verifySignature } from '../../src/reporting/requests/signing.js';
import { backoffDelay } from '../../src/util/backoff.js';
import { keyIdOf } from '../../src/util/ed25519-keys.js';
import { canonicalize } from '../../src/util/jcs.js';

describe('RFC 8785 JCS', () => {
  it('canonicalizes the example of RFC 8785 section 3.2.2', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });
  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis","</script>":"Browser Challenge"}',
    );
    // Object.keys would hoist "1" (an array index), so read the order from the text itself
    const out = canonicalize(input);
    const order = [...out.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`));
    expect(order).toEqual(['\r', '1', '</script>', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });
  it('serialises numbers as ECMAScript does (RFC Appendix B samples)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [9007199254740992, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [5e-324, '5e-324'],
      [-1.7976931348623157e308, '-1.7976931348623157e+308'],
    ];
    for (const [n, s] of cases) expect(canonicalize(n)).toBe(s);
    expect(() => canonicalize(Number.NaN)).toThrow();
    expect(canonicalize({ b: [1, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":2,"d":1}]}');
  });
});

describe('request signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const req = { transaction: 't1', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:05:00Z', args: {} };
  it('signs topic + JCS and verifies; any change breaks it', () => {
    const signed = signRequest('camwarden/s/g/request/scan', req, privateKey);
    expect(signed.keyId).toBe(keyIdOf(publicKey));
    expect(signed.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(signed.signature, 'base64')).toHaveLength(64);
    expect(verifySignature('camwarden/s/g/request/scan', signed, publicKey)).toBe(true);
    expect(verifySignature('camwarden/s/g/request/sweep', signed, publicKey)).toBe(false);
    expect(verifySignature('camwarden/s/g/request/scan', { ...signed, transaction: 't2' }, publicKey)).toBe(false);
    // key order does not matter (JCS)
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    expect(verifySignature('camwarden/s/g/request/scan', reordered, publicKey)).toBe(true);
  });
});

describe('audit chain hashes use the same canonical JSON', () => {
  it('hash an entry exactly as before the two canonical-JSON functions became one', () => {
    const entry = {
      seq: 7,
      ts: '2026-01-02T03:04:05.000Z',
      kind: 'request',
      data: {
        op: 'legal-hold/add',
        n: [1.5, 1e21, -0, null],
        s: '€\u000f<"',
        nested: { b: 1, a: { ö: true, '1': false } },
      },
      prev: '0'.repeat(64),
    };
    // recorded with the audit's former canonicalJson: logs written before still verify
    expect(hashEntry(entry)).toBe('d969aa89fe96102d5b6089f0fd7ae199b91cab2a70139289f1b8f0745bbfb298');
  });
});

describe('backoff', () => {
  const full = (random: () => number) => ({ baseMs: 1000, maxMs: 300_000, jitter: 'full' as const, random });
  it('with full jitter stays within [0, min(max, base*2^n)]', () => {
    expect(
      backoffDelay(
        0,
        full(() => 0.999),
      ),
    ).toBeLessThan(1000);
    expect(
      backoffDelay(
        3,
        full(() => 0.5),
      ),
    ).toBe(4000);
    expect(
      backoffDelay(
        40,
        full(() => 0.999),
      ),
    ).toBeLessThan(300_000);
    expect(
      backoffDelay(
        40,
        full(() => 0.999),
      ),
    ).toBeGreaterThan(299_000);
  });
  it('without jitter is the ceiling: base, 2·base, 4·base … capped (enforcement retries)', () => {
    const none = { baseMs: 2000, maxMs: 10_000, jitter: 'none' as const };
    expect([0, 1, 2, 3, 50].map((n) => backoffDelay(n, none))).toEqual([2000, 4000, 8000, 10_000, 10_000]);
  });
});
