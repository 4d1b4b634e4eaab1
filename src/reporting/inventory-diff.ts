import type { CameraRecord } from '../model/camera-records.js';
import type { AgentEvent } from '../model/event-sink.js';

export type InventoryEvent = Extract<AgentEvent, { type: 'camera.added' | 'camera.removed' | 'decision.changed' }>;

/** Events implied by going from `prev` to `next` cameras (pure). `prev` undefined = first scan: all added. */
export function diffInventories(
  prev: readonly CameraRecord[] | undefined,
  next: readonly CameraRecord[],
): InventoryEvent[] {
  const before = new Map((prev ?? []).map((c) => [c.id, c]));
  const after = new Map(next.map((c) => [c.id, c]));
  const out: InventoryEvent[] = [];
  for (const cam of next) {
    const old = before.get(cam.id);
    if (!old) {
      out.push({
        type: 'camera.added',
        data: {
          cameraId: cam.id,
          kind: cam.kind,
          address: cam.address,
          zone: cam.location.zone,
          action: cam.decision.action,
        },
      });
    } else if (old.decision.action !== cam.decision.action) {
      out.push({
        type: 'decision.changed',
        data: {
          cameraId: cam.id,
          previousAction: old.decision.action,
          action: cam.decision.action,
          reasons: cam.decision.reasons,
          zone: cam.location.zone,
        },
      });
    }
  }
  for (const old of prev ?? []) {
    if (!after.has(old.id)) {
      out.push({
        type: 'camera.removed',
        data: { cameraId: old.id, kind: old.kind, address: old.address, lastAction: old.decision.action },
      });
    }
  }
  return out;
}
