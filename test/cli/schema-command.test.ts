import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EVENT_TYPE_NAMES } from '../../src/model/event-types.js';
import { captureIo } from '../helpers/cli-io.js';
import { expectValid, publishedValidators } from '../helpers/json-schema.js';

const NAMES = ['scan', 'status', 'inventory', 'camera', 'event', 'request', 'response'];

describe('camwarden schema', () => {
  it('prints every payload’s JSON Schema keyed by name when given no name', async () => {
    const t = captureIo();
    expect(await main(['schema'], t.io)).toBe(0);
    expect(Object.keys(JSON.parse(t.out()))).toEqual(NAMES);
  });

  it.each(NAMES)('prints the schema of %s alone', async (name) => {
    const t = captureIo();
    expect(await main(['schema', name], t.io)).toBe(0);
    const schema = JSON.parse(t.out()) as { $schema: string; title: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toContain('camwarden');
  });

  it('exits 2 naming the payload on an unknown name or too many names', async () => {
    const a = captureIo();
    expect(await main(['schema', 'cameras'], a.io)).toBe(2);
    expect(a.err()).toContain('"cameras"');
    expect(a.err()).toContain('known: scan, status');
    const b = captureIo();
    expect(await main(['schema', 'scan', 'status'], b.io)).toBe(2);
  });

  it('the published schemas compile strictly and tell good payloads from bad ones', async () => {
    const v = await publishedValidators();
    const event = { id: 'b-1', bootId: 'b', seq: 1, ts: '2026-01-01T00:00:00.000Z', type: 'hello.dropped', n: 3 };
    expectValid(v.event, event, 'event');
    expect(v.event?.({ ...event, seq: 0 })).toBe(false);
    expectValid(v.status, { state: 'offline', bootId: 'b' }, 'last will');
    expect(v.response?.({ transaction: 't', status: 'error' })).toBe(false);
    const t = captureIo();
    await main(['schema', 'camera'], t.io);
    const camera = JSON.parse(t.out()) as { required: string[] };
    for (const field of ['manufacturer', 'model', 'firmware', 'serial', 'hardwareId', 'parent', 'channel']) {
      expect(camera.required).toContain(field);
    }
  });

  it('the event schema describes what each known type carries, beside the envelope', async () => {
    const t = captureIo();
    await main(['schema', 'event'], t.io);
    const schema = JSON.parse(t.out()) as { $defs: Record<string, { description: string }> };
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(EVENT_TYPE_NAMES));
    expect(schema.$defs['decision.changed']?.description).toContain('critical');
    expect(schema.$defs['scan.completed']?.description).not.toContain('critical');
    const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
    const decisionChanged = ajv.compile(schema.$defs['decision.changed'] ?? {});
    const event = {
      id: 'b-2',
      bootId: 'b',
      seq: 2,
      ts: '2026-01-01T00:00:00.000Z',
      type: 'decision.changed',
      cameraId: 'cam-1',
      previousAction: 'allow',
      action: 'block',
      reasons: [{ code: 'prohibited-zone', rule: 'cn-2025', article: 'Article 8', message: 'toilet' }],
      zone: 'toilet',
    };
    expectValid(decisionChanged, event, 'decision.changed');
    expect(decisionChanged({ ...event, action: 'maybe' })).toBe(false);
    const { reasons: _r, ...withoutReasons } = event;
    expect(decisionChanged(withoutReasons)).toBe(false);
  });
});
