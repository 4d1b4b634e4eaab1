import type { Queryable } from './database.js';
import {
  latestEventsOfTypes,
  listCameras,
  listEnforcement,
  listEvents,
  listGaps,
  listGateways,
  listInventories,
  listSites,
} from './queries.js';
import type { FleetData } from './web/fleet-page.js';
import { RETENTION_EVENT_TYPES, type SiteReportData } from './web/site-report.js';

const FLEET_EVENTS = 50;
const FLEET_CAMERAS = 500;

export async function loadFleet(db: Queryable, rejects: Record<string, number>, now: Date): Promise<FleetData> {
  const [sites, gateways, blocked, flagged, events, gaps] = await Promise.all([
    listSites(db),
    listGateways(db),
    listCameras(db, { action: 'block', limit: FLEET_CAMERAS }),
    listCameras(db, { action: 'flag', limit: FLEET_CAMERAS }),
    listEvents(db, { limit: FLEET_EVENTS }),
    listGaps(db, {}, 200),
  ]);
  return {
    generatedAt: now.toISOString(),
    sites,
    gateways,
    needingAction: [...blocked, ...flagged].slice(0, FLEET_CAMERAS),
    events,
    gaps,
    rejects,
  };
}

export async function loadSiteReport(db: Queryable, site: string, now: Date): Promise<SiteReportData> {
  const [gateways, cameras, inventories, enforcement, retentionEvents] = await Promise.all([
    listGateways(db, { site }),
    listCameras(db, { site }),
    listInventories(db, site),
    listEnforcement(db, site),
    latestEventsOfTypes(db, site, RETENTION_EVENT_TYPES),
  ]);
  return { site, generatedAt: now.toISOString(), gateways, cameras, inventories, enforcement, retentionEvents };
}
