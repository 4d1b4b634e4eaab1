import type { CameraPayload, EventPayload } from '../reporting/schemas/index.js';
import { numberOf, type Queryable } from './database.js';
import type { IngestItem } from './ingest-item.js';
import { advanceStream, type SeqGap } from './seq-gaps.js';

/** What one committed batch changed: drives the live page and tells benches when rows became visible. */
export interface CommitSummary {
  sites: Set<string>;
  /** Ids of events stored for the first time (duplicates are not in it). */
  eventIds: string[];
  cameras: number;
  statuses: number;
}

type Of<K extends IngestItem['kind']> = Extract<IngestItem, { kind: K }>;

const json = (value: unknown): string => JSON.stringify(value);
const gwKey = (site: string, gateway: string): string => `${site}\n${gateway}`;

/**
 * Stores one batch of validated messages in the transaction `tx`. Sets of rows go in as one JSON parameter
 * (`jsonb_to_recordset`), so a batch costs a handful of round trips and no value is ever part of SQL text.
 */
export async function writeBatch(tx: Queryable, items: readonly IngestItem[]): Promise<CommitSummary> {
  const summary: CommitSummary = { sites: new Set(), eventIds: [], cameras: 0, statuses: 0 };
  if (items.length === 0) return summary;
  await touchSenders(tx, items);
  for (const i of items) summary.sites.add(i.site);
  // status, inventory and camera records in arrival order; consecutive camera records go in as one statement
  let cameraRun: Array<Of<'camera'>> = [];
  const flushCameras = async () => {
    summary.cameras += await storeCameraRecords(tx, cameraRun);
    cameraRun = [];
  };
  for (const item of items) {
    if (item.kind === 'camera') {
      cameraRun.push(item);
      continue;
    }
    if (item.kind === 'status' || item.kind === 'will' || item.kind === 'inventory') await flushCameras();
    if (item.kind === 'status') summary.statuses += await storeStatus(tx, item);
    else if (item.kind === 'will') summary.statuses += await storeWill(tx, item);
    else if (item.kind === 'inventory') summary.cameras += await storeInventory(tx, item);
  }
  await flushCameras();
  const events = items.filter((i): i is Of<'event'> => i.kind === 'event');
  summary.eventIds = await storeEvents(tx, events);
  for (const item of items) {
    if (item.kind === 'request') await storeRequest(tx, item);
    else if (item.kind === 'response') await storeResponse(tx, item);
  }
  return summary;
}

/** Every message is a sign of life: sites and gateways exist from their first message on, with `last_seen`. */
async function touchSenders(tx: Queryable, items: readonly IngestItem[]): Promise<void> {
  const sites = new Map<string, string>();
  const gateways = new Map<string, { site: string; gateway: string; at: string }>();
  for (const i of items) {
    const at = i.receivedAt.toISOString();
    if ((sites.get(i.site) ?? '') < at) sites.set(i.site, at);
    const key = gwKey(i.site, i.gateway);
    const seen = gateways.get(key);
    if (!seen || seen.at < at) gateways.set(key, { site: i.site, gateway: i.gateway, at });
  }
  await tx.query(
    `INSERT INTO sites (site, first_seen, last_seen)
     SELECT x.site, x.at, x.at FROM jsonb_to_recordset($1::text::jsonb) AS x(site text, at timestamptz)
     ORDER BY x.site
     ON CONFLICT (site) DO UPDATE SET last_seen = GREATEST(sites.last_seen, EXCLUDED.last_seen)`,
    [json([...sites].map(([site, at]) => ({ site, at })))],
  );
  await tx.query(
    `INSERT INTO gateways (site, gateway, first_seen, last_seen)
     SELECT x.site, x.gateway, x.at, x.at
     FROM jsonb_to_recordset($1::text::jsonb) AS x(site text, gateway text, at timestamptz)
     ORDER BY x.site, x.gateway
     ON CONFLICT (site, gateway) DO UPDATE SET last_seen = GREATEST(gateways.last_seen, EXCLUDED.last_seen)`,
    [json([...gateways.values()])],
  );
}

/**
 * Within one boot the newer `ts` wins (a retained status re-delivered late changes nothing); a status of
 * another boot always wins, so a gateway whose clock stepped back is not stuck on its old state.
 */
async function storeStatus(tx: Queryable, item: Of<'status'>): Promise<number> {
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
async function storeWill(tx: Queryable, item: Of<'will'>): Promise<number> {
  const rows = await tx.query(
    `UPDATE gateways SET state = 'offline', boot_id = COALESCE(boot_id, $3)
     WHERE site = $1 AND gateway = $2 AND (boot_id IS NULL OR boot_id = $3)
     RETURNING 1 AS ok`,
    [item.site, item.gateway, item.bootId],
  );
  return rows.length;
}

async function storeInventory(tx: Queryable, item: Of<'inventory'>): Promise<number> {
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
async function storeCameraRecords(tx: Queryable, run: ReadonlyArray<Of<'camera'>>): Promise<number> {
  const latest = new Map<string, Of<'camera'>>();
  for (const item of run) latest.set(`${gwKey(item.site, item.gateway)}\n${item.cameraId}`, item);
  const byGateway = new Map<string, Array<Of<'camera'>>>();
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

/** Inserts new events (duplicates by id are dropped), then updates gaps and what events imply. */
async function storeEvents(tx: Queryable, items: ReadonlyArray<Of<'event'>>): Promise<string[]> {
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
async function updateGaps(tx: Queryable, fresh: ReadonlyArray<Of<'event'>>): Promise<void> {
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

function field(event: EventPayload, name: string): unknown {
  return (event as Record<string, unknown>)[name];
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

async function storeDecisionHistory(tx: Queryable, fresh: ReadonlyArray<Of<'event'>>): Promise<void> {
  const CHANGE: Record<string, string> = {
    'camera.added': 'added',
    'decision.changed': 'changed',
    'camera.removed': 'removed',
  };
  const rows = fresh.flatMap((i) => {
    const change = CHANGE[i.event.type];
    const cameraId = text(field(i.event, 'cameraId'));
    if (!change || cameraId === null) return [];
    const e = i.event;
    return [
      {
        site: i.site,
        gateway: i.gateway,
        event_id: e.id,
        camera_id: cameraId,
        at: e.ts,
        change,
        action: text(field(e, change === 'removed' ? 'lastAction' : 'action')),
        previous_action: text(field(e, 'previousAction')),
        reasons: Array.isArray(field(e, 'reasons')) ? field(e, 'reasons') : null,
      },
    ];
  });
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO camera_decisions (site, gateway, event_id, camera_id, at, change, action, previous_action, reasons)
     SELECT x.site, x.gateway, x.event_id, x.camera_id, x.at, x.change, x.action, x.previous_action, x.reasons
     FROM jsonb_to_recordset($1::text::jsonb) AS x(site text, gateway text, event_id text, camera_id text,
       at timestamptz, change text, action text, previous_action text, reasons jsonb)
     ON CONFLICT DO NOTHING`,
    [json(rows)],
  );
}

const ENFORCEMENT_STATE: Record<string, string> = {
  'enforcement.applied': 'applied',
  'enforcement.reverted': 'reverted',
  'enforcement.failed': 'failed',
  'enforcement.planned': 'planned',
};

/** Per action key, the newest enforcement event wins (events of two registries may commit out of order). */
async function storeEnforcement(tx: Queryable, fresh: ReadonlyArray<Of<'event'>>): Promise<void> {
  const latest = new Map<string, Record<string, unknown>>();
  for (const i of fresh) {
    const state = ENFORCEMENT_STATE[i.event.type];
    if (!state) continue;
    const e = i.event;
    const action = text(field(e, 'action')) ?? 'unknown';
    const cameraId = text(field(e, 'cameraId'));
    const listed = field(e, 'cameras');
    const cameras = Array.isArray(listed) ? listed.filter((c) => typeof c === 'string') : cameraId ? [cameraId] : [];
    const key = text(field(e, 'key')) ?? `${action}:${cameraId ?? cameras.join(',')}`;
    const row = {
      site: i.site,
      gateway: i.gateway,
      key,
      action,
      cameras,
      state,
      error: text(field(e, 'error')),
      event_id: e.id,
      ts: e.ts,
    };
    const k = `${gwKey(i.site, i.gateway)}\n${key}`;
    const seen = latest.get(k);
    if (!seen || Date.parse(String(seen.ts)) <= Date.parse(e.ts)) latest.set(k, row);
  }
  if (latest.size === 0) return;
  await tx.query(
    `INSERT INTO enforcement (site, gateway, key, action, cameras, state, error, event_id, ts)
     SELECT x.site, x.gateway, x.key, x.action, x.cameras, x.state, x.error, x.event_id, x.ts
     FROM jsonb_to_recordset($1::text::jsonb) AS x(site text, gateway text, key text, action text, cameras jsonb,
       state text, error text, event_id text, ts timestamptz)
     ORDER BY x.site, x.gateway, x.key
     ON CONFLICT (site, gateway, key) DO UPDATE SET action = EXCLUDED.action, cameras = EXCLUDED.cameras,
       state = EXCLUDED.state, error = EXCLUDED.error, event_id = EXCLUDED.event_id, ts = EXCLUDED.ts
     WHERE enforcement.ts <= EXCLUDED.ts`,
    [json([...latest.values()])],
  );
}

/** `audit.appended` carries each entry's hash: the newest is the gateway's audit-chain head. */
async function storeAuditHeads(tx: Queryable, fresh: ReadonlyArray<Of<'event'>>): Promise<void> {
  const heads = new Map<string, { site: string; gateway: string; head: string; ts: string }>();
  for (const i of fresh) {
    if (i.event.type !== 'audit.appended') continue;
    const head = text(field(i.event, 'hash'));
    if (head === null || !/^[0-9a-f]{16,128}$/.test(head)) continue;
    const k = gwKey(i.site, i.gateway);
    const seen = heads.get(k);
    if (!seen || Date.parse(seen.ts) <= Date.parse(i.event.ts)) {
      heads.set(k, { site: i.site, gateway: i.gateway, head, ts: i.event.ts });
    }
  }
  for (const h of heads.values()) {
    await tx.query(
      `UPDATE gateways SET audit_head = $3, audit_ts = $4
       WHERE site = $1 AND gateway = $2 AND (audit_ts IS NULL OR audit_ts <= $4)`,
      [h.site, h.gateway, h.head, h.ts],
    );
  }
}

async function storeRequest(tx: Queryable, item: Of<'request'>): Promise<void> {
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

async function storeResponse(tx: Queryable, item: Of<'response'>): Promise<void> {
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
