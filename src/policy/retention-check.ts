/**
 * Art 17: footage is kept at least the legal floor (30 days for Art 7 systems, 90 for anti-terror key targets).
 * Three signs that it is not: retention configured below the floor, a recorder's MaximumRetentionTime below it,
 * and a recorder whose earliest recording is younger than the floor (a ring buffer too small to hold it). The
 * floor itself comes from retention/rules.ts, which the sweeper uses too: a camera without a class gets the strictest.
 */
import type { CameraRecord } from '../model/camera-records.js';
import type { PolicyPack } from '../profiles/pack-schema.js';
import type { CameraAssignment, RetentionPolicy, SystemClass } from '../profiles/types.js';
import { DAY_MS, floorDays, isoDurationDays } from '../retention/rules.js';
import type { Finding } from './finding.js';

/** Earliest-recording times before this are a recorder's unset clock, not a date footage dates from. */
const PLAUSIBLE_FROM = Date.parse('2000-01-01T00:00:00Z');

const round = (days: number) => Math.floor(days * 10) / 10;

export type RetentionCheck = (
  record: CameraRecord,
  facts: { systemClass: SystemClass | undefined; assignment: CameraAssignment | undefined; zone: string },
) => Finding[];

/**
 * The retention rule of one evaluation. Floors depend only on the class and the overlays, and recorders report a
 * handful of distinct durations: both are worked out once per evaluation, not per camera. Measured (bench/policy.mjs,
 * 10,000 cameras): without the floors table 7.6 MB more garbage and +16% CPU (site) / +29% (built-in pack); without
 * the durations table 6.7 MB more.
 */
export function retentionRules(pack: PolicyPack, retention: RetentionPolicy, now: number): RetentionCheck {
  const rule = pack.rules.retentionMinimum;
  const floors = new Map<string, { floor: number; article: string }>();
  const floorOf = (systemClass: SystemClass | undefined, overlays: readonly string[]) => {
    const key = `${systemClass ?? ''}\0${overlays.join('\0')}`;
    let found = floors.get(key);
    if (!found) {
      const floor = floorDays(retention, {
        id: '',
        overlays: [...overlays],
        blocked: false,
        ...(systemClass === undefined ? {} : { systemClass }),
      });
      // The law behind the floor: an overlay that sets it is cited next to Art 17 (anti-terror key target: ATL Art 32).
      const setBy = [...retention.siteOverlays, ...overlays].find(
        (o) => retention.overlayMinimumDays[o] === floor && pack.retention.overlayArticles[o] !== undefined,
      );
      const base = rule?.article ?? 'Article 17';
      found = { floor, article: setBy ? `${base}; ${pack.retention.overlayArticles[setBy]}` : base };
      floors.set(key, found);
    }
    return found;
  };
  const durations = new Map<string, number | undefined>();
  const daysOf = (duration: string) => {
    if (!durations.has(duration)) durations.set(duration, isoDurationDays(duration));
    return durations.get(duration);
  };

  return (record, facts) => {
    const out: Finding[] = [];
    if (!rule?.enabled) return out;
    const { assignment } = facts;
    const { floor, article } = floorOf(facts.systemClass, assignment?.overlays ?? []);
    if (floor <= 0) return out;
    const finding = (detail: string): Finding => ({
      action: 'flag',
      reason: { code: rule.code, rule: pack.id, article, message: `${rule.message}: ${detail}, minimum ${floor} days` },
    });
    const configured = assignment?.retentionDays ?? retention.zoneDays[facts.zone] ?? retention.siteDays;
    if (configured !== undefined && configured < floor) out.push(finding(`configured ${configured} days`));
    const kept = record.maximumRetentionTime === undefined ? undefined : daysOf(record.maximumRetentionTime);
    if (kept !== undefined && kept < floor) {
      out.push(finding(`the recorder deletes after ${record.maximumRetentionTime} (MaximumRetentionTime)`));
    }
    const earliest = record.earliestRecording === undefined ? Number.NaN : Date.parse(record.earliestRecording);
    if (earliest >= PLAUSIBLE_FROM && earliest <= now) {
      const held = (now - earliest) / DAY_MS;
      if (held < floor) {
        out.push(
          finding(
            `the recorder holds footage from ${record.earliestRecording} on, ${round(held)} days (its storage is too small unless it started recording since)`,
          ),
        );
      }
    }
    return out;
  };
}
