import type { Action, CameraRecord } from '../../src/model/camera-records.js';
import { toCameraPayload } from '../../src/reporting/camera-payload.js';
import type { CameraPayload, EventPayload, InventoryPayload } from '../../src/reporting/schemas/index.js';

/** Payloads as a gateway publishes them, for registry tests. */

const ARTICLE: Record<Action, { code: string; article: string }> = {
  block: { code: 'prohibited-zone', article: 'Article 8' },
  flag: { code: 'unclassified-zone', article: '' },
  allow: { code: 'permitted-zone', article: 'Article 9' },
};

/** An internal record, as the agent's scan produces it (for tests that drive the agent's own Reporter). */
export function cameraRecord(id: string, action: Action, zone: string, extra: { model?: string } = {}): CameraRecord {
  const { code, article } = ARTICLE[action];
  return {
    id,
    kind: 'camera',
    endpoint: `urn:uuid:${id}`,
    address: '192.0.2.10',
    xaddr: 'http://192.0.2.10/onvif/device_service',
    manufacturer: 'Acme',
    model: extra.model ?? 'C1',
    scopes: [`onvif://www.onvif.org/location/zone/${zone}`],
    location: { zone, source: 'scope', tags: [`location/zone/${zone}`] },
    decision: { action, reasons: [{ code, rule: 'cn-2025', article, message: `${zone} camera` }] },
    errors: [],
  };
}

/** The same camera as published (every field present, null when unknown). */
export function camera(id: string, action: Action, zone: string, extra: { model?: string } = {}): CameraPayload {
  return toCameraPayload(cameraRecord(id, action, zone, extra));
}

export function status(
  bootId: string,
  ts: string,
  extra: { state?: 'online' | 'stopped'; version?: string; audit?: { head: string; seq: number } } = {},
) {
  return {
    state: extra.state ?? ('online' as const),
    bootId,
    ts,
    version: extra.version ?? '0.1.0',
    policyRevision: 'rev-1',
    cameras: { total: 2, allow: 1, flag: 0, block: 1 },
    outbox: { depth: 3, oldestAgeS: 1.5 },
    ...(extra.audit ? { audit: extra.audit } : {}),
  };
}

export function inventory(bootId: string, ts: string, cameras: CameraPayload[]): InventoryPayload {
  return {
    ts,
    bootId,
    site: 's1',
    gateway: 'gw1',
    scannedAt: ts,
    policyRevision: 'rev-1',
    unit: 'Example Retail Co.',
    location: 'Hangzhou, Xihu',
    cameraCount: cameras.length,
    recorderCount: 0,
    cameraTypes: { 'Acme C1': cameras.length },
    retentionDays: 30,
    filingNumber: 'GA-330106-2025-0042',
    filingDate: '2025-05-10',
    goLiveDate: '2025-04-20',
    cameras,
  };
}

export function event(bootId: string, seq: number, type: string, data: Record<string, unknown> = {}, ts?: string) {
  return {
    ...data,
    id: `${bootId}-${seq}`,
    bootId,
    seq,
    ts: ts ?? new Date(Date.UTC(2026, 10, 29, 10, 0, seq)).toISOString(),
    type,
  } as EventPayload;
}
