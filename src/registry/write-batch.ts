import { gwKey, type ItemOf, json } from './batch-json.js';
import type { Queryable } from './database.js';
import type { IngestItem } from './ingest-item.js';
import { storeCameraRecords, storeInventory } from './store-cameras.js';
import { storeEvents } from './store-events.js';
import { storeStatus, storeWill } from './store-gateway-state.js';
import { storeRequest, storeResponse } from './store-requests.js';

/** What one committed batch changed: drives the live page and tells benches when rows became visible. */
export interface CommitSummary {
  sites: Set<string>;
  /** Ids of events stored for the first time (duplicates are not in it). */
  eventIds: string[];
  cameras: number;
  statuses: number;
}

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
  let cameraRun: Array<ItemOf<'camera'>> = [];
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
  const events = items.filter((i): i is ItemOf<'event'> => i.kind === 'event');
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
