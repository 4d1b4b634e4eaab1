/**
 * Art 17: footage is kept at least the legal floor (30 days for Art 7 systems, 90 for anti-terror key targets).
 * Three signs that it is not: retention configured below the floor, a recorder's MaximumRetentionTime below it,
 * and a recorder whose earliest recording is younger than the floor (a ring buffer too small to hold it). The
 * floor itself comes from retention/, which the sweeper uses too.
 */
import type { CameraRecord } from '../inventory/types.js';
import type { CameraAssignment, RetentionPolicy, SystemClass } from '../profiles/types.js';
import { isoDurationDays } from '../retention/mismatch.js';
import { DAY_MS, floorDays } from '../retention/policy.js';
import type { Finding } from './finding.js';
import type { PolicyPack } from './pack-schema.js';

/** Earliest-recording times before this are a recorder's unset clock, not a date footage dates from. */
const PLAUSIBLE_FROM = Date.parse('2000-01-01T00:00:00Z');

const round = (days: number) => Math.floor(days * 10) / 10;

export function retentionFindings(
  pack: PolicyPack,
  record: CameraRecord,
  facts: {
    systemClass: SystemClass | undefined;
    assignment: CameraAssignment | undefined;
    zone: string;
    retention: RetentionPolicy;
    now: number;
  },
): Finding[] {
  const rule = pack.rules.retentionMinimum;
  if (!rule?.enabled) return [];
  const { retention, assignment } = facts;
  const overlays = assignment?.overlays ?? [];
  const floor = floorDays(retention, {
    id: record.id,
    overlays,
    blocked: false,
    ...(facts.systemClass === undefined ? {} : { systemClass: facts.systemClass }),
  });
  if (floor <= 0) return [];
  // The law behind the floor: an overlay that sets it is cited next to Art 17 (anti-terror key target: ATL Art 32).
  const setBy = [...retention.siteOverlays, ...overlays].find(
    (o) => retention.overlayMinimumDays[o] === floor && pack.retention.overlayArticles[o] !== undefined,
  );
  const article = setBy ? `${rule.article}; ${pack.retention.overlayArticles[setBy]}` : rule.article;
  const finding = (detail: string): Finding => ({
    action: 'flag',
    reason: { code: rule.code, rule: pack.id, article, message: `${rule.message}: ${detail}, minimum ${floor} days` },
  });

  const out: Finding[] = [];
  const configured = assignment?.retentionDays ?? retention.zoneDays[facts.zone] ?? retention.siteDays;
  if (configured !== undefined && configured < floor) out.push(finding(`configured ${configured} days`));
  const kept = record.maximumRetentionTime === undefined ? undefined : isoDurationDays(record.maximumRetentionTime);
  if (kept !== undefined && kept < floor) {
    out.push(finding(`the recorder deletes after ${record.maximumRetentionTime} (MaximumRetentionTime)`));
  }
  const earliest = record.earliestRecording === undefined ? Number.NaN : Date.parse(record.earliestRecording);
  if (earliest >= PLAUSIBLE_FROM && earliest <= facts.now) {
    const held = (facts.now - earliest) / DAY_MS;
    if (held < floor) {
      out.push(
        finding(
          `the recorder holds footage from ${record.earliestRecording} on, ${round(held)} days (its storage is too small unless it started recording since)`,
        ),
      );
    }
  }
  return out;
}
