import type { EventPayload } from '../reporting/schemas/index.js';
import { gwKey, type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';

/** What newly stored events imply: decision history per camera, enforcement state, audit-chain heads. */

function field(event: EventPayload, name: string): unknown {
  return (event as Record<string, unknown>)[name];
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export async function storeDecisionHistory(tx: Queryable, fresh: ReadonlyArray<ItemOf<'event'>>): Promise<void> {
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
export async function storeEnforcement(tx: Queryable, fresh: ReadonlyArray<ItemOf<'event'>>): Promise<void> {
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
export async function storeAuditHeads(tx: Queryable, fresh: ReadonlyArray<ItemOf<'event'>>): Promise<void> {
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
