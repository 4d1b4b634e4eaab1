import { randomInt } from 'node:crypto';
import { request } from 'node:http';
import type { SimSiteSpec } from '../../src/simulator/index.js';

/** A random 127.a.b.0 block per test file, so parallel files never collide. */
export function randomBlock(): (host: number) => string {
  const a = randomInt(32, 250);
  const b = randomInt(1, 250);
  return (host) => `127.${a}.${b}.${host}`;
}

/** Port 80 as root (CI), an unprivileged port otherwise. */
export const HTTP_PORT = process.getuid?.() === 0 ? 80 : 18080;

/** The site with every device that names no port on HTTP_PORT: a plain user cannot listen on the default 80. */
export function onTestPort(site: SimSiteSpec): SimSiteSpec {
  return { ...site, devices: site.devices.map((d) => ({ httpPort: HTTP_PORT, ...d })) };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  timeoutMs = 3000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', ...headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export function soap(operation: string, ns: string, inner = '', header = ''): string {
  return (
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header><s:Body>` +
    `<${operation} xmlns="${ns}">${inner}</${operation}></s:Body></s:Envelope>`
  );
}

export const TDS = 'http://www.onvif.org/ver10/device/wsdl';
export const TR2 = 'http://www.onvif.org/ver20/media/wsdl';
export const TRC = 'http://www.onvif.org/ver10/recording/wsdl';
