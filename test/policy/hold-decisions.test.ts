import { describe, expect, it } from 'vitest';
import type { Action, CameraRecord } from '../../src/model/camera-records.js';
import { holdDecisions } from '../../src/policy/hold-decisions.js';

function cam(id: string, action: Action, over: Partial<CameraRecord> = {}): CameraRecord {
  return {
    id,
    kind: 'camera',
    endpoint: `urn:uuid:${id}`,
    address: '10.0.0.10',
    xaddr: 'http://10.0.0.10/onvif/device_service',
    scopes: [],
    location: { zone: action === 'block' ? 'toilet' : 'public-other', source: 'scope', tags: [] },
    decision: {
      action,
      reasons:
        action === 'block'
          ? [{ code: 'prohibited-zone', rule: 'cn-2025', article: 'Article 8', message: 'toilet' }]
          : [],
    },
    errors: [],
    ...over,
  };
}
const codes = (r: CameraRecord | undefined) => r?.decision.reasons.map((x) => x.code);

describe('sticky blocks', () => {
  const before = [cam('a', 'block')];

  it('a blocked camera that cannot be re-verified stays block, as it was, with unverified-device added', () => {
    for (const now of [
      cam('a', 'flag', { unverified: true, errors: [{ code: 'unauthorized', message: 'NotAuthorized' }] }),
      cam('a', 'allow', { address: '10.0.0.66', location: { zone: 'public-other', source: 'scope', tags: [] } }),
      cam('a', 'block', { missedScans: 2 }),
    ]) {
      const [held] = holdDecisions([now], { previous: before, rule: 'cn-2025' });
      expect(held?.decision.action).toBe('block');
      expect(codes(held)).toEqual(['unverified-device', 'prohibited-zone']);
      expect(held?.address).toBe('10.0.0.10');
      expect(held?.location.zone).toBe('toilet');
      expect(held?.errors).toEqual(now.errors);
      expect(held?.missedScans).toBe(now.missedScans);
    }
  });

  it('an authenticated interrogation decides on its own: a location no longer prohibited lifts the block', () => {
    const [r] = holdDecisions([cam('a', 'allow', { authenticated: true })], { previous: before, rule: 'cn-2025' });
    expect(r?.decision.action).toBe('allow');
  });

  it('an operator release lifts the stickiness once; still unverified, the camera becomes flag', () => {
    const released = new Set(['a']);
    const [unverified] = holdDecisions([cam('a', 'block', { unverified: true })], {
      previous: before,
      released,
      rule: 'cn-2025',
    });
    expect(unverified?.decision.action).toBe('flag');
    expect(codes(unverified)).toContain('unverified-device');
    const [allowed] = holdDecisions([cam('a', 'allow')], { previous: before, released, rule: 'cn-2025' });
    expect(allowed?.decision.action).toBe('flag');
    const [verified] = holdDecisions([cam('a', 'allow', { authenticated: true })], {
      previous: before,
      released,
      rule: 'cn-2025',
    });
    expect(verified?.decision.action).toBe('allow');
  });

  it('an authenticated answer that did not read the location holds the block, at the address it proved', () => {
    const moved = cam('a', 'allow', { authenticated: true, locationUnread: true, address: '10.0.0.99' });
    const [r] = holdDecisions([moved], { previous: before, rule: 'cn-2025' });
    expect(r?.decision.action).toBe('block');
    expect(codes(r)).toEqual(['unverified-device', 'prohibited-zone']);
    expect(r?.location.zone).toBe('toilet');
    expect(r?.address).toBe('10.0.0.99');
    expect(r?.locationUnread).toBeUndefined();
    // released by an operator, it is decided again, but never allowed on a location nobody read
    const [released] = holdDecisions([moved], { previous: before, released: new Set(['a']), rule: 'cn-2025' });
    expect(released?.decision.action).toBe('flag');
  });

  it('a block whose record was lost (only the enforcement state has it) is held on this scan’s record', () => {
    const lost = { previous: undefined, blockedWithoutRecord: new Set(['a']), rule: 'cn-2025' };
    const errors = [{ code: 'unauthorized', message: 'NotAuthorized' }];
    const [held] = holdDecisions([cam('a', 'flag', { unverified: true, errors })], lost);
    expect(held?.decision.action).toBe('block');
    expect(codes(held)).toEqual(['unverified-device']);
    expect(held).toMatchObject({ address: '10.0.0.10', errors, unverified: true });
    expect(holdDecisions([cam('a', 'allow', { authenticated: true, locationUnread: true })], lost)[0]).toMatchObject({
      decision: { action: 'block' },
    });
    expect(holdDecisions([cam('a', 'allow', { authenticated: true })], lost)[0]?.decision.action).toBe('allow');
    const released = holdDecisions([cam('a', 'allow')], { ...lost, released: new Set(['a']) })[0];
    expect(released?.decision.action).toBe('flag');
    expect(holdDecisions([cam('b', 'allow')], lost)[0]?.decision.action).toBe('allow');
  });

  it('a camera that was not block is decided as the policy says', () => {
    const [r] = holdDecisions([cam('a', 'allow')], { previous: [cam('a', 'flag')], rule: 'cn-2025' });
    expect(r?.decision.action).toBe('allow');
  });

  it('a device claiming another camera’s identity is never allowed', () => {
    const claimant = cam('b', 'allow', { errors: [{ code: 'identity-conflict', message: 'claims camera a' }] });
    const [r] = holdDecisions([claimant], { previous: [], rule: 'cn-2025' });
    expect(r?.decision).toEqual({
      action: 'flag',
      reasons: [
        { code: 'unverified-device', rule: 'cn-2025', article: expect.any(String), message: 'claims camera a' },
      ],
    });
    const [blocked] = holdDecisions([{ ...claimant, decision: cam('b', 'block').decision }], {
      previous: [],
      rule: 'cn-2025',
    });
    expect(blocked?.decision.action).toBe('block');
  });
});
