import type { ScanResult } from '../model/camera-records.js';
import { toCameraPayload } from './camera-payload.js';
import type { InventoryPayload } from './schemas/index.js';

/** Art 14 filing facts the inventory carries; what is not known is published as null. */
export interface FilingFields {
  unit?: string | undefined;
  location?: string | undefined;
  /** The shortest retention the site keeps, in days. */
  retentionDays?: number | undefined;
  filingNumber?: string | undefined;
  filingDate?: string | undefined;
  goLiveDate?: string | undefined;
}

/** Retention the inventory reports when the caller knows none: the Art 17 minimum. */
const DEFAULT_REPORTED_RETENTION_DAYS = 30;

function known(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

/** The retained `<base>/inventory` document of one scan. */
export function toInventoryPayload(
  scan: ScanResult,
  filing: FilingFields,
  meta: { ts: string; bootId: string },
): InventoryPayload {
  const cameras = scan.cameras.map(toCameraPayload);
  const cameraTypes: Record<string, number> = {};
  for (const c of cameras) {
    const type = [c.manufacturer, c.model].filter(Boolean).join(' ') || 'unknown';
    cameraTypes[type] = (cameraTypes[type] ?? 0) + 1;
  }
  const cameraCount = cameras.filter((c) => c.kind === 'camera').length;
  return {
    ts: meta.ts,
    bootId: meta.bootId,
    site: scan.site,
    gateway: scan.gateway,
    scannedAt: scan.scannedAt,
    policyRevision: scan.policyRevision,
    unit: known(filing.unit),
    location: known(filing.location),
    cameraCount,
    recorderCount: cameras.length - cameraCount,
    cameraTypes,
    retentionDays: filing.retentionDays ?? DEFAULT_REPORTED_RETENTION_DAYS,
    filingNumber: known(filing.filingNumber),
    filingDate: known(filing.filingDate),
    goLiveDate: known(filing.goLiveDate),
    cameras,
  };
}
