import { type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';

/** A gateway's own state: its retained status and its last will. */

/**
 * Within one boot the newer `ts` wins (a retained status re-delivered late changes nothing); a status of
 * another boot always wins, so a gateway whose clock stepped back is not stuck on its old state.
 */
export async function storeStatus(tx: Queryable, item: ItemOf<'status'>): Promise<number> {
  const s = item.status;
  const rows = await tx.query(
    `UPDATE gateways SET state = $3, boot_id = $4, status_ts = $5, version = $6, policy_revision = $7,
       camera_counts = $8::text::jsonb, outbox = $9::text::jsonb,
       audit_head = CASE WHEN $10::text IS NULL THEN audit_head ELSE $10::text END,
       audit_ts = CASE WHEN $10::text IS NULL THEN audit_ts ELSE $5 END
     WHERE site = $1 AND gateway = $2
       AND (boot_id IS DISTINCT FROM $4 OR status_ts IS NULL OR status_ts <= $5)
     RETURNING 1 AS ok`,
    [
      item.site,
      item.gateway,
      s.state,
      s.bootId,
      s.ts,
      s.version,
      s.policyRevision,
      json(s.cameras),
      json(s.outbox),
      s.audit?.head ?? null,
    ],
  );
  return rows.length;
}

/** The last will says the boot it belongs to went away: it never overrides a newer boot's state. */
export async function storeWill(tx: Queryable, item: ItemOf<'will'>): Promise<number> {
  const rows = await tx.query(
    `UPDATE gateways SET state = 'offline', boot_id = COALESCE(boot_id, $3)
     WHERE site = $1 AND gateway = $2 AND (boot_id IS NULL OR boot_id = $3)
     RETURNING 1 AS ok`,
    [item.site, item.gateway, item.bootId],
  );
  return rows.length;
}
