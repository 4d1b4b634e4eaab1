import { describe, expect, it } from 'vitest';
import {
  cameraRecordSchema,
  eventSchema,
  inventorySchema,
  PAYLOAD_NAMES,
  payloadJsonSchema,
  responseSchema,
  statusSchema,
} from '../../src/reporting/schemas/index.js';

const channel = {
  id: 'nvr-1:VideoSource_2',
  kind: 'camera',
  endpoint: 'urn:uuid:nvr-1',
  address: '192.0.2.20',
  xaddr: 'http://192.0.2.20/onvif/device_service',
  manufacturer: null,
  model: null,
  firmware: null,
  serial: null,
  hardwareId: null,
  mac: null,
  scopes: [],
  location: { zone: 'toilet', source: 'scope', tags: ['toilet'], geo: null },
  decision: {
    action: 'block',
    reasons: [{ code: 'prohibited-zone', rule: 'cn-2025', article: 'Article 8', message: 'toilet' }],
  },
  errors: [],
  parent: 'nvr-1',
  channel: 'VideoSource_2',
  maximumRetentionTime: null,
  earliestRecording: null,
  vendorProfile: null,
  systemClass: null,
  missedScans: 0,
  unverified: false,
};

describe('camera record schema', () => {
  it('accepts a complete record with nulls for what is unknown', () => {
    expect(cameraRecordSchema.safeParse(channel).success).toBe(true);
  });

  it.each(['manufacturer', 'serial', 'parent', 'earliestRecording', 'geo'] as const)(
    'refuses a record that omits %s',
    (field) => {
      const copy = structuredClone(channel) as Record<string, unknown> & { location: Record<string, unknown> };
      if (field === 'geo') delete copy.location.geo;
      else delete copy[field];
      expect(cameraRecordSchema.safeParse(copy).success).toBe(false);
    },
  );

  it.each(['.', '..', 'a/b', 'a#b', '+', 'x'.repeat(129), ''])('refuses the unsafe id %j', (id) => {
    expect(cameraRecordSchema.safeParse({ ...channel, id }).success).toBe(false);
  });

  it('refuses an unknown action', () => {
    expect(cameraRecordSchema.safeParse({ ...channel, decision: { action: 'deny', reasons: [] } }).success).toBe(false);
  });
});

describe('status schema', () => {
  const status = {
    state: 'online',
    bootId: 'b1',
    ts: '2026-11-29T10:00:00.000Z',
    version: '0.1.0',
    policyRevision: 'abc',
    cameras: { total: 1, allow: 0, flag: 0, block: 1 },
    outbox: { depth: 0, oldestAgeS: 0 },
  };

  it('accepts status with and without the audit head, and the last will', () => {
    expect(statusSchema.safeParse(status).success).toBe(true);
    expect(statusSchema.safeParse({ ...status, audit: { head: 'ab12', seq: 3 } }).success).toBe(true);
    expect(statusSchema.safeParse({ state: 'offline', bootId: 'b1' }).success).toBe(true);
  });

  it('refuses a status missing its counters or with a non-hex audit head', () => {
    const { cameras: _c, ...noCounts } = status;
    expect(statusSchema.safeParse(noCounts).success).toBe(false);
    expect(statusSchema.safeParse({ ...status, audit: { head: 'xyz', seq: 3 } }).success).toBe(false);
    expect(statusSchema.safeParse({ state: 'gone', bootId: 'b1' }).success).toBe(false);
  });
});

describe('event schema', () => {
  const envelope = { id: 'b1-1', bootId: 'b1', seq: 1, ts: '2026-11-29T10:00:00.000Z' };

  it('passes the fields of any type through, known or new', () => {
    const ev = { ...envelope, type: 'identity.conflict', cameraId: 'c1', addresses: ['192.0.2.1', '192.0.2.2'] };
    const parsed = eventSchema.parse(ev);
    expect(parsed).toEqual(ev);
  });

  it('is strict about the envelope', () => {
    expect(eventSchema.safeParse({ ...envelope, type: '' }).success).toBe(false);
    expect(eventSchema.safeParse({ ...envelope, seq: 0, type: 'camera.added' }).success).toBe(false);
    expect(eventSchema.safeParse({ ...envelope, ts: 'yesterday', type: 'camera.added' }).success).toBe(false);
    const { id: _id, ...noId } = envelope;
    expect(eventSchema.safeParse({ ...noId, type: 'camera.added' }).success).toBe(false);
  });
});

describe('response and inventory schemas', () => {
  it('requires an error object on error responses', () => {
    expect(responseSchema.safeParse({ transaction: 't', status: 'ok', data: { a: 1 } }).success).toBe(true);
    expect(responseSchema.safeParse({ transaction: null, status: 'error' }).success).toBe(false);
    expect(
      responseSchema.safeParse({ transaction: null, status: 'error', error: { code: 'expired', message: 'm' } })
        .success,
    ).toBe(true);
  });

  it('requires the filing fields', () => {
    const inv = {
      ts: '2026-11-29T10:00:00.000Z',
      bootId: 'b1',
      site: 's1',
      gateway: 'gw1',
      scannedAt: '2026-11-29T10:00:00.000Z',
      policyRevision: 'abc',
      unit: null,
      location: null,
      cameraCount: 1,
      recorderCount: 0,
      cameraTypes: { unknown: 1 },
      retentionDays: 30,
      filingNumber: null,
      filingDate: null,
      goLiveDate: null,
      cameras: [channel],
    };
    expect(inventorySchema.safeParse(inv).success).toBe(true);
    const { retentionDays: _r, ...noRetention } = inv;
    expect(inventorySchema.safeParse(noRetention).success).toBe(false);
  });
});

describe('JSON Schemas', () => {
  it('are generated for every payload, with every camera field required', () => {
    for (const name of PAYLOAD_NAMES) expect(payloadJsonSchema(name).$schema).toContain('2020-12');
    const camera = payloadJsonSchema('camera') as { required: string[] };
    for (const field of ['id', 'endpoint', 'manufacturer', 'hardwareId', 'location', 'parent', 'channel', 'kind']) {
      expect(camera.required).toContain(field);
    }
  });

  it('describe each op’s args beside the request envelope', () => {
    const request = payloadJsonSchema('request') as { $defs: Record<string, { required?: string[] }> };
    expect(request.$defs['legal-hold/add']?.required).toEqual(expect.arrayContaining(['cameraId', 'from', 'to']));
  });
});
