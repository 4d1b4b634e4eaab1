import type { CameraPayload } from '../reporting/schemas/index.js';
import { isoOf, numberOf, type Queryable } from './database.js';

/** The read side: what the HTTP API and the pages show. Filters are parameters, never SQL text. */

export interface ActionCounts {
  total: number;
  allow: number;
  flag: number;
  block: number;
}

export interface SiteSummary {
  site: string;
  gateways: number;
  cameras: ActionCounts;
  lastSeen: string | null;
}

export interface GatewaySummary {
  site: string;
  gateway: string;
  state: string | null;
  bootId: string | null;
  lastSeen: string | null;
  version: string | null;
  policyRevision: string | null;
  outbox: { depth: number; oldestAgeS: number } | null;
  /** Counts as the gateway last reported them in its status. */
  cameras: ActionCounts | null;
  auditHead: string | null;
  auditTs: string | null;
  statusTs: string | null;
  firstSeen: string | null;
}

/** A camera record as the gateway published it, plus where and when the registry last saw it. */
export type CameraView = CameraPayload & { site: string; gateway: string; lastSeen: string | null };

export interface EventGap {
  site: string;
  gateway: string;
  bootId: string;
  from: number;
  to: number;
  missing: number;
  detectedAt: string | null;
}

export interface CameraFilter {
  site?: string | undefined;
  gateway?: string | undefined;
  action?: string | undefined;
  zone?: string | undefined;
  /** At most this many (the fleet page); unset = all. */
  limit?: number | undefined;
}

export interface EventFilter {
  site?: string | undefined;
  gateway?: string | undefined;
  type?: string | undefined;
  since?: string | undefined;
  limit: number;
}

function emptyCounts(): ActionCounts {
  return { total: 0, allow: 0, flag: 0, block: 0 };
}

function countsOf(value: unknown): ActionCounts | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  return { total: numberOf(v.total), allow: numberOf(v.allow), flag: numberOf(v.flag), block: numberOf(v.block) };
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export async function listSites(db: Queryable): Promise<SiteSummary[]> {
  const sites = await db.query<{ site: string; last_seen: unknown; gateways: unknown }>(
    `SELECT s.site, s.last_seen, (SELECT count(*) FROM gateways g WHERE g.site = s.site)::int AS gateways
     FROM sites s ORDER BY s.site`,
  );
  const counts = await db.query<{ site: string; action: string; n: unknown }>(
    `SELECT site, action, count(*)::int AS n FROM cameras WHERE removed_at IS NULL GROUP BY site, action`,
  );
  return sites.map((s) => {
    const cameras = emptyCounts();
    for (const c of counts) {
      if (c.site !== s.site) continue;
      const n = numberOf(c.n);
      cameras.total += n;
      if (c.action === 'allow' || c.action === 'flag' || c.action === 'block') cameras[c.action] += n;
    }
    return { site: s.site, gateways: numberOf(s.gateways), cameras, lastSeen: isoOf(s.last_seen) };
  });
}

export async function listGateways(
  db: Queryable,
  filter: { site?: string | undefined } = {},
): Promise<GatewaySummary[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT site, gateway, state, boot_id, last_seen, version, policy_revision, outbox, camera_counts, audit_head,
            audit_ts, status_ts, first_seen
     FROM gateways WHERE ($1::text IS NULL OR site = $1) ORDER BY site, gateway`,
    [filter.site ?? null],
  );
  return rows.map((r) => {
    const outbox = r.outbox as Record<string, unknown> | null;
    return {
      site: String(r.site),
      gateway: String(r.gateway),
      state: str(r.state),
      bootId: str(r.boot_id),
      lastSeen: isoOf(r.last_seen),
      version: str(r.version),
      policyRevision: str(r.policy_revision),
      outbox: outbox ? { depth: numberOf(outbox.depth), oldestAgeS: numberOf(outbox.oldestAgeS) } : null,
      cameras: countsOf(r.camera_counts),
      auditHead: str(r.audit_head),
      auditTs: isoOf(r.audit_ts),
      statusTs: isoOf(r.status_ts),
      firstSeen: isoOf(r.first_seen),
    };
  });
}

/** Current cameras (not reported gone), those needing action first: block, then flag, then allow. */
export async function listCameras(db: Queryable, filter: CameraFilter = {}): Promise<CameraView[]> {
  const rows = await db.query<{ site: string; gateway: string; record: CameraPayload; last_seen: unknown }>(
    `SELECT site, gateway, record, last_seen FROM cameras
     WHERE removed_at IS NULL
       AND ($1::text IS NULL OR site = $1) AND ($2::text IS NULL OR gateway = $2)
       AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR zone = $4)
     ORDER BY CASE action WHEN 'block' THEN 0 WHEN 'flag' THEN 1 ELSE 2 END, site, gateway, id
     LIMIT $5`,
    [filter.site ?? null, filter.gateway ?? null, filter.action ?? null, filter.zone ?? null, filter.limit ?? null],
  );
  return rows.map((r) => ({ ...r.record, site: r.site, gateway: r.gateway, lastSeen: isoOf(r.last_seen) }));
}

/** Events newest first (by when they happened), each as published plus its site and gateway. */
export async function listEvents(db: Queryable, filter: EventFilter): Promise<Array<Record<string, unknown>>> {
  const rows = await db.query<{ site: string; gateway: string; payload: Record<string, unknown> }>(
    `SELECT site, gateway, payload FROM events
     WHERE ($1::text IS NULL OR site = $1) AND ($2::text IS NULL OR gateway = $2)
       AND ($3::text IS NULL OR type = $3) AND ($4::timestamptz IS NULL OR ts >= $4)
     ORDER BY ts DESC, seq DESC LIMIT $5`,
    [filter.site ?? null, filter.gateway ?? null, filter.type ?? null, filter.since ?? null, filter.limit],
  );
  return rows.map((r) => ({ ...r.payload, site: r.site, gateway: r.gateway }));
}

/** Ranges of `seq` not received, per gateway and boot. */
export async function listGaps(
  db: Queryable,
  filter: { site?: string | undefined; gateway?: string | undefined } = {},
  limit = 1000,
): Promise<EventGap[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT site, gateway, boot_id, from_seq::float8 AS from_seq, to_seq::float8 AS to_seq, detected_at
     FROM event_gaps WHERE ($1::text IS NULL OR site = $1) AND ($2::text IS NULL OR gateway = $2)
     ORDER BY site, gateway, detected_at, boot_id, from_seq LIMIT $3`,
    [filter.site ?? null, filter.gateway ?? null, limit],
  );
  return rows.map((r) => {
    const from = numberOf(r.from_seq);
    const to = numberOf(r.to_seq);
    return {
      site: String(r.site),
      gateway: String(r.gateway),
      bootId: String(r.boot_id),
      from,
      to,
      missing: to - from + 1,
      detectedAt: isoOf(r.detected_at),
    };
  });
}

export interface EnforcementRow {
  gateway: string;
  key: string;
  action: string;
  cameras: string[];
  state: string;
  error: string | null;
  ts: string | null;
}

export async function listEnforcement(db: Queryable, site: string): Promise<EnforcementRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT gateway, key, action, cameras, state, error, ts FROM enforcement WHERE site = $1
     ORDER BY gateway, key`,
    [site],
  );
  return rows.map((r) => ({
    gateway: String(r.gateway),
    key: String(r.key),
    action: String(r.action),
    cameras: Array.isArray(r.cameras) ? r.cameras.filter((c): c is string => typeof c === 'string') : [],
    state: String(r.state),
    error: str(r.error),
    ts: isoOf(r.ts),
  }));
}

/** Each gateway's latest inventory document without its cameras: the Art 14 filing facts. */
export async function listInventories(
  db: Queryable,
  site: string,
): Promise<Array<{ gateway: string; inventory: Record<string, unknown> | null }>> {
  const rows = await db.query<{ gateway: string; inventory: Record<string, unknown> | null }>(
    'SELECT gateway, inventory FROM gateways WHERE site = $1 ORDER BY gateway',
    [site],
  );
  return rows.map((r) => ({ gateway: r.gateway, inventory: r.inventory }));
}

export interface RequestView {
  site: string;
  gateway: string;
  op: string;
  transaction: string;
  keyId: string | null;
  issuedAt: string | null;
  firstSeen: string | null;
  timesSeen: number;
  retained: boolean;
  response: { status: string; error: unknown; receivedAt: string | null } | null;
}

/** Requests seen on request topics, newest first, each with the answer to its transaction that arrived last. */
export async function listRequests(
  db: Queryable,
  filter: { site?: string | undefined; gateway?: string | undefined; limit: number },
): Promise<RequestView[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT q.site, q.gateway, q.op, q.transaction, q.key_id, q.issued_at, q.first_seen, q.times_seen, q.retained,
            r.status, r.error, r.received_at
     FROM requests q
     LEFT JOIN LATERAL (
       SELECT status, error, last_seen AS received_at FROM responses p
       WHERE p.site = q.site AND p.gateway = q.gateway AND p.op = q.op AND p.transaction = q.transaction
       ORDER BY last_seen DESC LIMIT 1
     ) r ON true
     WHERE ($1::text IS NULL OR q.site = $1) AND ($2::text IS NULL OR q.gateway = $2)
     ORDER BY q.first_seen DESC LIMIT $3`,
    [filter.site ?? null, filter.gateway ?? null, filter.limit],
  );
  return rows.map((r) => ({
    site: String(r.site),
    gateway: String(r.gateway),
    op: String(r.op),
    transaction: String(r.transaction),
    keyId: str(r.key_id),
    issuedAt: isoOf(r.issued_at),
    firstSeen: isoOf(r.first_seen),
    timesSeen: numberOf(r.times_seen),
    retained: r.retained === true,
    response:
      r.status === null || r.status === undefined
        ? null
        : { status: String(r.status), error: r.error ?? null, receivedAt: isoOf(r.received_at) },
  }));
}

export async function siteExists(db: Queryable, site: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 AS ok FROM sites WHERE site = $1', [site]);
  return rows.length > 0;
}

/** The newest event of each of `types` per gateway of a site (e.g. the last retention sweep). */
export async function latestEventsOfTypes(
  db: Queryable,
  site: string,
  types: readonly string[],
): Promise<Array<Record<string, unknown>>> {
  const rows = await db.query<{ gateway: string; payload: Record<string, unknown> }>(
    `SELECT DISTINCT ON (gateway, type) gateway, payload FROM events
     WHERE site = $1 AND type IN (SELECT jsonb_array_elements_text($2::text::jsonb))
     ORDER BY gateway, type, ts DESC`,
    [site, JSON.stringify(types)],
  );
  return rows.map((r) => ({ ...r.payload, site, gateway: r.gateway }));
}
