import type { ServerResponse } from 'node:http';
import type { SimFault } from './index.js';
import { envelope } from './soap.js';
import type { StyleDefinition } from './vendor-styles.js';

/** Billion-laughs: ten levels of ten-fold entity references inside an otherwise plausible response. */
export function entityBombBody(style: StyleDefinition, operation: string): string {
  const lines = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) {
    const prev = i === 1 ? 'lol' : `lol${i - 1}`;
    lines.push(`<!ENTITY lol${i} "${`&${prev};`.repeat(10)}">`);
  }
  const doc = envelope(
    style,
    `<tds:${operation}Response><tds:Manufacturer>&lol9;</tds:Manufacturer></tds:${operation}Response>`,
  );
  return doc.replace(
    /^<\?xml[^>]*>\s*/,
    `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [\n${lines.join('\n')}\n]>\n`,
  );
}

export function invalidXmlBody(style: StyleDefinition, operation: string, variant: string): string {
  if (variant === 'not-xml')
    return '<html><body>500 Internal Server Error<br><b>Fatal error</b>: Allowed memory size exhausted';
  if (variant === 'truncated') {
    const full = envelope(
      style,
      `<tds:${operation}Response><tds:Manufacturer>AXIS</tds:Manufacturer></tds:${operation}Response>`,
    );
    return full.slice(0, Math.floor(full.length * 0.6));
  }
  const p = style.envPrefix;
  return `<?xml version="1.0" encoding="UTF-8"?><${p}:Envelope xmlns:${p}="http://www.w3.org/2003/05/soap-envelope"><${p}:Body><tds:${operation}Response><tds:Manufacturer>AXIS</tds:Model>&bogus;<<</${p}:Envelope>`;
}

/**
 * Streams an endless-looking but well-formed response of `totalBytes`, honouring back-pressure and stopping as
 * soon as the client goes away, so the simulator itself never holds more than one chunk.
 */
export function streamHugeBody(
  res: ServerResponse,
  style: StyleDefinition,
  operation: string,
  totalBytes: number,
): void {
  const head = envelope(style, `<tds:${operation}Response><tds:Padding>@@BODY@@`).split('@@BODY@@')[0] ?? '';
  const tail = `</tds:Padding></tds:${operation}Response></${style.envPrefix}:Body></${style.envPrefix}:Envelope>`;
  const chunk = Buffer.alloc(64 * 1024, 'A');
  let sent = 0;
  res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
  res.write(head);
  sent += head.length;
  const pump = (): void => {
    while (!res.destroyed && sent < totalBytes) {
      const ok = res.write(chunk);
      sent += chunk.length;
      if (!ok) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end(tail);
  };
  pump();
}

/**
 * A well-formed response of about `bytes` stuffed with `xmlns` tokens that no `=` follows: harmless XML, but the onvif
 * package's pre-processing (`/xmlns([^=]*?)=(".*?")/g`, run over the whole body) scans to the end of the run from
 * each token, which is quadratic: 256 KiB cost seconds, 2 MiB minutes. `text` puts the run in an element's text,
 * `attribute` in one attribute value, `elements` makes it ~160,000 empty elements (dense for any parser too).
 */
export function regexBombBody(style: StyleDefinition, operation: string, bytes: number, variant: string): string {
  const frame = envelope(style, `<tds:${operation}Response>@@BOMB@@</tds:${operation}Response>`);
  const room = Math.max(0, bytes - Buffer.byteLength(frame) - 64);
  let bomb: string;
  if (variant === 'attribute') bomb = `<tds:Padding value="${'xmlns '.repeat(Math.floor(room / 6))}"/>`;
  else if (variant === 'elements') bomb = `<tds:Padding>${'<tds:xmlns/>'.repeat(Math.floor(room / 12))}</tds:Padding>`;
  else bomb = `<tds:Padding>${'xmlns '.repeat(Math.floor(room / 6))}</tds:Padding>`;
  return frame.replace('@@BOMB@@', bomb);
}

/** The scopes a scope-flood fault adds: `count` (40,000) location scopes of `length` characters (48). */
export function floodScopes(fault: SimFault): string[] {
  const count = Math.max(0, Math.floor(Number(fault.count ?? 40_000)));
  const length = Math.max(32, Math.floor(Number(fault.length ?? 48)));
  const prefix = 'onvif://www.onvif.org/location/flood/';
  return Array.from({ length: count }, (_, i) => {
    const head = `${prefix}${i}/`;
    return head + 'x'.repeat(Math.max(0, length - head.length));
  });
}
