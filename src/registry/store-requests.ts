import { type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';

/** Signed requests seen on `request/<op>` and the gateways' responses. */

/** Deliveries remembered per request: more than the broker could redeliver of one request after a crash. */
const REMEMBERED_DELIVERIES = 16;

export async function storeRequest(tx: Queryable, item: ItemOf<'request'>): Promise<void> {
  const r = item.request;
  const at = item.receivedAt.toISOString();
  // The signature is left out: the registry cannot verify it and has no use for it. A delivery already counted
  // (stored, then delivered again because the registry died before its PUBACK) changes nothing, nor does a
  // retained copy of the request as stored, which the broker hands out again at every subscription; a retained
  // copy that differs, like any live publish, counts (docs/registry.md).
  await tx.query(
    `INSERT INTO requests (site, gateway, op, transaction, key_id, issued_at, expires_at, args, retained,
       first_seen, last_seen, times_seen, deliveries)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $10, 1,
       CASE WHEN $11::text IS NULL THEN '{}'::text[] ELSE ARRAY[$11::text] END)
     ON CONFLICT (site, gateway, op, transaction) DO UPDATE SET last_seen = EXCLUDED.last_seen,
       times_seen = requests.times_seen + 1,
       deliveries = ${rememberDelivery('requests', '$12')}
     WHERE ($11::text IS NULL OR NOT ($11::text = ANY (requests.deliveries)))
       AND NOT ($9::boolean AND requests.key_id IS NOT DISTINCT FROM EXCLUDED.key_id
         AND requests.issued_at IS NOT DISTINCT FROM EXCLUDED.issued_at
         AND requests.expires_at IS NOT DISTINCT FROM EXCLUDED.expires_at
         AND requests.args IS NOT DISTINCT FROM EXCLUDED.args)`,
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

/**
 * A response is stored once per transaction and content: the same answer delivered again (the broker, after a
 * crash) or published twice adds no row, while a different answer to the same transaction (an `ok`, then a
 * `replayed` refusal of a replay) is a row of its own. The same answer arriving again as a new delivery (a
 * refusal repeated for a second replay) moves `last_seen`, so the latest answer stays the one listed.
 */
export async function storeResponse(tx: Queryable, item: ItemOf<'response'>): Promise<void> {
  const r = item.response;
  await tx.query(
    `INSERT INTO responses (site, gateway, op, transaction, status, data, error, digest, received_at, last_seen,
       deliveries)
     SELECT $1::text, $2::text, $3::text, $4::text, $5::text, x.data, x.error,
       encode(sha256(convert_to(jsonb_build_array($5::text, x.data, x.error)::text, 'UTF8')), 'hex'),
       $8::timestamptz, $8::timestamptz,
       CASE WHEN $9::text IS NULL THEN '{}'::text[] ELSE ARRAY[$9::text] END
     FROM (SELECT $6::text::jsonb AS data, $7::text::jsonb AS error) x
     ON CONFLICT (site, gateway, op, transaction, digest) DO UPDATE SET
       last_seen = GREATEST(responses.last_seen, EXCLUDED.last_seen),
       deliveries = ${rememberDelivery('responses', '$10')}
     WHERE $9::text IS NULL OR NOT ($9::text = ANY (responses.deliveries))`,
    [
      item.site,
      item.gateway,
      item.op,
      r.transaction ?? '',
      r.status,
      r.status === 'ok' && r.data !== undefined ? json(r.data) : null,
      r.status === 'error' ? json(r.error) : null,
      item.receivedAt.toISOString(),
      item.delivery ?? null,
      REMEMBERED_DELIVERIES,
    ],
  );
}

/** SQL: the row's deliveries plus the new one (in EXCLUDED), the newest `$<limit>` of them kept. */
function rememberDelivery(table: 'requests' | 'responses', limit: string): string {
  return `(${table}.deliveries || EXCLUDED.deliveries)[
         greatest(1, cardinality(${table}.deliveries) + cardinality(EXCLUDED.deliveries) - ${limit} + 1):]`;
}
