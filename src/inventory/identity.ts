import { createHash } from 'node:crypto';
import { derivedId, isPlainUuid, safeToken } from '../util/safe-id.js';

/**
 * `urn:uuid:3fa1…` or `uuid:3fa1…` (a plain UUID) → `3fa1…`. Any other EndpointReference is device-chosen text
 * that must never become a topic level, path or option: its id is derived (a hash); the raw value stays in the
 * record's `endpoint`. Empty → undefined.
 */
export function idFromEndpoint(endpoint: string): string | undefined {
  const trimmed = endpoint.trim();
  if (trimmed === '') return undefined;
  const stripped = trimmed.replace(/^urn:uuid:/i, '').replace(/^uuid:/i, '');
  return isPlainUuid(stripped) ? stripped : derivedId('endpoint', trimmed);
}

/** Stable id when there is no EndpointReference: a hash of serial + MAC (address as a last resort). */
export function idFromSerialAndMac(serial: string | undefined, mac: string | undefined, fallback: string): string {
  const basis = serial || mac ? `${serial ?? ''}|${(mac ?? '').toLowerCase()}` : `addr|${fallback}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
}

/** `<recorder id>:<token>`, the device-supplied token made safe (see docs/identity.md). */
export function channelId(recorderId: string, token: string): string {
  return `${recorderId}:${safeToken(token)}`;
}

const MAC_SCOPE = /^onvif:\/\/www\.onvif\.org\/(?:MAC|macaddress|MacAddress)\/(.+)$/i;

/** MAC from a `…/MAC/58:50:…` or `…/macaddress/…` scope, verbatim (empty values ignored). */
export function macFromScopes(scopes: readonly string[]): string | undefined {
  for (const scope of scopes) {
    const m = MAC_SCOPE.exec(scope);
    if (m?.[1]) return safeDecode(m[1]);
  }
  return undefined;
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
