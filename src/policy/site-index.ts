/**
 * Lookup indexes of a profile set (assignments, consents, filings, signage, vendors), built at the start of an
 * evaluation, so a scan of 10,000 cameras costs map hits instead of list scans.
 */
import type { CameraRecord } from '../model/camera-records.js';
import type {
  CameraAssignment,
  ConsentRecord,
  FilingRecord,
  ProfileSet,
  SignageRecord,
  VendorProfile,
} from '../profiles/types.js';
import { createVendorMatcher } from './match-vendor.js';

export const stripUrn = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/^urn:uuid:/, '');
const normMac = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '');

interface AssignmentIndex {
  byId: Map<string, CameraAssignment>;
  byEndpoint: Map<string, CameraAssignment>;
  bySerial: Map<string, CameraAssignment>;
  byMac: Map<string, CameraAssignment>;
  byAddress: Map<string, CameraAssignment>;
}

export function indexAssignments(list: readonly CameraAssignment[]): AssignmentIndex {
  const idx: AssignmentIndex = {
    byId: new Map(),
    byEndpoint: new Map(),
    bySerial: new Map(),
    byMac: new Map(),
    byAddress: new Map(),
  };
  const put = (m: Map<string, CameraAssignment>, k: string | undefined, a: CameraAssignment) => {
    if (k && !m.has(k)) m.set(k, a);
  };
  for (const a of list) {
    put(idx.byId, a.match.id?.trim(), a);
    put(idx.byEndpoint, a.match.endpoint ? stripUrn(a.match.endpoint) : undefined, a);
    put(idx.bySerial, a.match.serial?.trim().toLowerCase(), a);
    put(idx.byMac, a.match.mac ? normMac(a.match.mac) : undefined, a);
    put(idx.byAddress, a.match.address?.trim(), a);
  }
  return idx;
}

export function findAssignment(r: CameraRecord, idx: AssignmentIndex): CameraAssignment | undefined {
  const byId = idx.byId.size > 0 ? idx.byId.get(r.id) : undefined;
  if (byId) return byId;
  // NVR channels share the recorder's identity; only an exact channel id may assign them.
  if (r.parent !== undefined) return undefined;
  if (idx.byEndpoint.size > 0) {
    const byEndpoint =
      (r.endpoint ? idx.byEndpoint.get(stripUrn(r.endpoint)) : undefined) ?? idx.byEndpoint.get(stripUrn(r.id));
    if (byEndpoint) return byEndpoint;
  }
  return (
    (r.serial && idx.bySerial.size > 0 ? idx.bySerial.get(r.serial.trim().toLowerCase()) : undefined) ??
    (r.mac && idx.byMac.size > 0 ? idx.byMac.get(normMac(r.mac)) : undefined) ??
    (r.address && idx.byAddress.size > 0 ? idx.byAddress.get(r.address.trim()) : undefined)
  );
}

/** Records by the camera names they list (trimmed, lower-case); `all` holds those listing none. */
export interface CameraRecordIndex<T> {
  all: T[];
  byKey: Map<string, T[]>;
}

function indexByCamera<T extends { cameras: string[] }>(records: readonly T[]): CameraRecordIndex<T> {
  const all: T[] = [];
  const byKey = new Map<string, T[]>();
  for (const r of records) {
    if (r.cameras.length === 0) all.push(r);
    for (const c of new Set(r.cameras.map((c) => c.trim().toLowerCase()))) {
      const list = byKey.get(c);
      if (list) list.push(r);
      else byKey.set(c, [r]);
    }
  }
  return { all, byKey };
}

function namedBy<T>(m: Map<string, T[]>, key: string, test: (record: T) => boolean): boolean {
  return m.get(key)?.some(test) === true;
}

/**
 * Whether `test` holds for a record listing this camera by one of its identifiers: lower-case id, endpoint
 * with and without `urn:uuid:`, serial, MAC as written and bare, address, the assignment's id and name.
 * Records listing `*` (and, for site-wide rules, listing no camera) are the caller's: see siteWideRecord.
 */
export function namedRecord<T>(
  idx: CameraRecordIndex<T>,
  r: CameraRecord,
  a: CameraAssignment | undefined,
  test: (record: T) => boolean,
): boolean {
  const m = idx.byKey;
  if (m.size === 0) return false;
  return (
    namedBy(m, r.id.toLowerCase(), test) ||
    (r.endpoint ? namedBy(m, r.endpoint.toLowerCase(), test) || namedBy(m, stripUrn(r.endpoint), test) : false) ||
    (r.serial ? namedBy(m, r.serial.toLowerCase(), test) : false) ||
    (r.mac ? namedBy(m, r.mac.toLowerCase(), test) || namedBy(m, normMac(r.mac), test) : false) ||
    (r.address ? namedBy(m, r.address, test) : false) ||
    (a?.match.id ? namedBy(m, a.match.id.toLowerCase(), test) : false) ||
    (a?.name ? namedBy(m, a.name.toLowerCase(), test) : false)
  );
}

/** Whether `test` holds for a record covering every camera: listing `*`, or (site-wide rules) no camera. */
export function siteWideRecord<T>(idx: CameraRecordIndex<T>, siteWide: boolean, test: (record: T) => boolean): boolean {
  return (siteWide && idx.all.some(test)) || namedBy(idx.byKey, '*', test);
}

export interface PreparedSite {
  assignments: AssignmentIndex;
  matchVendor: (r: CameraRecord) => VendorProfile | undefined;
  filings: CameraRecordIndex<FilingRecord>;
  signage: CameraRecordIndex<SignageRecord>;
  consents: CameraRecordIndex<ConsentRecord>;
}

/** Indexes of a profile set, for one evaluation. */
export function prepareSite(profiles: ProfileSet | undefined): PreparedSite {
  const site = profiles?.site;
  return {
    assignments: indexAssignments(site?.cameras ?? []),
    matchVendor: createVendorMatcher(profiles?.vendors ?? []),
    filings: indexByCamera(site?.filings ?? []),
    signage: indexByCamera(site?.signage ?? []),
    consents: indexByCamera(site?.consents ?? []),
  };
}
