/**
 * The one place sweep options are assembled from the config, the active profiles, the last inventory and the
 * hold store: `camwarden sweep` and the daemon (its scheduled sweeps, its `sweep` request and the footage
 * quarantine) all sweep with exactly these.
 */

import type { Config } from '../config/schema.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { ScanResult } from '../model/camera-records.js';
import type { EventSink } from '../model/event-sink.js';
import { assignmentFinder } from '../policy/evaluate.js';
import { resolveLayout } from '../profiles/resolve-layout.js';
import type { ProfileSet } from '../profiles/types.js';
import type { HoldStore } from '../retention/hold-store.js';
import {
  type CameraRetentionFacts,
  DEFAULT_RETENTION_POLICY,
  type LegalHold,
  retentionFacts,
} from '../retention/rules.js';
import type { SweepOptions } from '../retention/sweep.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';

export interface SweepInputs {
  config: Config;
  /** The active profile set; without one, Order 799's figures apply. */
  profiles: ProfileSet | undefined;
  /** The last scan: which cameras there are, their zones, classes and blocks. */
  inventory: ScanResult | undefined;
  holds: HoldStore;
  /**
   * The live profile set's holds (the daemon's), read with the stored ones when the sweep's turn comes: a set
   * swapped in after `profiles` was read still counts. Those of `profiles` stay in force too.
   */
  profileHolds?: () => readonly LegalHold[];
  audit?: AuditSink;
  events?: EventSink;
}

export async function buildSweepOptions(inputs: SweepInputs): Promise<SweepOptions> {
  const { config, profiles } = inputs;
  const r = config.retention;
  if (!r.recordingsDir) {
    throw new CamwardenError(ErrorCode.RetentionRefused, 'retention is off: CAMWARDEN_RECORDINGS_DIR is unset');
  }
  return {
    root: r.recordingsDir,
    layout: await resolveLayout(r.layout, config.profilesDir, profiles?.layouts ?? {}),
    policy: profiles?.retention ?? DEFAULT_RETENTION_POLICY,
    cameras: sweepRetentionFacts(inputs.inventory, profiles),
    // read when the sweep's turn comes: a hold added meanwhile counts
    extraHolds: async () => [...(inputs.profileHolds?.() ?? []), ...(await inputs.holds.list())],
    dataDir: config.dataDir,
    ...(r.quarantineDir ? { quarantineDir: r.quarantineDir } : {}),
    ...(r.quotaBytes !== undefined ? { quotaBytes: r.quotaBytes } : {}),
    ...(r.minFreeBytes !== undefined ? { minFreeBytes: r.minFreeBytes } : {}),
    maxDeletesPerRun: r.maxDeletesPerRun,
    activeWriteGraceS: r.activeWriteGraceS,
    maxClockAheadDays: r.maxClockAheadDays,
    allowSharedDirs: r.allowSharedDirs,
    ...(inputs.audit ? { audit: inputs.audit } : {}),
    ...(inputs.events ? { events: inputs.events } : {}),
  };
}

/** Each scanned camera's retention facts, with its site-profile assignment (days, overlays, directory alias). */
export function retentionFactsFor(scan: ScanResult, profiles: ProfileSet | undefined): CameraRetentionFacts[] {
  const assignmentOf = assignmentFinder(profiles);
  return scan.cameras.map((camera) => retentionFacts(camera, assignmentOf(camera)));
}

/**
 * What a sweep knows about the cameras: the scanned ones (retentionFactsFor), then the site-profile assignments no
 * scanned camera matched. A camera that stopped answering drops out of the scan, its footage does not: its
 * directory (`recordingName`, else `match.id`) keeps the site's days and overlays instead of the default.
 */
export function sweepRetentionFacts(
  scan: ScanResult | undefined,
  profiles: ProfileSet | undefined,
): CameraRetentionFacts[] {
  const cameras = scan?.cameras ?? [];
  const assigned = cameras.map(assignmentFinder(profiles));
  const facts = cameras.map((camera, i) => retentionFacts(camera, assigned[i]));
  const matched = new Set(assigned);
  const ids = new Set(facts.map((f) => f.id));
  for (const a of profiles?.site.cameras ?? []) {
    const id = a.match.id ?? a.recordingName;
    if (matched.has(a) || id === undefined || ids.has(id)) continue;
    ids.add(id);
    // without a class in the profile, floorDays gives the strictest, as for a directory no camera claims
    facts.push({
      id,
      overlays: [...new Set(a.overlays)],
      blocked: false,
      ...(a.zone !== undefined ? { zone: a.zone } : {}),
      ...(a.systemClass !== undefined ? { systemClass: a.systemClass } : {}),
      ...(a.retentionDays !== undefined ? { retentionDays: a.retentionDays } : {}),
      ...(a.recordingName !== undefined ? { recordingName: a.recordingName } : {}),
    });
  }
  return facts;
}
