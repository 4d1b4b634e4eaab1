import type { CameraPayload } from '../reporting/schemas/index.js';
import { gwKey, type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';

/** Camera records: from the inventory (the gateway's whole list) and from `cameras/<id>`. */

export async function storeInventory(tx: Queryable, item: ItemOf<'inventory'>): Promise<number> {
  const { cameras, ...filing } = item.inventory;
  const applied = await tx.query(
    `UPDATE gateways SET inventory = $3::text::jsonb, inventory_ts = $4
     WHERE site = $1 AND gateway = $2
       AND (inventory IS NULL OR inventory->>'bootId' IS DISTINCT FROM $5 OR inventory_ts <= $4)
     RETURNING 1 AS ok`,
    [item.site, item.gateway, json(filing), filing.ts, filing.bootId],
  );
  if (applied.length === 0) return 0; // an older inventory of the same boot: its cameras are stale too
  const at = item.receivedAt.toISOString();
  const stored = await upsertCameras(tx, item.site, item.gateway, cameras, at);
  // the inventory is the gateway's whole list: a camera not in it is gone
  await tx.query(
    `UPDATE cameras SET removed_at = $3
     WHERE site = $1 AND gateway = $2 AND removed_at IS NULL
       AND id NOT IN (SELECT jsonb_array_elements_text($4::text::jsonb))`,
    [item.site, item.gateway, at, json(cameras.map((c) => c.id))],
  );
  return stored;
}

/** Consecutive `cameras/<id>` messages: the last one per camera wins; an empty record marks it gone. */
export async function storeCameraRecords(tx: Queryable, run: ReadonlyArray<ItemOf<'camera'>>): Promise<number> {
  const latest = new Map<string, ItemOf<'camera'>>();
  for (const item of run) latest.set(`${gwKey(item.site, item.gateway)}\n${item.cameraId}`, item);
  const byGateway = new Map<string, Array<ItemOf<'camera'>>>();
  for (const item of latest.values()) {
    const key = gwKey(item.site, item.gateway);
    byGateway.set(key, [...(byGateway.get(key) ?? []), item]);
  }
  let stored = 0;
  for (const group of byGateway.values()) {
    const first = group[0];
    if (!first) continue;
    const at = new Date(Math.max(...group.map((i) => i.receivedAt.getTime()))).toISOString();
    const records = group.flatMap((i) => (i.record ? [i.record] : []));
    stored += await upsertCameras(tx, first.site, first.gateway, records, at);
    const gone = group.filter((i) => i.record === null).map((i) => i.cameraId);
    if (gone.length > 0) {
      await tx.query(
        `UPDATE cameras SET removed_at = $3
         WHERE site = $1 AND gateway = $2 AND removed_at IS NULL
           AND id IN (SELECT jsonb_array_elements_text($4::text::jsonb))`,
        [first.site, first.gateway, at, json(gone)],
      );
    }
  }
  return stored;
}

async function upsertCameras(
  tx: Queryable,
  site: string,
  gateway: string,
  records: readonly CameraPayload[],
  at: string,
): Promise<number> {
  const unique = [...new Map(records.map((r) => [r.id, r])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (unique.length === 0) return 0;
  const rows = unique.map((r) => ({
    id: r.id,
    record: r,
    kind: r.kind,
    action: r.decision.action,
    zone: r.location.zone,
  }));
  await tx.query(
    `INSERT INTO cameras (site, gateway, id, record, kind, action, zone, first_seen, last_seen, removed_at)
     SELECT $1, $2, x.id, x.record, x.kind, x.action, x.zone, $3, $3, NULL
     FROM jsonb_to_recordset($4::text::jsonb) AS x(id text, record jsonb, kind text, action text, zone text)
     ON CONFLICT (site, gateway, id) DO UPDATE SET record = EXCLUDED.record, kind = EXCLUDED.kind,
       action = EXCLUDED.action, zone = EXCLUDED.zone, last_seen = EXCLUDED.last_seen, removed_at = NULL`,
    [site, gateway, at, json(rows)],
  );
  return unique.length;
}
