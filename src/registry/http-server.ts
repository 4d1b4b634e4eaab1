import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { parseListen } from '../util/listen-address.js';
import type { Logger } from '../util/logger.js';
import { renderMetrics } from '../util/prometheus-text.js';
import type { Queryable } from './database.js';
import { cameraKnown, listDecisionHistory } from './decision-history.js';
import { tokenCheck } from './http-auth.js';
import type { IngestStats } from './ingest-queue.js';
import type { LiveUpdates } from './live-updates.js';
import { loadFleet, loadSiteReport } from './page-data.js';
import { listCameras, listEvents, listGaps, listGateways, listRequests, listSites, siteExists } from './queries.js';
import { FLEET_JS, STYLE_CSS } from './web/assets.js';
import { renderFleetFragment, renderFleetPage } from './web/fleet-page.js';
import { renderSiteReport } from './web/site-report.js';

export interface RegistryHttpDeps {
  db: Queryable;
  logger: Logger;
  live: LiveUpdates;
  rejects: () => Record<string, number>;
  ingest: () => IngestStats;
  mqttConnected: () => boolean;
  /** Set: every request must present it (Bearer, or as a Basic password). */
  token?: string | undefined;
  now?: () => Date;
}

/** A refusal of the request itself: 400 naming the bad query parameter, or 404. */
function badRequest(message: string): CamwardenError {
  return new CamwardenError(ErrorCode.BadUsage, message);
}

const ACTIONS = new Set(['allow', 'flag', 'block']);
const MAX_LIMIT = 1000;

// the pages carry no inline code: scripts and styles come from /assets only, so an escaping slip could not run
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function text(url: URL, name: string, max = 128): string | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (v.length > max) throw badRequest(`${name}: at most ${max} characters`);
  return v;
}

function limitOf(url: URL, fallback: number): number {
  const v = url.searchParams.get('limit');
  if (v === null || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_LIMIT) {
    throw badRequest(`limit: an integer from 1 to ${MAX_LIMIT}`);
  }
  return Number(v);
}

function sinceOf(url: URL): string | undefined {
  const v = text(url, 'since', 64);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest('since: an ISO-8601 time, e.g. 2026-11-29T10:00:00Z');
  return new Date(t).toISOString();
}

function actionOf(url: URL): string | undefined {
  const v = text(url, 'action', 16);
  if (v !== undefined && !ACTIONS.has(v)) throw badRequest('action: allow, flag or block');
  return v;
}

function pathSegment(raw: string, name: string): string {
  try {
    const value = decodeURIComponent(raw);
    if (value.length > 0 && value.length <= 256) return value;
  } catch {
    // falls through to the refusal
  }
  throw badRequest(`${name}: not a valid path segment`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, body: string): void {
  res.writeHead(200, HTML_HEADERS);
  res.end(body);
}

/** The registry's HTTP side: JSON API, fleet page (live over SSE), site reports, health and metrics. GET only. */
export class RegistryHttpServer {
  private server: Server | undefined;
  private boundPort: number | undefined;
  private readonly now: () => Date;
  private readonly authorized: (req: IncomingMessage) => boolean;

  constructor(
    private readonly listen: string,
    private readonly deps: RegistryHttpDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
    this.authorized = tokenCheck(deps.token);
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  get url(): string {
    const { host } = parseListen(this.listen);
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.boundPort ?? 0}/`;
  }

  async start(): Promise<void> {
    const { host, port } = parseListen(this.listen);
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.deps.logger.error({ err: errorMessage(err), url: req.url?.slice(0, 200) }, 'registry http: failed');
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
        else res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.deps.live.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      // Basic too: a browser then asks once and sends it with the page's own requests (fetch, EventSource)
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="camwarden registry", charset="UTF-8"',
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'a bearer token is required' } }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    try {
      await this.route(url, res);
    } catch (err) {
      if (err instanceof CamwardenError && (err.code === ErrorCode.BadUsage || err.code === ErrorCode.NotFound)) {
        sendJson(res, err.code === ErrorCode.NotFound ? 404 : 400, { error: err.toJSON() });
        return;
      }
      throw err;
    }
  }

  private async route(url: URL, res: ServerResponse): Promise<void> {
    const { db } = this.deps;
    const path = url.pathname;
    switch (path) {
      case '/':
        return sendHtml(res, renderFleetPage(await loadFleet(db, this.deps.rejects(), this.now())));
      case '/fragment/fleet':
        return sendHtml(res, renderFleetFragment(await loadFleet(db, this.deps.rejects(), this.now())).value);
      case '/assets/style.css':
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'x-content-type-options': 'nosniff' });
        res.end(STYLE_CSS);
        return;
      case '/assets/fleet.js':
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' });
        res.end(FLEET_JS);
        return;
      case '/favicon.ico':
        res.writeHead(204).end();
        return;
      case '/api/stream':
        if (!this.deps.live.add(res)) sendJson(res, 503, { error: { code: 'busy', message: 'too many live pages' } });
        return;
      case '/api/sites':
        return sendJson(res, 200, await listSites(db));
      case '/api/gateways':
        return sendJson(res, 200, await listGateways(db, { site: text(url, 'site') }));
      case '/api/cameras':
        return sendJson(
          res,
          200,
          await listCameras(db, {
            site: text(url, 'site'),
            gateway: text(url, 'gateway'),
            action: actionOf(url),
            zone: text(url, 'zone', 64),
          }),
        );
      case '/api/events': {
        const where = { site: text(url, 'site'), gateway: text(url, 'gateway') };
        const [events, gaps] = await Promise.all([
          listEvents(db, { ...where, type: text(url, 'type', 64), since: sinceOf(url), limit: limitOf(url, 100) }),
          listGaps(db, where),
        ]);
        return sendJson(res, 200, { events, gaps });
      }
      case '/api/requests':
        return sendJson(
          res,
          200,
          await listRequests(db, { site: text(url, 'site'), gateway: text(url, 'gateway'), limit: limitOf(url, 100) }),
        );
      case '/api/rejects':
        return sendJson(res, 200, { rejects: this.deps.rejects(), ingest: this.deps.ingest() });
      case '/healthz': {
        const connected = this.deps.mqttConnected();
        return sendJson(res, connected ? 200 : 503, {
          status: connected ? 'ok' : 'broker unreachable',
          ingest: this.deps.ingest(),
        });
      }
      case '/metrics': {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(
          renderMetrics({
            registry: {
              mqttConnected: this.deps.mqttConnected(),
              liveClients: this.deps.live.size,
              ...this.deps.ingest(),
            },
            registry_rejected: this.deps.rejects(),
          }),
        );
        return;
      }
    }
    const history = /^\/api\/cameras\/([^/]+)\/history$/.exec(path);
    if (history?.[1] !== undefined) {
      const filter = {
        cameraId: pathSegment(history[1], 'camera'),
        site: text(url, 'site'),
        gateway: text(url, 'gateway'),
      };
      const changes = await listDecisionHistory(db, { ...filter, limit: limitOf(url, 100) });
      // no changes: a camera without any yet ([]) or no such camera (404)
      if (changes.length === 0 && !(await cameraKnown(db, filter))) {
        throw new CamwardenError(ErrorCode.NotFound, `no camera ${JSON.stringify(filter.cameraId)}`);
      }
      return sendJson(res, 200, changes);
    }
    const report = /^\/api\/sites\/([^/]+)\/report$/.exec(path);
    if (report?.[1] !== undefined) {
      const site = pathSegment(report[1], 'site');
      if (!(await siteExists(db, site)))
        throw new CamwardenError(ErrorCode.NotFound, `no site ${JSON.stringify(site)}`);
      return sendHtml(res, renderSiteReport(await loadSiteReport(db, site, this.now())));
    }
    throw new CamwardenError(ErrorCode.NotFound, `no such path: ${path.slice(0, 100)}`);
  }
}
