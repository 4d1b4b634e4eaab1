import type { CameraRecord, Decision } from '../model/camera-records.js';

/**
 * Stand-in for policy/ until it is wired: `flag` everything, `unverified-device` when identity was not confirmed,
 * otherwise `unclassified-zone` (no zone classification is done here).
 */
export const PRELIMINARY_POLICY_REVISION = 'preliminary';

export function preliminaryDecision(record: CameraRecord): Decision {
  if (record.unverified) {
    return {
      action: 'flag',
      reasons: [
        {
          code: 'unverified-device',
          rule: 'cn-2025',
          article: 'n/a',
          message: 'the device answered discovery but its identity could not be confirmed over ONVIF; review it',
        },
      ],
    };
  }
  return {
    action: 'flag',
    reasons: [
      {
        code: 'unclassified-zone',
        rule: 'cn-2025',
        article: 'n/a',
        message: 'no usable location: the zone is unknown, so whether Articles 7 to 10 apply cannot be told',
      },
    ],
  };
}

export function preliminaryDecide(records: CameraRecord[]): CameraRecord[] {
  return records.map((r) => ({
    ...r,
    location: { ...r.location, zone: 'unknown', source: 'none' },
    decision: preliminaryDecision(r),
  }));
}
