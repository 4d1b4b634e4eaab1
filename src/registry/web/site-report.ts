import type { CameraView, EnforcementRow, GatewaySummary } from '../queries.js';
import { actionBadge, reasonList, stateBadge } from './fleet-page.js';
import { html, page, type SafeHtml, time } from './html.js';

export interface SiteReportData {
  site: string;
  generatedAt: string;
  gateways: GatewaySummary[];
  cameras: CameraView[];
  inventories: Array<{ gateway: string; inventory: Record<string, unknown> | null }>;
  enforcement: EnforcementRow[];
  /** The newest retention.* event of each type per gateway. */
  retentionEvents: Array<Record<string, unknown>>;
}

export const RETENTION_EVENT_TYPES = [
  'retention.swept',
  'retention.shortfall',
  'retention.refused',
  'retention.mismatch',
  'retention.quarantined',
] as const;

/** The duties the report accounts for, each by the reason code the policy pack gives a camera that falls short. */
const DUTIES = [
  { id: 'filing', title: 'Filing (Art 14)', code: 'filing-missing' },
  { id: 'signage', title: 'Signage (Art 13)', code: 'signage-missing' },
  { id: 'consent', title: 'Consents (Art 10)', code: 'consent-required' },
  { id: 'retention', title: 'Retention (Art 17)', code: 'retention-below-minimum' },
] as const;

function fact(value: unknown): SafeHtml {
  if (value === null || value === undefined || value === '') return html`<span class="muted">not recorded</span>`;
  if (typeof value === 'object') {
    return html`${Object.entries(value as Record<string, unknown>).map(([k, v]) => html`${k}: ${String(v)}<br>`)}`;
  }
  return html`${String(value)}`;
}

function withCode(cameras: CameraView[], code: string): CameraView[] {
  return cameras.filter((c) => c.decision.reasons.some((r) => r.code === code));
}

function dutyStatus(cameras: CameraView[], code: string): SafeHtml {
  const hits = withCode(cameras, code);
  if (hits.length === 0) return html`<span class="ok">no camera flagged</span>`;
  return html`<span class="finding">${hits.length} camera${hits.length === 1 ? '' : 's'} flagged ${code}</span>:
${hits.map((c, i) => html`${i > 0 ? ', ' : ''}<code>${c.id}</code>`)}`;
}

function enforcementOf(camera: CameraView, rows: EnforcementRow[]): SafeHtml {
  const mine = rows.filter((r) => r.gateway === camera.gateway && r.cameras.includes(camera.id));
  if (mine.length === 0) {
    return camera.decision.action === 'block'
      ? html`<span class="finding">none reported</span>`
      : html`<span class="muted">–</span>`;
  }
  return html`${mine.map(
    (r) =>
      html`${r.action}: <span class="badge state-${r.state}">${r.state}</span>${r.error ? html` <span class="muted">${r.error}</span>` : ''}<br>`,
  )}`;
}

function filingSection(d: SiteReportData): SafeHtml {
  const rows = d.inventories.map(({ gateway, inventory: inv }) => {
    const i = inv ?? {};
    return html`<tr><td>${gateway}</td><td>${fact(i.unit)}</td><td>${fact(i.location)}</td><td>${fact(i.cameraCount)}</td>
<td>${fact(i.recorderCount)}</td><td>${fact(i.cameraTypes)}</td><td>${fact(i.retentionDays)}</td>
<td>${fact(i.filingNumber)}</td><td>${fact(i.filingDate)}</td><td>${fact(i.goLiveDate)}</td></tr>`;
  });
  return html`<table id="filing"><thead><tr><th>gateway</th><th>unit</th><th>system location</th><th>cameras</th>
<th>recorders</th><th>camera types</th><th>retention days</th><th>filing number</th><th>filed</th><th>go-live</th>
</tr></thead><tbody>${rows}</tbody></table>`;
}

function retentionSection(d: SiteReportData): SafeHtml {
  if (d.retentionEvents.length === 0) return html`<p class="muted">No retention event received.</p>`;
  const keys = ['deleted', 'quarantined', 'held', 'scanned', 'bytesFreed', 'code', 'reason', 'message', 'error'];
  return html`<table id="retention"><thead><tr><th>gateway</th><th>latest</th><th>when</th><th>facts</th></tr></thead>
<tbody>${d.retentionEvents.map(
    (
      e,
    ) => html`<tr><td>${String(e.gateway)}</td><td>${String(e.type)}</td><td>${time(typeof e.ts === 'string' ? e.ts : null)}</td>
<td>${keys
      .filter((k) => ['string', 'number'].includes(typeof e[k]))
      .map((k) => html`<span class="muted">${k}=</span>${String(e[k])} `)}</td></tr>`,
  )}</tbody></table>`;
}

function camerasSection(d: SiteReportData): SafeHtml {
  if (d.cameras.length === 0) return html`<p class="muted">No camera reported.</p>`;
  return html`<table id="cameras"><thead><tr><th>camera</th><th>gateway</th><th>device</th><th>zone</th>
<th>decision</th><th>article and message</th><th>enforcement</th><th>last seen</th></tr></thead><tbody>${d.cameras.map(
    (c) => html`<tr data-camera="${c.id}" data-action="${c.decision.action}"><td><code>${c.id}</code>
${c.kind === 'recorder' ? html`<br><span class="muted">recorder</span>` : ''}${c.parent ? html`<br><span class="muted">channel ${c.channel ?? ''} of ${c.parent}</span>` : ''}</td>
<td>${c.gateway}</td><td>${[c.manufacturer, c.model].filter(Boolean).join(' ') || '–'}<br>
<span class="muted">${c.address}</span></td><td>${c.location.zone}<br><span class="muted">${c.location.source}</span></td>
<td>${actionBadge(c.decision.action)}</td><td>${reasonList(c)}</td><td>${enforcementOf(c, d.enforcement)}</td>
<td>${time(c.lastSeen)}</td></tr>`,
  )}</tbody></table>`;
}

function gatewaysSection(d: SiteReportData): SafeHtml {
  return html`<table id="report-gateways"><thead><tr><th>gateway</th><th>state</th><th>last seen</th><th>version</th>
<th>policy revision</th><th>audit-chain head</th><th>audit head as of</th></tr></thead><tbody>${d.gateways.map(
    (g) => html`<tr><td>${g.gateway}</td><td>${stateBadge(g.state)}</td><td>${time(g.lastSeen)}</td>
<td>${g.version ?? '–'}</td><td><code>${g.policyRevision ?? '–'}</code></td>
<td class="audit-head">${g.auditHead ? html`<code>${g.auditHead}</code>` : html`<span class="muted">not reported</span>`}</td>
<td>${time(g.auditTs)}</td></tr>`,
  )}</tbody></table>`;
}

/** The printable compliance report of one site: what the registry knows, as of `generatedAt`. */
export function renderSiteReport(d: SiteReportData): string {
  const counts = { block: 0, flag: 0, allow: 0 };
  for (const c of d.cameras) counts[c.decision.action]++;
  const revisions = [...new Set(d.gateways.map((g) => g.policyRevision).filter((r): r is string => !!r))];
  const duties = DUTIES.map(
    (duty) =>
      html`<tr id="duty-${duty.id}"><th>${duty.title}</th><td>${dutyStatus(d.cameras, duty.code)}${
        duty.id === 'filing' ? filingNumbers(d) : ''
      }</td></tr>`,
  );
  return page(
    `Compliance report: ${d.site}`,
    html`<header><h1>Compliance report: site ${d.site}</h1><a class="no-print" href="/">fleet</a></header>
<dl class="facts">
<dt>generated</dt><dd>${time(d.generatedAt)}</dd>
<dt>policy revision</dt><dd>${revisions.length > 0 ? revisions.map((r, i) => html`${i > 0 ? ', ' : ''}<code>${r}</code>`) : html`<span class="muted">not reported</span>`}</dd>
<dt>cameras</dt><dd>${d.cameras.length}: ${counts.block} blocked, ${counts.flag} flagged for review, ${counts.allow} allowed</dd>
</dl>
<p>Each decision cites the article of State Council Order 799 it rests on. Blocked cameras (Art 8) are
isolated on their gateway; flagged cameras wait for an operator's review or a missing record.</p>
<h2>Duties</h2><table id="duties"><tbody>${duties}
<tr id="duty-enforcement"><th>Enforcement</th><td>${enforcementSummary(d)}</td></tr></tbody></table>
<h2>Gateways and audit chain</h2>${gatewaysSection(d)}
<h2>Filing facts (Art 14)</h2>${filingSection(d)}
<h2>Retention (Art 17)</h2>${retentionSection(d)}
<h2>Cameras</h2>${camerasSection(d)}`,
  );
}

/** Filing is a duty of Art 7 systems: the flag says who lacks it, the number says what was filed. */
function filingNumbers(d: SiteReportData): SafeHtml {
  const filed = d.inventories.filter((i) => typeof i.inventory?.filingNumber === 'string');
  if (filed.length === 0) return html`; <span class="muted">no filing number recorded in the site profile</span>`;
  return html`; filed as ${filed.map((i, n) => html`${n > 0 ? ', ' : ''}<code>${String(i.inventory?.filingNumber)}</code>`)}`;
}

function enforcementSummary(d: SiteReportData): SafeHtml {
  const blocked = d.cameras.filter((c) => c.decision.action === 'block');
  const failed = d.enforcement.filter((r) => r.state === 'failed');
  const applied = d.enforcement.filter((r) => r.state === 'applied');
  return html`${blocked.length} blocked camera${blocked.length === 1 ? '' : 's'}; ${applied.length} action${applied.length === 1 ? '' : 's'} in force;
${failed.length > 0 ? html`<span class="finding">${failed.length} failed</span>` : html`<span class="ok">none failed</span>`}`;
}
