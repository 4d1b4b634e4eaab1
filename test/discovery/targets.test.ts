import { describe, expect, it } from 'vitest';
import { expandTargets } from '../../src/discovery/targets.js';
import { UsageError } from '../../src/util/errors.js';

describe('expandTargets', () => {
  it('hosts, short and long ranges, CIDR; distinct, in order', () => {
    expect(expandTargets(['127.0.0.5'], 100)).toEqual(['127.0.0.5']);
    expect(expandTargets(['127.0.0.1-3'], 100)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(expandTargets(['127.0.0.254-127.0.1.1'], 100)).toEqual([
      '127.0.0.254',
      '127.0.0.255',
      '127.0.1.0',
      '127.0.1.1',
    ]);
    expect(expandTargets(['10.1.2.0/30'], 100)).toEqual(['10.1.2.1', '10.1.2.2']);
    expect(expandTargets(['10.1.2.0/24'], 1000)).toHaveLength(254);
    expect(expandTargets(['10.1.2.7/32', '10.1.2.7'], 10)).toEqual(['10.1.2.7']);
  });
  it.each(['10.0.0', '10.0.0.256', '10.0.0.9-3', '10.0.0.1/33', 'camera.local', '10.0.0.1-300', '1.2.3.4/x'])(
    'bad target %s → UsageError naming it',
    (t) => {
      expect(() => expandTargets([t], 100)).toThrow(UsageError);
      expect(() => expandTargets([t], 100)).toThrow(t);
    },
  );
  it('caps the count', () => {
    expect(() => expandTargets(['10.0.0.0/8'], 4096)).toThrow(/cap|more than/);
    expect(() => expandTargets(['10.0.0.0/24', '10.0.1.0/24'], 300)).toThrow(/more than 300/);
  });
});
