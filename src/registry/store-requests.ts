import { type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';

/** Signed requests seen on `request/<op>` and the gateways' responses. */

/** Deliveries remembered per request: more than the broker could redeliver of one request after a crash. */
const REMEMBERED_DELIVERIES = 16;

export async function storeRequest(tx: Queryable, item: ItemOf<'request'>): Promise<void> {
  const r = item.request;
  const at = item.receivedAt.toISOString();
  // The signature is left out: the registry cannot verify it and has no use for it. A delivery already counted
  // (stored, then delivered again because the registry died before its PUBACK) changes nothing (docs/registry.md).
  await tx.query(
    `INSERT INTO requests (site, gateway, op, transaction, key_id, issued_at, expires_at, args, retained,
       first_seen, last_seen, times_seen, deliveries)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $10, 1,
       CASE WHEN $11::text IS NULL THEN '{}'::text[] ELSE ARRAY[$11::text] END)
     ON CONFLICT (site, gateway, op, transaction) DO UPDATE SET last_seen = EXCLUDED.last_seen,
       times_seen = requests.times_seen + 1,
       deliveries = (requests.deliveries || EXCLUDED.deliveries)[
         greatest(1, cardinality(requests.deliveries) + cardinality(EXCLUDED.deliveries) - $12 + 1):]
     WHERE $11::text IS NULL OR NOT ($11::text = ANY (requests.deliveries))`,
    [
      item.site,
      item.gateway,
      item.op,
      r.transaction,
      r.keyId,
      r.issuedAt,
      r.expiresAt,
      json(r.args),
      item.retained,
      at,
      item.delivery ?? null,
      REMEMBERED_DELIVERIES,
    ],
  );
}

export async function storeResponse(tx: Queryable, item: ItemOf<'response'>): Promise<void> {
  const r = item.response;
  await tx.query(
    `INSERT INTO responses (site, gateway, op, transaction, status, data, error, received_at)
     VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8)`,
    [
      item.site,
      item.gateway,
      item.op,
      r.transaction ?? '',
      r.status,
      r.status === 'ok' && r.data !== undefined ? json(r.data) : null,
      r.status === 'error' ? json(r.error) : null,
      item.receivedAt.toISOString(),
    ],
  );
}
