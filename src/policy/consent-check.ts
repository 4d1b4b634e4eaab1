/**
 * Art 10 consent: a consent record clears a consent-required flag only when it is valid now, names the camera, was
 * given by a unit of the flag's kind (military for a military zone, the state organ, the confidential unit) and,
 * for a flag that comes from a geofence, names that geofence. A consent naming a fence clears no other flag.
 */
import type { CameraRecord } from '../model/camera-records.js';
import type { CameraAssignment, ConsentRecord } from '../profiles/types.js';
import type { Finding } from './finding.js';
import { type CameraRecordIndex, namedRecord } from './site-index.js';

export function consentValidAt(c: ConsentRecord, now: number): boolean {
  const from = Date.parse(c.date);
  const until = c.expires === undefined ? Number.POSITIVE_INFINITY : Date.parse(c.expires);
  return Number.isFinite(from) && from <= now && until > now;
}

/** Whether a consent on record clears this finding for this camera. */
export function clearedByConsent(
  finding: Finding,
  record: CameraRecord,
  assignment: CameraAssignment | undefined,
  consents: CameraRecordIndex<ConsentRecord>,
  now: number,
): boolean {
  const needed = finding.consent;
  if (!needed) return false;
  return namedRecord(
    consents,
    record,
    assignment,
    (c) => consentValidAt(c, now) && c.unitKind === needed.unitKind && c.geofence === needed.geofence,
  );
}
