import { createHash } from 'node:crypto';

/** `urn:uuid:3fa1…` or `uuid:3fa1…` → `3fa1…`; other URIs are kept whole; empty → undefined. */
export function idFromEndpoint(endpoint: string): string | undefined {
  const trimmed = endpoint.trim();
  if (trimmed === '') return undefined;
  const stripped = trimmed.replace(/^urn:uuid:/i, '').replace(/^uuid:/i, '');
  return stripped === '' ? undefined : stripped;
}

/** Stable id when there is no EndpointReference: a hash of serial + MAC (address as a last resort). */
export function idFromSerialAndMac(serial: string | undefined, mac: string | undefined, fallback: string): string {
  const basis = serial || mac ? `${serial ?? ''}|${(mac ?? '').toLowerCase()}` : `addr|${fallback}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
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
