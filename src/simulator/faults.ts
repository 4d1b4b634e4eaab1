import type { ServerResponse } from 'node:http';
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
