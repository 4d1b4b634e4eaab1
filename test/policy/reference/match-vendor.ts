/** Vendor profile matching: regex fingerprints (case-insensitive), highest priority first, generic fallback. */
import type { CameraRecord } from '../../../src/inventory/types.js';
import type { VendorProfile } from '../../../src/profiles/types.js';

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

/** Pre-sorted matcher for many records. */
export function createVendorMatcher(vendors: readonly VendorProfile[]): (r: CameraRecord) => VendorProfile | undefined {
  const sorted = [...vendors].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  const specific = sorted.filter((v) => !isGeneric(v));
  const generic = sorted.find(isGeneric);
  const seen = new Map<string, VendorProfile | undefined>();
  return (r) => {
    const key = `${r.manufacturer ?? ''}\u0000${r.model ?? ''}\u0000${r.firmware ?? ''}\u0000${r.hardwareId ?? ''}`;
    if (seen.has(key)) return seen.get(key);
    const v = specific.find((p) => matchesProfile(r, p)) ?? generic;
    if (seen.size < 10_000) seen.set(key, v);
    return v;
  };
}
