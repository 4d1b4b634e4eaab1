import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { EMPTY_SITE } from '../../src/profiles/load-profile-set.js';
import { type PolicyPack, policyPackSchema } from '../../src/profiles/pack-schema.js';
import type { ProfileSet, SiteProfile, VendorProfile } from '../../src/profiles/types.js';
import { retentionPolicyFrom } from '../../src/retention/rules.js';

export const NOW = new Date('2026-11-29T10:00:00.000Z');

export function scope(path: string): string {
  return `onvif://www.onvif.org/${path}`;
}

export function camera(over: Partial<CameraRecord> = {}): CameraRecord {
  const tags = over.location?.tags ?? [];
  return {
    id: 'cam-1',
    kind: 'camera',
    endpoint: 'urn:uuid:cam-1',
    address: '192.0.2.10',
    xaddr: 'http://192.0.2.10/onvif/device_service',
    manufacturer: 'ACME',
    model: 'IPC-1',
    firmware: '1.0',
    serial: 'SN1',
    scopes: [],
    errors: [],
    decision: { action: 'flag', reasons: [] },
    ...over,
    location: { zone: 'unknown', source: 'none', ...over.location, tags },
  };
}

export function loadPack(id: string): PolicyPack {
  return policyPackSchema.parse(
    parse(readFileSync(new URL(`../../device-profiles/packs/${id}.yaml`, import.meta.url), 'utf8')),
  );
}

export function site(over: Partial<SiteProfile> = {}): SiteProfile {
  return { ...EMPTY_SITE, file: 'site/site.yaml', ...over };
}

export function profileSet(
  over: { site?: Partial<SiteProfile>; packId?: string; vendors?: VendorProfile[] } = {},
): ProfileSet {
  const packId = over.packId ?? 'cn-2025';
  const pack = loadPack(packId);
  return {
    revision: 'test-rev',
    dir: '/tmp/profiles',
    packId,
    packs: { [packId]: pack },
    vendors: over.vendors ?? [],
    site: site(over.site),
    retention: retentionPolicyFrom(pack.retention),
    layouts: {},
    signed: false,
  };
}

export function vendor(
  id: string,
  priority: number,
  match: VendorProfile['match'],
  placeholders: string[] = [],
): VendorProfile {
  return {
    id,
    file: `vendors/${id}.yaml`,
    priority,
    description: id,
    match,
    quirks: { placeholderLocations: placeholders, digestOnly: false, brokenMedia2: false, utcIsLocalTime: false },
    levers: { rtspOff: false, privacyMask: false, recordingJobIdle: false },
  };
}
