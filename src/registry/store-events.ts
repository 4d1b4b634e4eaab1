import { gwKey, type ItemOf, json } from './batch-json.js';
import { numberOf, type Queryable } from './database.js';
import { storeAuditHeads, storeDecisionHistory, storeEnforcement } from './event-effects.js';
import { advanceStream, type SeqGap } from './seq-gaps.js';

/** Events: stored once per id, and the `seq` gaps of each gateway's stream kept up to date. */

/** Inserts new events (duplicates by id are dropped), then updates gaps and what events imply. */
export async function storeEvents(tx: Queryable, items: ReadonlyArray<ItemOf<'event'>>): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = items
    .map((i) => ({
      site: i.site,
      gateway: i.gateway,
      id: i.event.id,
      boot_id: i.event.bootId,
      seq: i.event.seq,
      ts: i.event.ts,
      type: i.event.type,
      payload: i.event,
      received_at: i.receivedAt.toISOString(),
    }))
    // one order for every writer: concurrent registries then wait on each other instead of deadlocking
    .sort((a, b) => (gwKey(a.site, a.gateway) + a.id < gwKey(b.site, b.gateway) + b.id ? -1 : 1));
  const inserted = await tx.query<{ site: string; gateway: string; id: string }>(
    `INSERT INTO events (site, gateway, id, boot_id, seq, ts, type, payload, received_at)
     SELECT x.site, x.gateway, x.id, x.boot_id, x.seq, x.ts, x.type, x.payload, x.received_at
     FROM jsonb_to_recordset($1::text::jsonb)
       AS x(site text, gateway text, id text, boot_id text, seq bigint, ts timestamptz, type text, payload jsonb,
            received_at timestamptz)
     ON CONFLICT (site, gateway, id) DO NOTHING
     RETURNING site, gateway, id`,
    [json(rows)],
  );
  const isNew = new Set(inserted.map((r) => `${gwKey(r.site, r.gateway)}\n${r.id}`));
  // the first of several copies in one batch is the one stored
  const fresh = items.filter((i) => isNew.delete(`${gwKey(i.site, i.gateway)}\n${i.event.id}`));
  await updateGaps(tx, fresh);
  await storeDecisionHistory(tx, fresh);
  await storeEnforcement(tx, fresh);
  await storeAuditHeads(tx, fresh);
  return fresh.map((i) => i.event.id);
}

/** Per (gateway, bootId) stream, under the stream row's lock so concurrent registries agree on the gaps. */
async function updateGaps(tx: Queryable, fresh: ReadonlyArray<ItemOf<'event'>>): Promise<void> {
  const streams = new Map<string, { site: string; gateway: string; bootId: string; seqs: number[]; at: string }>();
  for (const i of fresh) {
    const key = `${gwKey(i.site, i.gateway)}\n${i.event.bootId}`;
    const s = streams.get(key) ?? {
      site: i.site,
      gateway: i.gateway,
      bootId: i.event.bootId,
      seqs: [],
      at: i.receivedAt.toISOString(),
    };
    s.seqs.push(i.event.seq);
    streams.set(key, s);
  }
  for (const key of [...streams.keys()].sort()) {
    const s = streams.get(key);
    if (!s) continue;
    const ids = [s.site, s.gateway, s.bootId];
    await tx.query(
      `INSERT INTO event_streams (site, gateway, boot_id, max_seq, first_seen) VALUES ($1, $2, $3, 0, $4)
       ON CONFLICT (site, gateway, boot_id) DO NOTHING`,
      [...ids, s.at],
    );
    const [stream] = await tx.query<{ max_seq: unknown }>(
      'SELECT max_seq::float8 AS max_seq FROM event_streams WHERE site = $1 AND gateway = $2 AND boot_id = $3 FOR UPDATE',
      ids,
    );
    const max = numberOf(stream?.max_seq);
    const late = s.seqs.filter((q) => q <= max);
    let gaps: SeqGap[] = [];
    if (late.length > 0) {
      const rows = await tx.query<{ from_seq: unknown; to_seq: unknown; detected_at: unknown }>(
        `SELECT from_seq::float8 AS from_seq, to_seq::float8 AS to_seq, detected_at FROM event_gaps
         WHERE site = $1 AND gateway = $2 AND boot_id = $3 AND to_seq >= $4 AND from_seq <= $5`,
        [...ids, Math.min(...late), Math.max(...late)],
      );
      gaps = rows.map((r) => ({
        from: numberOf(r.from_seq),
        to: numberOf(r.to_seq),
        detectedAt: new Date(r.detected_at as string | Date).toISOString(),
      }));
    }
    const change = advanceStream(max, gaps, s.seqs, s.at);
    if (change.remove.length > 0) {
      await tx.query(
        `DELETE FROM event_gaps WHERE site = $1 AND gateway = $2 AND boot_id = $3
           AND from_seq IN (SELECT (jsonb_array_elements_text($4::text::jsonb))::bigint)`,
        [...ids, json(change.remove.map((g) => g.from))],
      );
    }
    if (change.add.length > 0) {
      await tx.query(
        `INSERT INTO event_gaps (site, gateway, boot_id, from_seq, to_seq, detected_at)
         SELECT $1, $2, $3, x.from_seq, x.to_seq, x.detected_at
         FROM jsonb_to_recordset($4::text::jsonb) AS x(from_seq bigint, to_seq bigint, detected_at timestamptz)`,
        [...ids, json(change.add.map((g) => ({ from_seq: g.from, to_seq: g.to, detected_at: g.detectedAt })))],
      );
    }
    if (change.max !== max) {
      await tx.query('UPDATE event_streams SET max_seq = $4 WHERE site = $1 AND gateway = $2 AND boot_id = $3', [
        ...ids,
        change.max,
      ]);
    }
  }
}
