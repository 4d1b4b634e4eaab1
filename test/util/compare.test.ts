import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareAddresses, compareText } from '../../src/util/compare.js';

describe('locale-free comparators', () => {
  it('orders IPv4 addresses numerically, then other addresses by code unit', () => {
    const sorted = ['host-b', '10.0.0.10', 'Host-a', '10.0.0.010', '10.0.1.1', '9.255.255.255', '10.0.0.9'].sort(
      compareAddresses,
    );
    expect(sorted).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.010', '10.0.0.10', '10.0.1.1', 'Host-a', 'host-b']);
  });

  it('is a total order consistent with equality', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const address = fc.oneof(ipv4, fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(address, address, address, (a, b, c) => {
        expect(Math.sign(compareAddresses(a, b)) + 0).toBe(-Math.sign(compareAddresses(b, a)) + 0); // + 0: -0 is 0 here
        expect(compareAddresses(a, b) === 0).toBe(a === b);
        if (compareAddresses(a, b) <= 0 && compareAddresses(b, c) <= 0)
          expect(compareAddresses(a, c)).toBeLessThanOrEqual(0);
        expect(Math.sign(compareText(a, b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});
