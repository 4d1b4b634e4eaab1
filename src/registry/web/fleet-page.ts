import type { CameraView, EventGap, GatewaySummary, SiteSummary } from '../queries.js';
import { html, page, pathTo, type SafeHtml, short, time } from './html.js';

export interface FleetData {
  generatedAt: string;
  sites: SiteSummary[];
  gateways: GatewaySummary[];
  /** block first, then flag. */
  needingAction: CameraView[];
  events: Array<Record<string, unknown>>;
  gaps: EventGap[];
  rejects: Record<string, number>;
}

const SUMMARY_FIELDS = ['cameraId', 'previousAction', 'action', 'zone', 'op', 'code', 'error', 'deleted', 'revision'];

export function actionBadge(action: string): SafeHtml {
  return html`<span class="badge action-${action}">${action}</span>`;
}

export function stateBadge(state: string | null): SafeHtml {
  const s = state ?? 'unknown';
  return html`<span class="badge state-${s}">${s}</span>`;
}

export function reasonList(camera: CameraView): SafeHtml {
  return html`<ul class="reasons">${camera.decision.reasons.map(
    (r) => html`<li><b>${r.code}</b>${r.article ? html` (${r.article})` : ''}: ${r.message}</li>`,
  )}</ul>`;
}

function eventSummary(event: Record<string, unknown>): SafeHtml {
  const parts = SUMMARY_FIELDS.filter((k) => ['string', 'number'].includes(typeof event[k])).map(
    (k) => html`<span class="muted">${k}=</span>${String(event[k])} `,
  );
  return html`${parts}`;
}

function needingActionTable(cameras: CameraView[]): SafeHtml {
  if (cameras.length === 0) return html`<p class="ok">No camera needs action.</p>`;
  return html`<table id="needing-action"><thead><tr><th>action</th><th>site / gateway</th><th>camera</th>
<th>device</th><th>zone</th><th>why</th><th>last seen</th></tr></thead><tbody>${cameras.map(
    (c) => html`<tr data-camera="${c.id}" data-action="${c.decision.action}"><td>${actionBadge(c.decision.action)}</td>
<td><a href="${pathTo('api', 'sites', c.site, 'report')}">${c.site}</a> / ${c.gateway}</td><td>${short(c.id, 24)}</td>
<td>${[c.manufacturer, c.model].filter(Boolean).join(' ') || '–'}<br><span class="muted">${c.address}</span></td>
<td>${c.location.zone} <span class="muted">(${c.location.source})</span></td><td>${reasonList(c)}</td>
<td>${time(c.lastSeen)}</td></tr>`,
  )}</tbody></table>`;
}

function gatewaysTable(gateways: GatewaySummary[]): SafeHtml {
  if (gateways.length === 0) return html`<p class="muted">No gateway has reported yet.</p>`;
  return html`<table id="gateways"><thead><tr><th>site</th><th>gateway</th><th>state</th><th>last seen</th>
<th>version</th><th>policy revision</th><th>cameras (block/flag/allow)</th><th>outbox</th><th>boot</th>
<th>audit head</th></tr></thead><tbody>${gateways.map(
    (g) => html`<tr data-gateway="${g.gateway}"><td>${g.site}</td><td>${g.gateway}</td><td>${stateBadge(g.state)}</td>
<td>${time(g.lastSeen)}</td><td>${g.version ?? '–'}</td><td>${short(g.policyRevision)}</td>
<td>${g.cameras ? `${g.cameras.block} / ${g.cameras.flag} / ${g.cameras.allow}` : '–'}</td>
<td>${g.outbox ? `${g.outbox.depth}` : '–'}</td><td>${short(g.bootId, 8)}</td><td>${short(g.auditHead)}</td></tr>`,
  )}</tbody></table>`;
}

function sitesTable(sites: SiteSummary[]): SafeHtml {
  if (sites.length === 0) return html`<p class="muted">No site yet.</p>`;
  return html`<table id="sites"><thead><tr><th>site</th><th>gateways</th><th>block</th><th>flag</th><th>allow</th>
<th>last seen</th><th>report</th></tr></thead><tbody>${sites.map(
    (s) => html`<tr data-site="${s.site}"><td>${s.site}</td><td>${s.gateways}</td><td>${s.cameras.block}</td>
<td>${s.cameras.flag}</td><td>${s.cameras.allow}</td><td>${time(s.lastSeen)}</td>
<td><a class="report-link" href="${pathTo('api', 'sites', s.site, 'report')}">compliance report</a></td></tr>`,
  )}</tbody></table>`;
}

function eventsTable(events: Array<Record<string, unknown>>): SafeHtml {
  if (events.length === 0) return html`<p class="muted">No event yet.</p>`;
  return html`<table id="events"><thead><tr><th>when</th><th>site / gateway</th><th>type</th><th>what</th>
</tr></thead><tbody>${events.map(
    (
      e,
    ) => html`<tr><td>${time(typeof e.ts === 'string' ? e.ts : null)}</td><td>${String(e.site)} / ${String(e.gateway)}</td>
<td>${String(e.type)}</td><td>${eventSummary(e)}</td></tr>`,
  )}</tbody></table>`;
}

function gapsTable(gaps: EventGap[]): SafeHtml {
  if (gaps.length === 0) return html``;
  return html`<h2>Missing events</h2><p>Ranges of <code>seq</code> not received: lost, or still on their way.</p>
<table id="gaps"><thead><tr><th>site / gateway</th><th>boot</th><th>seq</th><th>missing</th><th>since</th></tr></thead>
<tbody>${gaps.map(
    (g) => html`<tr><td>${g.site} / ${g.gateway}</td><td>${short(g.bootId, 8)}</td><td>${g.from}–${g.to}</td>
<td>${g.missing}</td><td>${time(g.detectedAt)}</td></tr>`,
  )}</tbody></table>`;
}

/** The part of the fleet page that live updates replace. */
export function renderFleetFragment(d: FleetData): SafeHtml {
  const count = (state: string) => d.gateways.filter((g) => (g.state ?? 'unknown') === state).length;
  const blocked = d.sites.reduce((n, s) => n + s.cameras.block, 0);
  const flagged = d.sites.reduce((n, s) => n + s.cameras.flag, 0);
  const rejected = Object.values(d.rejects).reduce((a, b) => a + b, 0);
  return html`<div class="cards">
<div class="card"><b>${d.sites.length}</b>sites</div>
<div class="card"><b>${d.gateways.length}</b>gateways: ${count('online')} online, ${count('offline')} offline,
${count('stopped')} stopped</div>
<div class="card"><b class="action-block">${blocked}</b>cameras blocked</div>
<div class="card"><b class="action-flag">${flagged}</b>flagged for review</div>
<div class="card"><b>${d.gaps.reduce((a, g) => a + g.missing, 0)}</b>events missing</div>
<div class="card"><b>${rejected}</b>messages refused</div>
</div>
<p class="muted">updated ${time(d.generatedAt)}</p>
<h2>Cameras needing action</h2>${needingActionTable(d.needingAction)}${
    d.needingAction.length < blocked + flagged
      ? html`<p class="muted">The first ${d.needingAction.length} of ${blocked + flagged}: the rest are at
<a href="/api/cameras?action=block">/api/cameras?action=block</a> and
<a href="/api/cameras?action=flag">?action=flag</a>.</p>`
      : ''
  }
<h2>Gateways</h2>${gatewaysTable(d.gateways)}
<h2>Sites</h2>${sitesTable(d.sites)}
<h2>Recent events</h2>${eventsTable(d.events)}
${gapsTable(d.gaps)}`;
}

export function renderFleetPage(d: FleetData): string {
  return page(
    'camwarden fleet',
    html`<header><h1>camwarden fleet</h1><span id="live-state" class="badge state-unknown">connecting</span>
<span class="muted no-print">updates live; <a href="/api/sites">API</a></span></header>
<main id="live">${renderFleetFragment(d)}</main>`,
    { script: '/assets/fleet.js' },
  );
}
