import { describe, expect, it } from 'vitest';
import { OrderedAcks } from '../../src/reporting/ordered-acks.js';

describe('OrderedAcks', () => {
  it('acknowledges in arrival order: a message settled early waits for those before it', () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id));
    const settle = [acks.take(7), acks.take(3), acks.take(9)];
    settle[2]?.();
    settle[1]?.();
    expect(sent).toEqual([]);
    expect(acks.waiting).toBe(3);
    settle[0]?.();
    expect(sent).toEqual([7, 3, 9]);
    expect(acks.waiting).toBe(0);
  });

  it('acknowledges a message once however often it is settled, and never one not settled', () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id));
    const first = acks.take(1);
    acks.take(2);
    first();
    first();
    expect(sent).toEqual([1]);
    expect(acks.waiting).toBe(1);
  });
});
