/**
 * HTML built by a tagged template that escapes every interpolated value unless it is already SafeHtml, so
 * device-supplied text (camera names, zones, messages, ids) can only ever render as text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** A path of the registry's own site with each segment encoded (ids may hold `:` or `.`). */
export function pathTo(...segments: string[]): string {
  return `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/** The short form of a long id or hash, with the whole value in a tooltip. */
export function short(value: string | null | undefined, length = 12): SafeHtml {
  if (!value) return html`<span class="muted">–</span>`;
  if (value.length <= length) return html`<code>${value}</code>`;
  return html`<code title="${value}">${value.slice(0, length)}…</code>`;
}

export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

/** The page around a body: our stylesheet only; scripts come from /assets (the CSP allows no inline code). */
export function page(title: string, body: SafeHtml, opts: { script?: string } = {}): string {
  return `<!doctype html>${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/assets/style.css"></head>
<body>${body}${opts.script ? html`<script src="${opts.script}" defer></script>` : ''}</body></html>`.value
  }\n`;
}
