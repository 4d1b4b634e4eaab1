/** Compares a recorder's own MaximumRetentionTime (ONVIF, ISO-8601 duration, PT0S = unlimited) with the policy. */
import type { CameraRecord } from '../model/camera-records.js';
import {
  type CameraRetentionFacts,
  effectiveRetentionDays,
  floorDays,
  isoDurationDays,
  type RetentionPolicy,
  retentionFacts,
} from './rules.js';

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
    const f = byId.get(r.id) ?? retentionFacts(r);
    const floor = floorDays(policy, f);
    const days = effectiveRetentionDays(policy, f);
    const dev = isoDurationDays(r.maximumRetentionTime);
    const base = { camera: r.id, deviceRetention: r.maximumRetentionTime, floorDays: floor, policyDays: days };
    if (dev === undefined) {
      const message = `unparsable MaximumRetentionTime ${JSON.stringify(r.maximumRetentionTime)}`;
      out.push({ ...base, kind: 'invalid-duration', deviceDays: null, message });
    } else if (dev < floor) {
      const message = `recorder keeps ${dev} d, below the legal floor of ${floor} d`;
      out.push({ ...base, kind: 'device-below-floor', deviceDays: dev, message });
    } else if (dev > days) {
      const limited = Number.isFinite(dev);
      const message = `recorder keeps ${limited ? `${dev} d` : 'footage without limit'}, policy deletes after ${days} d`;
      out.push({ ...base, kind: 'device-keeps-longer', deviceDays: limited ? dev : null, message });
    }
  }
  return out;
}
