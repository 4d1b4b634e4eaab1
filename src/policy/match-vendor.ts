/** Vendor profile matching: regex fingerprints (case-insensitive), highest priority first, generic fallback. */
import type { CameraRecord } from '../model/camera-records.js';
import type { VendorProfile } from '../profiles/types.js';
import { compareText } from '../util/compare.js';

const FIELDS = ['manufacturer', 'model', 'firmware', 'hardwareId'] as const;
type Field = (typeof FIELDS)[number];

/** A vendor profile with its fingerprints compiled; a bad pattern is null and matches nothing (never throws mid-scan). */
interface CompiledProfile {
  profile: VendorProfile;
  patterns: Array<[Field, RegExp | null]>;
}

function compile(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return null;
  }
}

function compileProfile(profile: VendorProfile): CompiledProfile {
  const patterns: CompiledProfile['patterns'] = [];
  for (const field of FIELDS) {
    const pattern = profile.match[field];
    if (pattern !== undefined && pattern !== '') patterns.push([field, compile(pattern)]);
  }
  return { profile, patterns };
}

/** Every fingerprint the profile gives matches; a profile giving none is not specific. */
function matches(record: CameraRecord, { patterns }: CompiledProfile): boolean {
  for (const [field, re] of patterns) if (!re?.test(record[field] ?? '')) return false;
  return patterns.length > 0;
}

function isGeneric(profile: VendorProfile): boolean {
  return FIELDS.every((f) => !profile.match[f]) || profile.id === 'generic';
}

/**
 * Matcher for many records: profiles sorted and their fingerprints compiled once. Ids break priority ties in
 * code-unit order: for kebab-case ids (the vendor schema) the same order as localeCompare, without starting ICU.
 */
export function createVendorMatcher(vendors: readonly VendorProfile[]): (r: CameraRecord) => VendorProfile | undefined {
  const sorted = [...vendors].sort((a, b) => b.priority - a.priority || compareText(a.id, b.id));
  const specific = sorted.filter((v) => !isGeneric(v)).map(compileProfile);
  const generic = sorted.find(isGeneric);
  return (r) => {
    for (const compiled of specific) if (matches(r, compiled)) return compiled.profile;
    return generic;
  };
}
