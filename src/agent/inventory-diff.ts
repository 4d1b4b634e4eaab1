import type { CameraRecord, ScanResult } from '../inventory/types.js';
import type { EventType } from '../reporting/event-sink.js';

export interface InventoryChange {
  type: Extract<EventType, 'camera.added' | 'camera.removed' | 'decision.changed'>;
  data: Record<string, unknown>;
}

/** Events for the registry from one scan to the next: cameras added or removed, decisions that changed. */
export function diffInventories(prev: ScanResult | undefined, next: ScanResult): InventoryChange[] {
  const before = new Map<string, CameraRecord>((prev?.cameras ?? []).map((c) => [c.id, c]));
  const after = new Map<string, CameraRecord>(next.cameras.map((c) => [c.id, c]));
  const changes: InventoryChange[] = [];
  for (const [id, camera] of after) {
    const old = before.get(id);
    if (!old) {
      changes.push({
        type: 'camera.added',
        data: {
          camera: id,
          kind: camera.kind,
          address: camera.address,
          zone: camera.location.zone,
          action: camera.decision.action,
        },
      });
    }
    const previous = old?.decision.action;
    const reasonsChanged =
      JSON.stringify(old?.decision.reasons.map((r) => r.code)) !==
      JSON.stringify(camera.decision.reasons.map((r) => r.code));
    if (!old || previous !== camera.decision.action || reasonsChanged) {
      changes.push({
        type: 'decision.changed',
        data: {
          camera: id,
          previous: previous ?? null,
          action: camera.decision.action,
          reasons: camera.decision.reasons,
          zone: camera.location.zone,
        },
      });
    }
  }
  for (const [id, camera] of before) {
    if (!after.has(id)) changes.push({ type: 'camera.removed', data: { camera: id, address: camera.address } });
  }
  return changes;
}

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
    const missed = (camera.errors.find((e) => e.code === 'not-seen')?.message.match(/^(\d+)/)?.[1] ?? '0') as string;
    const count = Number(missed) + 1;
    if (count > missedScansLimit) continue;
    carried.push({
      ...camera,
      errors: [
        ...camera.errors.filter((e) => e.code !== 'not-seen'),
        { code: 'not-seen', message: `${count} scan(s) without an answer; last record kept` },
      ],
    });
  }
  return carried.length === 0 ? next : { ...next, cameras: [...next.cameras, ...carried] };
}
