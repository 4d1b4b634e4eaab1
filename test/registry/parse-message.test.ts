import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/registry/parse-message.js';
import { parseTopic, registryTopicFilter } from '../../src/registry/topics.js';
import { camera, event, inventory, status } from './payloads.js';

const at = new Date('2026-11-29T10:00:00.000Z');
const parse = (topic: string, payload: unknown, opts: { retained?: boolean; maxBytes?: number } = {}) =>
  parseMessage(
    'camwarden',
    topic,
    Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    opts.retained ?? false,
    { maxBytes: opts.maxBytes ?? 1024 * 1024, receivedAt: at },
  );

describe('registry topics', () => {
  it('subscribes to every gateway, or as the shared group', () => {
    expect(registryTopicFilter('camwarden', false)).toBe('camwarden/+/+/#');
    expect(registryTopicFilter('acme/cw', true)).toBe('$share/camwarden-registry/acme/cw/+/+/#');
  });

  it('routes each topic of a gateway and refuses everything else', () => {
    expect(parseTopic('camwarden', 'camwarden/s1/gw1/status')).toEqual({ kind: 'status', site: 's1', gateway: 'gw1' });
    expect(parseTopic('camwarden', 'camwarden/s1/gw1/cameras/ab:CH1')).toEqual({
      kind: 'camera',
      site: 's1',
      gateway: 'gw1',
      cameraId: 'ab:CH1',
    });
    expect(parseTopic('camwarden', 'camwarden/s1/gw1/request/legal-hold/add')).toMatchObject({
      kind: 'request',
      op: 'legal-hold/add',
    });
    expect(parseTopic('acme/cw', 'acme/cw/s/g/events')).toMatchObject({ kind: 'events', site: 's', gateway: 'g' });
    for (const t of [
      'other/s1/gw1/status',
      'camwarden/s1/gw1',
      'camwarden/s1/gw1/status/extra',
      'camwarden/s1/gw1/cameras',
      'camwarden/s1/gw1/cameras/a/b',
      'camwarden/s1/gw1/request',
      'camwarden/s1/gw1/nonsense',
    ]) {
      expect(parseTopic('camwarden', t), t).toBe('unknown-topic');
    }
    for (const t of [
      "camwarden/s1'--/gw1/status",
      'camwarden/../gw1/status',
      'camwarden/s1/gw 1/status',
      'camwarden/s1/gw1/cameras/..',
      'camwarden/s1/gw1/cameras/a;b',
      `camwarden/s1/gw1/cameras/${'a'.repeat(129)}`,
      'camwarden/s1/gw1/request/Drop Table',
    ]) {
      expect(parseTopic('camwarden', t), t).toBe('invalid-topic-id');
    }
  });
});

describe('parseMessage', () => {
  it('accepts what a gateway publishes, with the sender from the topic', () => {
    const st = parse('camwarden/s1/gw1/status', status('b1', '2026-11-29T10:00:00.000Z'));
    expect(st).toMatchObject({ item: { kind: 'status', site: 's1', gateway: 'gw1', receivedAt: at } });
    expect(parse('camwarden/s1/gw1/status', { state: 'offline', bootId: 'b1' })).toMatchObject({
      item: { kind: 'will', bootId: 'b1' },
    });
    const inv = inventory('b1', '2026-11-29T10:00:00.000Z', [camera('c1', 'block', 'toilet')]);
    // the topic names the sender; the payload's own site does not move it
    expect(parse('camwarden/other/gwX/inventory', inv)).toMatchObject({
      item: { kind: 'inventory', site: 'other', gateway: 'gwX' },
    });
    expect(parse('camwarden/s1/gw1/cameras/c1', camera('c1', 'flag', 'unknown'))).toMatchObject({
      item: { kind: 'camera', cameraId: 'c1' },
    });
    expect(parse('camwarden/s1/gw1/cameras/c1', '')).toMatchObject({ item: { kind: 'camera', record: null } });
    expect(parse('camwarden/s1/gw1/events', event('b1', 4, 'decision.changed', { cameraId: 'c1' }))).toMatchObject({
      item: { kind: 'event', event: { seq: 4, cameraId: 'c1' } },
    });
    const request = {
      transaction: 't1',
      issuedAt: '2026-11-29T10:00:00.000Z',
      expiresAt: '2026-11-29T10:01:00.000Z',
      keyId: '0123456789abcdef',
      args: {},
      signature: 'AAAA',
    };
    expect(parse('camwarden/s1/gw1/request/scan', request, { retained: true })).toMatchObject({
      item: { kind: 'request', op: 'scan', retained: true },
    });
    expect(
      parse('camwarden/s1/gw1/response/scan', {
        transaction: 't1',
        status: 'error',
        error: { code: 'expired', message: 'x' },
      }),
    ).toMatchObject({ item: { kind: 'response', op: 'scan' } });
  });

  it('names why a message is refused', () => {
    const ev = event('b1', 1, 'scan.completed');
    const cases: Array<[string, unknown, string]> = [
      ['camwarden/s1/gw1/events', Buffer.alloc(2000, 0x20), 'too-large'],
      ['camwarden/s1/gw1/bogus', ev, 'unknown-topic'],
      ['camwarden/s 1/gw1/events', ev, 'invalid-topic-id'],
      ['camwarden/s1/gw1/status', '', 'empty-payload'],
      ['camwarden/s1/gw1/events', '{"id":', 'malformed-json'],
      ['camwarden/s1/gw1/events', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'malformed-json'],
      ['camwarden/s1/gw1/events', `${'['.repeat(40)}${']'.repeat(40)}`, 'too-deep'],
      ['camwarden/s1/gw1/events', { ...ev, note: 'a\u0000b' }, 'unstorable-text'],
      ['camwarden/s1/gw1/events', '{"id":"x","note":"\\ud800"}', 'unstorable-text'],
      ['camwarden/s1/gw1/status', { state: 'online' }, 'invalid-status'],
      ['camwarden/s1/gw1/inventory', { ts: 'yesterday' }, 'invalid-inventory'],
      ['camwarden/s1/gw1/cameras/c1', { id: 'c1' }, 'invalid-camera'],
      ['camwarden/s1/gw1/cameras/c1', camera('c2', 'allow', 'public-other'), 'id-mismatch'],
      ['camwarden/s1/gw1/events', { ...ev, seq: 0 }, 'invalid-event'],
      ['camwarden/s1/gw1/events', { ...ev, id: "1'; DROP TABLE events; --" }, 'invalid-event'],
      ['camwarden/s1/gw1/events', { ...ev, bootId: 'a b' }, 'invalid-event'],
      ['camwarden/s1/gw1/events', { ...ev, type: 'Robert"); DROP' }, 'invalid-event'],
      ['camwarden/s1/gw1/request/scan', { transaction: 't' }, 'invalid-request'],
      ['camwarden/s1/gw1/response/scan', { status: 'maybe' }, 'invalid-response'],
    ];
    for (const [topic, payload, reason] of cases) {
      expect(parse(topic, payload, { maxBytes: 1000 }), `${topic} ${reason}`).toMatchObject({ reject: reason });
    }
  });

  it('never throws, whatever the bytes and the topic', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 300 }), (topic, bytes) => {
        const r = parseMessage('camwarden', `camwarden/${topic}`, Buffer.from(bytes), false, {
          maxBytes: 4096,
          receivedAt: at,
        });
        expect('item' in r || 'reject' in r).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const r = parse('camwarden/s/g/events', value);
        expect('item' in r || 'reject' in r).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
