import type { CameraRecord, ScanResult } from '../model/camera-records.js';
import type { CameraPayload, ScanPayload } from './schemas/index.js';

/** Unknown or not applicable → null; an empty string from a device is as unknown as a missing one. */
function known(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

/**
 * The one boundary where an internal record becomes the published camera record (scan --json, `inventory`,
 * `cameras/<id>`): every documented field present, `null` when unknown, nothing internal leaks. docs/mqtt.md.
 */
export function toCameraPayload(record: CameraRecord): CameraPayload {
  const { geo } = record.location;
  return {
    id: record.id,
    kind: record.kind,
    endpoint: known(record.endpoint),
    address: record.address,
    xaddr: known(record.xaddr),
    manufacturer: known(record.manufacturer),
    model: known(record.model),
    firmware: known(record.firmware),
    serial: known(record.serial),
    hardwareId: known(record.hardwareId),
    mac: known(record.mac),
    scopes: [...record.scopes],
    location: {
      zone: record.location.zone,
      source: record.location.source,
      tags: [...record.location.tags],
      geo: geo ? { lat: geo.lat, lon: geo.lon, elevation: geo.elevation ?? null } : null,
    },
    decision: {
      action: record.decision.action,
      reasons: record.decision.reasons.map((r) => ({
        code: r.code,
        rule: r.rule,
        article: r.article,
        message: r.message,
      })),
    },
    errors: record.errors.map((e) => ({ code: e.code, message: e.message })),
    parent: known(record.parent),
    channel: known(record.channel),
    maximumRetentionTime: known(record.maximumRetentionTime),
    earliestRecording: known(record.earliestRecording),
    vendorProfile: known(record.vendorProfile),
    systemClass: known(record.systemClass),
    missedScans: record.missedScans ?? 0,
    unverified: record.unverified === true,
  };
}

/** `scan --json`: the scan result with every camera record in its published shape. */
export function toScanPayload(result: ScanResult): ScanPayload {
  return {
    site: result.site,
    gateway: result.gateway,
    scannedAt: result.scannedAt,
    policyRevision: result.policyRevision,
    cameras: result.cameras.map(toCameraPayload),
    errors: result.errors.map((e) => ({ source: e.source, code: e.code, message: e.message })),
  };
}
