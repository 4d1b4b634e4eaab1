/** Compares a recorder's own MaximumRetentionTime (ONVIF, ISO-8601 duration, PT0S = unlimited) with the policy. */
import type { CameraRecord } from '../inventory/types.js';
import type { RetentionPolicy } from '../profiles/types.js';
import { type CameraRetentionFacts, effectiveRetentionDays, floorDays } from './policy.js';

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Days of an ISO-8601 duration (Y = 365 d, M = 30 d); Infinity for PT0S (unlimited); undefined if invalid. */
export function isoDurationDays(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4) + n(5) / 24 + n(6) / 1440 + n(7) / 86400;
  return days === 0 ? Number.POSITIVE_INFINITY : days;
}

export interface RetentionMismatch {
  camera: string;
  kind: 'device-below-floor' | 'device-keeps-longer' | 'invalid-duration';
  deviceRetention: string;
  deviceDays: number | null;
  floorDays: number;
  policyDays: number;
  message: string;
}

export function retentionMismatches(
  records: readonly CameraRecord[],
  policy: RetentionPolicy,
  facts: readonly CameraRetentionFacts[] = [],
): RetentionMismatch[] {
  const byId = new Map(facts.map((f) => [f.id, f]));
  const out: RetentionMismatch[] = [];
  for (const r of records) {
    if (r.maximumRetentionTime === undefined) continue;
    const f = byId.get(r.id) ?? {
      id: r.id,
      overlays: [],
      blocked: false,
      ...(r.systemClass ? { systemClass: r.systemClass } : {}),
      ...(r.location?.zone ? { zone: r.location.zone } : {}),
    };
    const floor = floorDays(policy, f);
    const days = effectiveRetentionDays(policy, f);
    const dev = isoDurationDays(r.maximumRetentionTime);
    const base = { camera: r.id, deviceRetention: r.maximumRetentionTime, floorDays: floor, policyDays: days };
    if (dev === undefined) {
      out.push({
        ...base,
        kind: 'invalid-duration',
        deviceDays: null,
        message: `unparsable MaximumRetentionTime ${JSON.stringify(r.maximumRetentionTime)}`,
      });
    } else if (dev < floor) {
      out.push({
        ...base,
        kind: 'device-below-floor',
        deviceDays: dev,
        message: `recorder keeps ${dev} d, below the legal floor of ${floor} d`,
      });
    } else if (dev > days) {
      out.push({
        ...base,
        kind: 'device-keeps-longer',
        deviceDays: Number.isFinite(dev) ? dev : null,
        message: `recorder keeps ${Number.isFinite(dev) ? `${dev} d` : 'footage without limit'}, policy deletes after ${days} d`,
      });
    }
  }
  return out;
}
