/**
 * Retention days per camera: configured days (camera ?? zone ?? site ?? pack default) raised to the legal floor
 * (system-class minimum, overlays). Unknown camera directories and cameras without a known class get the
 * STRICTEST class floor: when we cannot tell whether footage is Art 7 footage, we keep it as if it were.
 */
import type { ScanResult } from '../inventory/types.js';
import { siteAssignmentFor } from '../policy/evaluate.js';
import type { LegalHold, ProfileSet, RetentionPolicy } from '../profiles/types.js';

export const DAY_MS = 86_400_000;
/** A segment that started up to this long before a hold's `from` may cover it, so it is held too. */
export const HOLD_LEAD_MS = 3_600_000;

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

/** PRC pack figures (regulation.md §2) used when no profile set is available. */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = {
  defaultDays: 30,
  zoneDays: {},
  classMinimumDays: { 'art7-gov': 30, 'art7-operator': 30 },
  overlayMinimumDays: { 'anti-terror-key-target': 90, 'entertainment-venue': 30, 'security-service': 30 },
  siteOverlays: [],
  legalHolds: [],
};

function maxOf(values: Iterable<number | undefined>): number {
  let m = 0;
  for (const v of values) if (v !== undefined && Number.isFinite(v) && v > m) m = v;
  return m;
}

/** The legal floor in days for a camera (undefined camera = a directory no camera claims). */
export function floorDays(policy: RetentionPolicy, camera: CameraRetentionFacts | undefined): number {
  const classFloor =
    camera?.systemClass !== undefined && camera.systemClass in policy.classMinimumDays
      ? policy.classMinimumDays[camera.systemClass]
      : camera?.systemClass !== undefined
        ? 0 // a known class without a minimum (art33 non-public)
        : maxOf(Object.values(policy.classMinimumDays));
  const overlays = [...policy.siteOverlays, ...(camera?.overlays ?? [])];
  return maxOf([classFloor, ...overlays.map((o) => policy.overlayMinimumDays[o])]);
}

/** Configured days before the floor is applied. */
export function configuredDays(policy: RetentionPolicy, camera: CameraRetentionFacts | undefined): number {
  return (
    camera?.retentionDays ??
    (camera?.zone !== undefined ? policy.zoneDays[camera.zone] : undefined) ??
    policy.siteDays ??
    policy.defaultDays
  );
}

export function effectiveRetentionDays(policy: RetentionPolicy, camera: CameraRetentionFacts | undefined): number {
  return Math.max(configuredDays(policy, camera), floorDays(policy, camera));
}

/** Looks cameras up by the directory name the layout yields: camera id or recordingName alias. */
export class CameraIndex {
  private readonly byName = new Map<string, CameraRetentionFacts>();

  constructor(cameras: readonly CameraRetentionFacts[]) {
    // Aliases win over ids: an alias is the site's explicit statement about the directory.
    for (const c of cameras) if (!this.byName.has(c.id)) this.byName.set(c.id, c);
    for (const c of cameras) if (c.recordingName) this.byName.set(c.recordingName, c);
  }

  lookup(dirName: string): CameraRetentionFacts | undefined {
    return this.byName.get(dirName);
  }

  get all(): CameraRetentionFacts[] {
    return [...new Set(this.byName.values())];
  }
}

interface ParsedHold {
  camera: string;
  from: number;
  to: number;
}

/** Legal holds compiled for per-segment checks; a hold with an unparsable time holds everything of its camera. */
export class HoldIndex {
  private readonly holds: ParsedHold[];

  constructor(holds: readonly LegalHold[]) {
    this.holds = holds.map((h) => {
      const from = Date.parse(h.from);
      const to = Date.parse(h.to);
      return {
        camera: h.camera,
        from: Number.isFinite(from) ? from : Number.NEGATIVE_INFINITY,
        to: Number.isFinite(to) ? to : Number.POSITIVE_INFINITY,
      };
    });
  }

  get size(): number {
    return this.holds.length;
  }

  /** `names` are every name the camera goes by (directory name, id, alias). */
  isHeld(names: readonly string[], ts: number): boolean {
    for (const h of this.holds) {
      if (h.camera !== '*' && !names.includes(h.camera)) continue;
      if (ts >= h.from - HOLD_LEAD_MS && ts <= h.to) return true;
    }
    return false;
  }

  /** Whether any hold of these names could cover something in [start, end]. */
  overlaps(names: readonly string[], start: number, end: number): boolean {
    for (const h of this.holds) {
      if (h.camera !== '*' && !names.includes(h.camera)) continue;
      if (end >= h.from - HOLD_LEAD_MS && start <= h.to) return true;
    }
    return false;
  }
}

/**
 * Camera facts from a ScanResult (`<dataDir>/inventory.json`); `overlays` and `retentionDays` come from the site
 * profile and are not in the scan, so callers with a profile set should merge those in.
 */
export function factsFromScan(scan: ScanResult): CameraRetentionFacts[] {
  return scan.cameras.map((c) => {
    const facts: CameraRetentionFacts = { id: c.id, overlays: [], blocked: c.decision?.action === 'block' };
    if (c.location?.zone) facts.zone = c.location.zone;
    if (c.systemClass) facts.systemClass = c.systemClass;
    return facts;
  });
}

/** factsFromScan plus the site profile's per-camera retention days, overlays and recording-directory alias. */
export function retentionFactsFor(scan: ScanResult, profiles: ProfileSet | undefined): CameraRetentionFacts[] {
  const facts = factsFromScan(scan);
  if (!profiles) return facts;
  scan.cameras.forEach((camera, i) => {
    const fact = facts[i];
    const assignment = siteAssignmentFor(camera, profiles);
    if (!fact || !assignment) return;
    if (assignment.retentionDays !== undefined) fact.retentionDays = assignment.retentionDays;
    if (assignment.recordingName !== undefined) fact.recordingName = assignment.recordingName;
    fact.overlays = [...new Set([...fact.overlays, ...assignment.overlays])];
  });
  return facts;
}
