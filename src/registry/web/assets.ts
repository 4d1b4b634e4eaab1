/** The pages' only stylesheet and script, served from /assets/ (no build step, no inline code). */

export const STYLE_CSS = `
:root { --fg: #1d232b; --muted: #6b7480; --line: #d9dde3; --bg: #fff; --block: #b3261e; --flag: #9a6700;
  --allow: #1a7f37; --off: #6b7480; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1400px; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; border-bottom: 2px solid var(--fg);
  margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: 0.3rem 0; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 0.4rem; }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0 0.8rem; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: #f4f6f8; }
code { font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 0.6rem; font-weight: 600; font-size: 12px;
  border: 1px solid currentColor; }
.action-block, .state-failed { color: var(--block); }
.action-flag, .state-planned { color: var(--flag); }
.action-allow, .state-online, .state-applied { color: var(--allow); }
.state-offline { color: var(--block); }
.state-stopped, .state-reverted, .state-unknown { color: var(--off); }
.cards { display: flex; gap: 0.8rem; flex-wrap: wrap; margin: 0.5rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.8rem; min-width: 8rem; }
.card b { display: block; font-size: 1.3rem; }
.ok { color: var(--allow); font-weight: 600; }
.finding { color: var(--block); font-weight: 600; }
.reasons { margin: 0; padding-left: 1rem; }
#live-state { font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0.3rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  a { color: inherit; text-decoration: none; }
  .no-print { display: none; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
}
`;

/**
 * Live updates: the server says "something changed" over Server-Sent Events; the page fetches its
 * server-rendered (and escaped) fragment again. Coalesced, so a burst of events costs one fetch.
 */
export const FLEET_JS = `
(() => {
  const live = document.getElementById('live');
  const status = document.getElementById('live-state');
  let busy = false;
  let again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const res = await fetch('/fragment/fleet', { cache: 'no-store' });
      if (res.ok) {
        live.innerHTML = await res.text();
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || '0') + 1);
      }
    } catch (e) {
      status.textContent = 'update failed, retrying';
    } finally {
      busy = false;
      if (again) { again = false; setTimeout(refresh, 200); }
    }
  }
  const source = new EventSource('/api/stream');
  source.addEventListener('change', refresh);
  source.onopen = () => { status.textContent = 'live'; status.className = 'badge state-online'; refresh(); };
  source.onerror = () => { status.textContent = 'reconnecting'; status.className = 'badge state-offline'; };
})();
`;
