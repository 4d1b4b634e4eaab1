/**
 * evaluateRecords: zone, geofence, records and vendor rules → one Decision per camera. Pure: the same records,
 * profiles and `now` always give the same output; nothing is read from disk or network here.
 */
import type { Action, CameraRecord, GeoPoint, Reason } from '../../../src/inventory/types.js';
import { builtinPack } from '../../../src/policy/builtin-pack.js';
import { type PolicyPack, policyPackSchema } from '../../../src/policy/pack-schema.js';
import type {
  CameraAssignment,
  ConsentRecord,
  FilingRecord,
  ProfileSet,
  RetentionPolicy,
  SignageRecord,
  VendorProfile,
} from '../../../src/profiles/types.js';
import { classifyZone, zoneRule } from './classify-zone.js';
import { fencesNear, isValidGeo } from './geofence.js';
import { createVendorMatcher } from './match-vendor.js';

export interface EvaluateOptions {
  now: Date;
}

const RANK: Record<Action, number> = { allow: 0, flag: 1, block: 2 };
const DAY_MS = 86_400_000;

const packCache = new WeakMap<object, PolicyPack | null>();

/** The active pack of a profile set (validated, cached); the built-in cn-2025 when absent or invalid. */
export function activePack(profiles: ProfileSet | undefined): PolicyPack {
  if (!profiles) return builtinPack;
  const raw = profiles.packs[profiles.packId];
  if (typeof raw !== 'object' || raw === null) return builtinPack;
  let pack = packCache.get(raw);
  if (pack === undefined) {
    const parsed = policyPackSchema.safeParse(raw);
    pack = parsed.success ? parsed.data : null;
    packCache.set(raw, pack);
  }
  return pack ?? builtinPack;
}

const stripUrn = (s: string) =>
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

function indexAssignments(list: readonly CameraAssignment[]): AssignmentIndex {
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

/** The site-profile assignment of one camera (the same match the decisions use), for other modules. */
export function siteAssignmentFor(
  record: CameraRecord,
  profiles: ProfileSet | undefined,
): CameraAssignment | undefined {
  return profiles ? findAssignment(record, prepare(profiles).assignments) : undefined;
}

function findAssignment(r: CameraRecord, idx: AssignmentIndex): CameraAssignment | undefined {
  const byId = idx.byId.get(r.id);
  if (byId) return byId;
  // NVR channels share the recorder's identity; only an exact channel id may assign them.
  if (r.parent !== undefined) return undefined;
  if (idx.byEndpoint.size > 0) {
    const byEndpoint =
      (r.endpoint ? idx.byEndpoint.get(stripUrn(r.endpoint)) : undefined) ?? idx.byEndpoint.get(stripUrn(r.id));
    if (byEndpoint) return byEndpoint;
  }
  return (
    (r.serial ? idx.bySerial.get(r.serial.trim().toLowerCase()) : undefined) ??
    (r.mac ? idx.byMac.get(normMac(r.mac)) : undefined) ??
    (r.address ? idx.byAddress.get(r.address.trim()) : undefined)
  );
}

/** Identifiers (lower-case) a consent/filing/signage record may use to name this camera. */
function cameraKeys(r: CameraRecord, a: CameraAssignment | undefined): Set<string> {
  const keys = new Set<string>(['*', r.id.toLowerCase()]);
  if (r.endpoint) {
    keys.add(r.endpoint.toLowerCase());
    keys.add(stripUrn(r.endpoint));
  }
  if (r.serial) keys.add(r.serial.toLowerCase());
  if (r.mac) {
    keys.add(r.mac.toLowerCase());
    keys.add(normMac(r.mac));
  }
  if (r.address) keys.add(r.address);
  if (a?.match.id) keys.add(a.match.id.toLowerCase());
  if (a?.name) keys.add(a.name.toLowerCase());
  return keys;
}

/** camera name (as written, and lower-cased) → records naming it; lets 10,000 cameras skip O(n²) scans. */
function indexByCamera<T extends { cameras: string[] }>(records: readonly T[]): { all: T[]; byKey: Map<string, T[]> } {
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

function recordsFor<T>(idx: { all: T[]; byKey: Map<string, T[]> }, keys: Set<string>, siteWide: boolean): T[] {
  let out: T[] | undefined = siteWide && idx.all.length > 0 ? [...idx.all] : undefined;
  for (const k of keys) {
    const list = idx.byKey.get(k);
    if (list) out = out ? out.concat(list) : [...list];
  }
  return out ?? [];
}

function anyRecordFor(idx: { byKey: Map<string, unknown[]> }, keys: Set<string>): boolean {
  for (const k of keys) if (idx.byKey.has(k)) return true;
  return false;
}

interface Prepared {
  assignments: AssignmentIndex;
  matchVendor: (r: CameraRecord) => VendorProfile | undefined;
  filings: ReturnType<typeof indexByCamera<FilingRecord>>;
  signage: ReturnType<typeof indexByCamera<SignageRecord>>;
  consents: ReturnType<typeof indexByCamera<ConsentRecord>>;
}

const preparedCache = new WeakMap<object, Prepared>();
const EMPTY_PROFILES = {};

/** Indexes of a profile set, built once per (immutable) set rather than per scan. */
function prepare(profiles: ProfileSet | undefined): Prepared {
  const key = profiles ?? EMPTY_PROFILES;
  let p = preparedCache.get(key);
  if (!p) {
    const site = profiles?.site;
    p = {
      assignments: indexAssignments(site?.cameras ?? []),
      matchVendor: createVendorMatcher(profiles?.vendors ?? []),
      filings: indexByCamera(site?.filings ?? []),
      signage: indexByCamera(site?.signage ?? []),
      consents: indexByCamera(site?.consents ?? []),
    };
    preparedCache.set(key, p);
  }
  return p;
}

const time = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/** Days of an ISO-8601 duration (`P30D`, `PT720H`); undefined when unparseable; 0 = unlimited. */
export function durationDays(value: string): number | undefined {
  const m =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      value.trim(),
    );
  if (!m || value.trim().toUpperCase() === 'P' || value.trim().toUpperCase() === 'PT') return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  return n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4) + n(5) / 24 + n(6) / 1440 + n(7) / 86400;
}

const durationCache = new Map<string, number | undefined>();
function cachedDurationDays(value: string): number | undefined {
  if (durationCache.has(value)) return durationCache.get(value);
  const days = durationDays(value);
  if (durationCache.size < 1000) durationCache.set(value, days);
  return days;
}

function retentionFloor(pol: RetentionPolicy, cls: string | undefined, overlays: readonly string[]): number {
  let floor = cls ? (pol.classMinimumDays[cls] ?? 0) : 0;
  for (const o of overlays) floor = Math.max(floor, pol.overlayMinimumDays[o] ?? 0);
  return floor;
}

function packRetention(pack: PolicyPack): RetentionPolicy {
  return {
    defaultDays: pack.retention.defaultDays,
    zoneDays: pack.retention.zoneDays ?? {},
    classMinimumDays: pack.retention.classMinimumDays,
    overlayMinimumDays: pack.retention.overlayMinimumDays,
    siteOverlays: [],
    legalHolds: [],
  };
}

function unverifiedReason(rule: string): Reason {
  return {
    code: 'unverified-device',
    rule,
    article: 'Article 10',
    message: 'the device answered discovery but its identity could not be confirmed over ONVIF; review it',
  };
}

export function evaluateRecords(
  records: CameraRecord[],
  profiles: ProfileSet | undefined,
  opts: EvaluateOptions,
): CameraRecord[] {
  const now = opts.now.getTime();
  const pack = activePack(profiles);
  const site = profiles?.site;
  const retention = profiles?.retention ?? packRetention(pack);
  const {
    assignments,
    matchVendor: matchVendorFn,
    filings: filingIdx,
    signage: signageIdx,
    consents: consentIdx,
  } = prepare(profiles);
  const fences = site?.geofences ?? [];
  const rules = pack.rules;
  const rule = pack.id;

  // NVR channels carry no identity strings of their own: they take their recorder's vendor profile.
  const byId = new Map(records.map((r) => [r.id, r]));
  const vendorOf = (r: CameraRecord): VendorProfile | undefined => {
    const parent = r.parent !== undefined && !r.manufacturer ? byId.get(r.parent) : undefined;
    return matchVendorFn(parent ?? r);
  };

  return records.map((record) => {
    const reasons: Array<Reason & { action: Action; consentable?: boolean }> = [];
    const add = (action: Action, r: Omit<Reason, 'rule'>, consentable = false) =>
      reasons.push({ action, rule, code: r.code, article: r.article, message: r.message, consentable });

    const assignment = findAssignment(record, assignments);
    const vendor = vendorOf(record);
    let keysMemo: Set<string> | undefined;
    const keys = () => {
      keysMemo ??= cameraKeys(record, assignment);
      return keysMemo;
    };

    // 1. Zone from tags/scopes, overridden by the site profile.
    const cls = classifyZone(record.location.tags, {
      scopes: record.scopes,
      placeholders: vendor?.quirks.placeholderLocations ?? [],
      pack,
    });
    let zone: string;
    let source: CameraRecord['location']['source'];
    let zoneAction: Action;
    let modified = false;
    let mismatchWith: string | undefined;
    if (assignment?.zone) {
      zone = assignment.zone;
      source = 'profile';
      zoneAction = zoneRule(pack, zone).action;
      mismatchWith = cls.zone !== 'unknown' && cls.zone !== zone ? cls.zone : undefined;
    } else if (cls.zone !== 'unknown') {
      zone = cls.zone;
      source = 'scope';
      zoneAction = cls.action;
      modified = cls.modified;
    } else {
      zone = 'unknown';
      source = 'none';
      zoneAction = zoneRule(pack, 'unknown').action;
    }

    // 2. Geofences: a camera within a fence's buffer is `<kind>-adjacent`.
    const geo: GeoPoint | undefined = isValidGeo(record.location.geo)
      ? record.location.geo
      : isValidGeo(assignment?.geo)
        ? assignment.geo
        : undefined;
    const fenceZones = geo ? [...new Set(fencesNear(geo, fences).map((f) => `${f.kind}-adjacent`))] : [];
    for (const fz of fenceZones) {
      const fr = zoneRule(pack, fz);
      if (zone === 'unknown' || RANK[fr.action] > RANK[zoneAction]) {
        zone = fz;
        source = 'geofence';
        zoneAction = fr.action;
        modified = false;
      }
    }

    const primary = zoneRule(pack, zone);
    if (zoneAction !== 'allow') {
      if (modified) {
        add(zoneAction, { code: pack.modifiers.code, article: primary.article, message: pack.modifiers.message });
      } else {
        add(zoneAction, primary, primary.clearedByConsent);
      }
    }
    const mm = rules.zoneTagMismatch;
    if (mismatchWith && (mm?.enabled ?? true)) {
      add('flag', {
        code: mm?.code ?? 'zone-tag-mismatch',
        article: mm?.article ?? zoneRule(pack, mismatchWith).article,
        message: `${mm?.message ?? 'location scope contradicts the site profile'} (scope says ${mismatchWith}, profile says ${assignment?.zone})`,
      });
    }
    for (const fz of fenceZones) {
      if (fz === zone) continue;
      const fr = zoneRule(pack, fz);
      if (fr.action !== 'allow') add(fr.action, fr, fr.clearedByConsent);
    }

    // 3. Records rules driven by the system class.
    const systemClass = assignment?.systemClass ?? site?.defaultSystemClass;
    if (site && systemClass) {
      const filing = rules.filing;
      if (filing?.enabled && filing.classes.includes(systemClass)) {
        const mine = recordsFor(filingIdx, keys(), true);
        const filed = mine.some((f) => f.number.trim().length > 0);
        const inGrace = mine.some((f) => {
          const live = time(f.goLiveDate);
          return Number.isFinite(live) && now < live + filing.daysAfterGoLive * DAY_MS;
        });
        if (!filed && !inGrace) add('flag', filing);
      }
      const signage = rules.signage;
      if (signage?.enabled && signage.classes.includes(systemClass)) {
        if (!anyRecordFor(signageIdx, keys())) add('flag', signage);
      }
    }
    const retMin = rules.retentionMinimum;
    if (retMin?.enabled) {
      const overlays = [...retention.siteOverlays, ...(assignment?.overlays ?? [])];
      const floor = retentionFloor(retention, systemClass, overlays);
      const configured = assignment?.retentionDays ?? retention.siteDays;
      const recorder = record.maximumRetentionTime ? cachedDurationDays(record.maximumRetentionTime) : undefined;
      if (floor > 0 && configured !== undefined && configured < floor) {
        add('flag', { ...retMin, message: `${retMin.message}: configured ${configured} days, minimum ${floor} days` });
      } else if (floor > 0 && recorder !== undefined && recorder > 0 && recorder < floor) {
        add('flag', {
          ...retMin,
          message: `${retMin.message}: recorder keeps ${record.maximumRetentionTime}, minimum ${floor} days`,
        });
      }
    }

    // 4. Consent (Art 10) clears consent-required reasons.
    const consented =
      reasons.some((r) => r.consentable) &&
      recordsFor(consentIdx, keys(), false).some((c) => {
        const from = time(c.date);
        const until = c.expires === undefined ? Number.POSITIVE_INFINITY : time(c.expires);
        return Number.isFinite(from) && from <= now && until > now;
      });
    const kept = consented ? reasons.filter((r) => !r.consentable) : reasons;

    // 5. Unverified devices keep their flag.
    const final: Reason[] = record.decision.reasons.filter((r) => r.code === 'unverified-device');
    if (record.unverified && final.length === 0) final.push(unverifiedReason(rule));
    let action: Action = final.length > 0 ? 'flag' : 'allow';
    for (const r of kept) {
      final.push({ code: r.code, rule: r.rule, article: r.article, message: r.message });
      if (RANK[r.action] > RANK[action]) action = r.action;
    }
    // An unverified responder is flagged, never blocked (INTERFACES §4): its scopes are unconfirmed, and
    // blocking on them would let any LAN host get an arbitrary address firewalled by spoofing a camera.
    if (record.unverified && action === 'block') action = 'flag';

    const out: CameraRecord = {
      ...record,
      location: { ...record.location, zone, source, ...(geo ? { geo } : {}) },
      decision: { action, reasons: final },
    };
    if (systemClass) out.systemClass = systemClass;
    if (vendor) out.vendorProfile = vendor.id;
    return out;
  });
}
