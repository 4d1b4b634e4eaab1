import { describe, expect, it } from 'vitest';
import type { CameraView, GatewaySummary } from '../../src/registry/queries.js';
import { renderFleetFragment, renderFleetPage } from '../../src/registry/web/fleet-page.js';
import { escapeHtml, html } from '../../src/registry/web/html.js';
import { renderSiteReport, type SiteReportData } from '../../src/registry/web/site-report.js';
import { camera } from './payloads.js';

const EVIL = `<script>alert("x")</script>'"&`;

function view(id: string, action: 'allow' | 'flag' | 'block', zone: string, code?: string): CameraView {
  const c = camera(id, action, zone);
  if (code) c.decision.reasons.push({ code, rule: 'cn-2025', article: 'Article 13', message: `${code} here` });
  return { ...c, site: 's1', gateway: 'gw1', lastSeen: '2026-11-29T10:00:00.000Z' };
}

const gateway: GatewaySummary = {
  site: 's1',
  gateway: 'gw1',
  state: 'online',
  bootId: 'boot-1',
  lastSeen: '2026-11-29T10:00:00.000Z',
  version: '0.1.0',
  policyRevision: 'rev-abc',
  outbox: { depth: 0, oldestAgeS: 0 },
  cameras: { total: 2, allow: 0, flag: 1, block: 1 },
  auditHead: 'ab'.repeat(32),
  auditTs: '2026-11-29T09:59:00.000Z',
  statusTs: '2026-11-29T10:00:00.000Z',
  firstSeen: '2026-11-29T09:00:00.000Z',
};

describe('html', () => {
  it('escapes every interpolated value unless it is already HTML', () => {
    expect(escapeHtml(EVIL)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;');
    expect(html`<td title="${EVIL}">${EVIL}</td>`.value).not.toContain('<script>');
    expect(html`<p>${html`<b>${EVIL}</b>`}</p>`.value).toBe(`<p><b>${escapeHtml(EVIL)}</b></p>`);
    expect(html`${[EVIL, 1, null, undefined, false]}`.value).toBe(`${escapeHtml(EVIL)}1`);
  });
});

describe('fleet page', () => {
  const hostile = view(EVIL, 'block', EVIL);
  hostile.model = EVIL;
  const data = {
    generatedAt: '2026-11-29T10:00:01.000Z',
    sites: [{ site: 's1', gateways: 1, cameras: { total: 2, allow: 0, flag: 1, block: 1 }, lastSeen: null }],
    gateways: [{ ...gateway, gateway: EVIL }],
    needingAction: [hostile, view('c-flag', 'flag', 'unknown')],
    events: [{ id: 'e1', ts: '2026-11-29T10:00:00.000Z', type: EVIL, site: 's1', gateway: 'gw1', cameraId: EVIL }],
    gaps: [{ site: 's1', gateway: 'gw1', bootId: 'b', from: 3, to: 4, missing: 2, detectedAt: null }],
    rejects: { 'malformed-json': 2 },
  };

  it('lists cameras needing action first (block, then flag) and renders device strings as text', () => {
    const page = renderFleetPage(data);
    expect(page).not.toContain('<script>alert');
    expect(page).toContain(escapeHtml(EVIL));
    expect(page).toContain('<script src="/assets/fleet.js" defer></script>');
    const fragment = renderFleetFragment(data).value;
    expect(fragment.indexOf('data-action="block"')).toBeLessThan(fragment.indexOf('data-action="flag"'));
    expect(fragment).toContain('<b>2</b>events missing');
    expect(fragment).toContain('<b>2</b>messages refused');
    expect(fragment).toContain('href="/api/sites/s1/report"');
  });
});

describe('site report', () => {
  const data: SiteReportData = {
    site: 's1',
    generatedAt: '2026-11-29T10:00:01.000Z',
    gateways: [gateway],
    cameras: [view('c-toilet', 'block', 'toilet'), view('c-gate', 'flag', 'public-other', 'signage-missing')],
    inventories: [
      {
        gateway: 'gw1',
        inventory: { unit: EVIL, location: 'Hangzhou', cameraCount: 2, retentionDays: 30, filingNumber: 'GA-1' },
      },
    ],
    enforcement: [
      {
        gateway: 'gw1',
        key: 'isolate:192.0.2.10',
        action: 'isolate',
        cameras: ['c-toilet'],
        state: 'applied',
        error: null,
        ts: '2026-11-29T10:00:00.000Z',
      },
    ],
    retentionEvents: [
      { type: 'retention.swept', gateway: 'gw1', ts: '2026-11-29T09:00:00.000Z', deleted: 12, quarantined: 1 },
    ],
  };

  it('accounts for every camera, the duties, enforcement, audit head, generated time and policy revision', () => {
    const page = renderSiteReport(data);
    expect(page).toContain('Compliance report: site s1');
    expect(page).toContain('2026-11-29 10:00:01Z'); // generated
    expect(page).toContain('rev-abc');
    expect(page).toContain('ab'.repeat(32));
    for (const id of ['c-toilet', 'c-gate']) expect(page).toContain(`data-camera="${id}"`);
    expect(page).toContain('Article 8');
    expect(page).toMatch(
      /id="duty-signage"><th>Signage \(Art 13\)<\/th><td><span class="finding">1 camera flagged signage-missing/,
    );
    expect(page).toMatch(/id="duty-consent"><th>Consents \(Art 10\)<\/th><td><span class="ok">no camera flagged/);
    expect(page).toContain('filed as <code>GA-1</code>');
    expect(page).toMatch(/isolate: <span class="badge state-applied">applied/);
    expect(page).toContain('deleted=</span>12');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain(escapeHtml(EVIL));
  });

  it('says so when a blocked camera has no enforcement reported', () => {
    const page = renderSiteReport({ ...data, enforcement: [] });
    expect(page).toMatch(/data-camera="c-toilet"[\s\S]*?none reported/);
  });
});
