import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ErrorCode, UsageError } from '../util/errors.js';
import { parseListen } from '../util/listen-address.js';

/** Only the machine itself can reach this address: 127.0.0.0/8, ::1, localhost. Anything else is not (fail closed). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
  return mapped?.startsWith('127.') === true;
}

export interface AccessSettings {
  listen: string;
  token?: string | undefined;
  allowUnauthenticated: boolean;
}

/**
 * Refuses to serve the registry's data to a network without a token: the pages and API show every camera,
 * decision and request of the fleet. Loopback needs none; elsewhere a token, or an explicit statement that
 * something in front authenticates.
 */
export function assertSafeListen(settings: AccessSettings): void {
  if (settings.token !== undefined || settings.allowUnauthenticated) return;
  if (isLoopback(parseListen(settings.listen).host)) return;
  throw new UsageError(
    `CAMWARDEN_REGISTRY_LISTEN (registry.listen): ${settings.listen} is reachable from the network: set ` +
      'CAMWARDEN_REGISTRY_TOKEN (registry.token), or CAMWARDEN_REGISTRY_ALLOW_UNAUTHENTICATED=1 ' +
      '(registry.allowUnauthenticated) when a reverse proxy in front authenticates',
    ErrorCode.InvalidConfig,
  );
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The token a request presents: `Authorization: Bearer <token>`, or Basic with the token as password. */
function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const bearer = /^Bearer +(\S+) *$/i.exec(header)?.[1];
  if (bearer !== undefined) return bearer;
  const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** A check of each request against the token; without a token every request passes (loopback, or a proxy). */
export function tokenCheck(token: string | undefined): (req: IncomingMessage) => boolean {
  if (token === undefined) return () => true;
  // compared as digests: equal length, constant time, whatever was sent
  const expected = digest(token);
  return (req) => {
    const presented = presentedToken(req);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}
