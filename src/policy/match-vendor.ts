/** Vendor profile matching: regex fingerprints (case-insensitive), highest priority first, generic fallback. */
import type { CameraRecord } from '../model/camera-records.js';
import type { VendorProfile } from '../profiles/types.js';

const regexCache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      re = null; // A bad pattern matches nothing rather than throwing mid-scan.
    }
    regexCache.set(pattern, re);
  }
  return re;
}

const FIELDS = ['manufacturer', 'model', 'firmware', 'hardwareId'] as const;

function matchesProfile(record: CameraRecord, profile: VendorProfile): boolean {
  let constrained = false;
  for (const field of FIELDS) {
    const pattern = profile.match[field];
    if (pattern === undefined || pattern === '') continue;
    constrained = true;
    const re = compile(pattern);
    if (!re?.test(record[field] ?? '')) return false;
  }
  return constrained;
}

function isGeneric(profile: VendorProfile): boolean {
  return FIELDS.every((f) => !profile.match[f]) || profile.id === 'generic';
}

export function matchVendor(record: CameraRecord, vendors: readonly VendorProfile[]): VendorProfile | undefined {
  const sorted = [...vendors].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  return sorted.find((v) => !isGeneric(v) && matchesProfile(record, v)) ?? sorted.find(isGeneric);
}

/** manufacturer → model → firmware → hardwareId → profile: no key string is built per record. */
type Seen = Map<string, Map<string, Map<string, Map<string, VendorProfile | undefined>>>>;

function child<V>(m: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let next = m.get(key);
  if (!next) {
    next = new Map();
    m.set(key, next);
  }
  return next;
}

/** Pre-sorted matcher for many records, memoised by the identity strings it reads. */
export function createVendorMatcher(vendors: readonly VendorProfile[]): (r: CameraRecord) => VendorProfile | undefined {
  const sorted = [...vendors].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  const specific = sorted.filter((v) => !isGeneric(v));
  const generic = sorted.find(isGeneric);
  let seen: Seen = new Map();
  let count = 0;
  return (r) => {
    const byHardware = child(child(child(seen, r.manufacturer ?? ''), r.model ?? ''), r.firmware ?? '');
    const hardwareId = r.hardwareId ?? '';
    if (byHardware.has(hardwareId)) return byHardware.get(hardwareId);
    const v = specific.find((p) => matchesProfile(r, p)) ?? generic;
    if (++count > 10_000) {
      seen = new Map();
      count = 0;
    } else byHardware.set(hardwareId, v);
    return v;
  };
}
