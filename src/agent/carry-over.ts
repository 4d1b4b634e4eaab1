import type { CameraRecord, ScanResult } from '../model/camera-records.js';

/**
 * A camera that did not answer this scan keeps its last record (marked with an error) rather than vanishing:
 * absence from discovery must never imply compliance, nor lift a block. A blocked camera is kept for as long as it
 * stays away; the others go after `missedScansLimit` scans. A carried record was not re-verified by this scan.
 */
export function carryOverMissing(prev: ScanResult | undefined, next: ScanResult, missedScansLimit = 3): ScanResult {
  if (!prev) return next;
  const seen = new Set(next.cameras.map((c) => c.id));
  const carried: CameraRecord[] = [];
  for (const camera of prev.cameras) {
    if (seen.has(camera.id)) continue;
    const count = (camera.missedScans ?? 0) + 1;
    if (count > missedScansLimit && camera.decision.action !== 'block') continue;
    const copy: CameraRecord = {
      ...camera,
      missedScans: count,
      errors: [
        ...camera.errors.filter((e) => e.code !== 'not-seen'),
        { code: 'not-seen', message: `${count} scan(s) without an answer; last record kept` },
      ],
    };
    delete copy.authenticated;
    carried.push(copy);
  }
  return carried.length === 0 ? next : { ...next, cameras: [...next.cameras, ...carried] };
}
