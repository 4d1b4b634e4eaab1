import type { CameraRecord, ScanResult } from '../inventory/types.js';

/**
 * A camera that did not answer this scan keeps its last record (marked with an error) rather than vanishing:
 * absence from discovery must never imply compliance, nor lift a block.
 */
export function carryOverMissing(prev: ScanResult | undefined, next: ScanResult, missedScansLimit = 3): ScanResult {
  if (!prev) return next;
  const seen = new Set(next.cameras.map((c) => c.id));
  const carried: CameraRecord[] = [];
  for (const camera of prev.cameras) {
    if (seen.has(camera.id)) continue;
    const count = (camera.missedScans ?? 0) + 1;
    if (count > missedScansLimit) continue;
    carried.push({
      ...camera,
      missedScans: count,
      errors: [
        ...camera.errors.filter((e) => e.code !== 'not-seen'),
        { code: 'not-seen', message: `${count} scan(s) without an answer; last record kept` },
      ],
    });
  }
  return carried.length === 0 ? next : { ...next, cameras: [...next.cameras, ...carried] };
}
