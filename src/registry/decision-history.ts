import { isoOf, type Queryable } from './database.js';

/** One entry of a camera's decision history, from its camera.added, decision.changed and camera.removed events. */
export interface DecisionChange {
  site: string;
  gateway: string;
  cameraId: string;
  eventId: string;
  at: string | null;
  change: 'added' | 'changed' | 'removed';
  action: string | null;
  previousAction: string | null;
  reasons: unknown[] | null;
}

export interface DecisionHistoryFilter {
  cameraId: string;
  site?: string | undefined;
  gateway?: string | undefined;
  limit: number;
}

/** A camera's decisions over time, newest first; several gateways may have reported the same id. */
export async function listDecisionHistory(db: Queryable, filter: DecisionHistoryFilter): Promise<DecisionChange[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT site, gateway, camera_id, event_id, at, change, action, previous_action, reasons FROM camera_decisions
     WHERE camera_id = $1 AND ($2::text IS NULL OR site = $2) AND ($3::text IS NULL OR gateway = $3)
     ORDER BY at DESC, event_id DESC LIMIT $4`,
    [filter.cameraId, filter.site ?? null, filter.gateway ?? null, filter.limit],
  );
  return rows.map((r) => ({
    site: String(r.site),
    gateway: String(r.gateway),
    cameraId: String(r.camera_id),
    eventId: String(r.event_id),
    at: isoOf(r.at),
    change: r.change as DecisionChange['change'],
    action: typeof r.action === 'string' ? r.action : null,
    previousAction: typeof r.previous_action === 'string' ? r.previous_action : null,
    reasons: Array.isArray(r.reasons) ? r.reasons : null,
  }));
}

/** Whether any gateway (under the filters) ever reported this camera: a record or a decision event. */
export async function cameraKnown(
  db: Queryable,
  filter: Pick<DecisionHistoryFilter, 'cameraId' | 'site' | 'gateway'>,
): Promise<boolean> {
  const params = [filter.cameraId, filter.site ?? null, filter.gateway ?? null];
  const rows = await db.query(
    `SELECT 1 AS ok WHERE EXISTS (SELECT 1 FROM cameras WHERE id = $1 AND ($2::text IS NULL OR site = $2)
         AND ($3::text IS NULL OR gateway = $3))
       OR EXISTS (SELECT 1 FROM camera_decisions WHERE camera_id = $1 AND ($2::text IS NULL OR site = $2)
         AND ($3::text IS NULL OR gateway = $3))`,
    params,
  );
  return rows.length > 0;
}
