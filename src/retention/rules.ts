/**
 * The retention rules in one place (docs/retention.md): floors, configured days, the default, durations, holds; the
 * policy's Art 17 check, the sweeper and the profile loader all use them. Their file formats are in schemas.ts
 * (zod stays out of here: the sweep's worker loads this file, and starts faster without it).
 */
import type { CameraRecord } from '../model/camera-records.js';
import type { LegalHold, PackRetentionInput } from './schemas.js';

export type { LegalHold };

export const DAY_MS = 86_400_000;
/** A segment that started up to this long before a hold's `from` may cover it, so it is held too. */
export const HOLD_LEAD_MS = 3_600_000;

/** The retention policy in force: the pack's figures, the site's choices, and the legal holds of the profiles. */
export interface RetentionPolicy {
  defaultDays: number;
  siteDays?: number;
  zoneDays: Record<string, number>;
  /** Legal floors by system class (cn-2025: art7-* → 30). */
  classMinimumDays: Record<string, number>;
  /** Overlays raise the floor (anti-terror-key-target → 90). */
  overlayMinimumDays: Record<string, number>;
  /** Overlays applied to every camera of the site. */
  siteOverlays: string[];
  /** How long a blocked camera's footage stays in quarantine once moved there (held footage stays longer). */
  quarantineDays: number;
  legalHolds: LegalHold[];
}

/** The figures of Order 799 (the cn-2025 pack, also built into the policy): 30 days, 90 for anti-terror key targets. */
export const CN_2025_RETENTION = {
  defaultDays: 30,
  classMinimumDays: { 'art7-gov': 30, 'art7-operator': 30 },
  overlayMinimumDays: { 'anti-terror-key-target': 90, 'entertainment-venue': 30 },
  overlayArticles: {
    'anti-terror-key-target': 'Anti-Terrorism Law Article 32',
    'entertainment-venue': 'Entertainment Venues Regulations Article 15',
  },
  quarantineDays: 30,
} satisfies PackRetentionInput;

/** The one way a RetentionPolicy is made: a pack's block, then what the site profile sets, then holds. */
export function retentionPolicyFrom(
  pack: PackRetentionInput,
  site: { siteDays?: number | undefined; zoneDays?: Record<string, number>; siteOverlays?: readonly string[] } = {},
  legalHolds: readonly LegalHold[] = [],
): RetentionPolicy {
  const classMinimumDays = { ...(pack.classMinimumDays ?? {}) };
  const overlayMinimumDays = { ...(pack.overlayMinimumDays ?? {}) };
  const longestFloor = maxOf([...Object.values(classMinimumDays), ...Object.values(overlayMinimumDays)]);
  return {
    defaultDays: pack.defaultDays,
    zoneDays: { ...(pack.zoneDays ?? {}), ...(site.zoneDays ?? {}) },
    classMinimumDays,
    overlayMinimumDays,
    siteOverlays: [...(site.siteOverlays ?? [])],
    quarantineDays: pack.quarantineDays ?? Math.max(pack.defaultDays, longestFloor),
    legalHolds: [...legalHolds],
    ...(site.siteDays !== undefined ? { siteDays: site.siteDays } : {}),
  };
}

/** The policy when no profile set is available at all: Order 799's figures. */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = retentionPolicyFrom(CN_2025_RETENTION);

/** What the rules need to know about one camera. */
export interface CameraRetentionFacts {
  id: string;
  zone?: string;
  systemClass?: string;
  overlays: string[];
  retentionDays?: number;
  /** Directory name in the recordings tree when it differs from the id. */
  recordingName?: string;
  /** Decision is `block`: footage goes to quarantine instead of being kept or deleted. */
  blocked: boolean;
}

/** Facts of one camera record and its site-profile assignment (the same facts for the policy and the sweeper). */
type RecordFacts = Pick<CameraRecord, 'id' | 'location' | 'systemClass' | 'decision'>;
type AssignmentFacts = { retentionDays?: number; recordingName?: string; overlays?: readonly string[] };

export function retentionFacts(record: RecordFacts, assignment?: AssignmentFacts): CameraRetentionFacts {
  const facts: CameraRetentionFacts = {
    id: record.id,
    overlays: [...new Set(assignment?.overlays ?? [])],
    blocked: record.decision?.action === 'block',
  };
  if (record.location?.zone) facts.zone = record.location.zone;
  if (record.systemClass) facts.systemClass = record.systemClass;
  if (assignment?.retentionDays !== undefined) facts.retentionDays = assignment.retentionDays;
  if (assignment?.recordingName !== undefined) facts.recordingName = assignment.recordingName;
  return facts;
}

function maxOf(values: Iterable<number | undefined>): number {
  let m = 0;
  for (const v of values) if (v !== undefined && Number.isFinite(v) && v > m) m = v;
  return m;
}

/**
 * The legal floor in days. A camera without a known class (or a directory no camera claims: `undefined`) gets the
 * STRICTEST class floor: when we cannot tell whether footage is Art 7 footage, we keep it as if it were.
 */
export function floorDays(policy: RetentionPolicy, camera: CameraRetentionFacts | undefined): number {
  const cls = camera?.systemClass;
  const classFloor =
    cls === undefined ? maxOf(Object.values(policy.classMinimumDays)) : (policy.classMinimumDays[cls] ?? 0);
  const overlays = [...policy.siteOverlays, ...(camera?.overlays ?? [])];
  return maxOf([classFloor, ...overlays.map((o) => policy.overlayMinimumDays[o])]);
}

/** Days kept: the configured days (camera, else zone, else site, else the pack's default), at least the floor. */
export function effectiveRetentionDays(policy: RetentionPolicy, camera: CameraRetentionFacts | undefined): number {
  const zoneDays = camera?.zone !== undefined ? policy.zoneDays[camera.zone] : undefined;
  const configured = camera?.retentionDays ?? zoneDays ?? policy.siteDays ?? policy.defaultDays;
  return Math.max(configured, floorDays(policy, camera));
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * Days of an ISO-8601 duration (Y = 365 d, M = 30 d); undefined when it does not parse. A zero duration is
 * Infinity: ONVIF's MaximumRetentionTime uses PT0S for "no limit".
 */
export function isoDurationDays(value: string): number | undefined {
  const text = value.trim().toUpperCase();
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const total = n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4) + n(5) / 24 + n(6) / 1440 + n(7) / 86400;
  return total === 0 ? Number.POSITIVE_INFINITY : total;
}

/**
 * Compiles holds into a test: is footage of a camera known by `names` that started at `ts` held? A date-only `to`
 * holds that whole day; a time that does not parse holds without limit on that side (never "not held"). The hold's
 * camera is compared in Unicode NFC: `names` must include their NFC forms (the walk gives both).
 */
export function heldTest(holds: readonly LegalHold[]): (names: readonly string[], ts: number) => boolean {
  const ranges = holds.map((h) => {
    const from = Date.parse(h.from);
    const to = Date.parse(h.to) + (/^\d{4}-\d{2}-\d{2}$/.test(h.to) ? DAY_MS - 1 : 0);
    return {
      camera: h.camera.normalize('NFC'),
      from: Number.isFinite(from) ? from - HOLD_LEAD_MS : Number.NEGATIVE_INFINITY,
      to: Number.isFinite(to) ? to : Number.POSITIVE_INFINITY,
    };
  });
  return (names, ts) =>
    ranges.some((h) => (h.camera === '*' || names.includes(h.camera)) && ts >= h.from && ts <= h.to);
}
