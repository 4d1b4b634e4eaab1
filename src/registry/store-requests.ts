import { type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';

/** Signed requests seen on `request/<op>` and the gateways' responses. */

export async function storeRequest(tx: Queryable, item: ItemOf<'request'>): Promise<void> {
  const r = item.request;
  const at = item.receivedAt.toISOString();
  // the signature is left out: the registry cannot verify it and has no use for it
  await tx.query(
    `INSERT INTO requests (site, gateway, op, transaction, key_id, issued_at, expires_at, args, retained,
       first_seen, last_seen, times_seen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $10, 1)
     ON CONFLICT (site, gateway, op, transaction) DO UPDATE SET last_seen = EXCLUDED.last_seen,
       times_seen = requests.times_seen + 1`,
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
