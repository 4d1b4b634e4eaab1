/**
 * Records the system class calls for: Art 14 filing (Art 7 systems, within 30 days of going live) and Art 13
 * signage. A record covers a camera by naming it; a filing naming no camera covers the whole site.
 */
import type { CameraRecord } from '../model/camera-records.js';
import type { PolicyPack } from '../profiles/pack-schema.js';
import type { CameraAssignment, FilingRecord, SystemClass } from '../profiles/types.js';
import type { Finding } from './finding.js';
import { namedRecord, type PreparedSite, siteWideRecord } from './site-index.js';

const DAY_MS = 86_400_000;

export type RecordsCheck = (
  record: CameraRecord,
  assignment: CameraAssignment | undefined,
  systemClass: SystemClass | undefined,
) => Finding[];

/** The records rules of one evaluation: what covers the whole site is looked up once, not per camera. */
export function recordsRules(pack: PolicyPack, site: PreparedSite, now: number): RecordsCheck {
  const { filing, signage } = pack.rules;
  const filed = (f: FilingRecord) => f.number.trim().length > 0;
  const inGrace = (f: FilingRecord) => {
    const live = Date.parse(f.goLiveDate);
    return Number.isFinite(live) && now < live + (filing?.daysAfterGoLive ?? 0) * DAY_MS;
  };
  const any = () => true;
  const siteFiled = siteWideRecord(site.filings, true, filed) || siteWideRecord(site.filings, true, inGrace);
  const siteSigned = siteWideRecord(site.signage, false, any);
  const filingMissing: Finding | undefined = filing && {
    action: 'flag',
    reason: { code: filing.code, rule: pack.id, article: filing.article, message: filing.message },
  };
  const signageMissing: Finding | undefined = signage && {
    action: 'flag',
    reason: { code: signage.code, rule: pack.id, article: signage.article, message: signage.message },
  };
  return (record, assignment, systemClass) => {
    const out: Finding[] = [];
    if (!systemClass) return out;
    if (filing?.enabled && filingMissing && filing.classes.includes(systemClass)) {
      const covered =
        siteFiled ||
        namedRecord(site.filings, record, assignment, filed) ||
        namedRecord(site.filings, record, assignment, inGrace);
      if (!covered) out.push(filingMissing);
    }
    if (signage?.enabled && signageMissing && signage.classes.includes(systemClass)) {
      if (!siteSigned && !namedRecord(site.signage, record, assignment, any)) out.push(signageMissing);
    }
    return out;
  };
}
