/**
 * Records the system class calls for: Art 14 filing (Art 7 systems, within 30 days of going live) and Art 13
 * signage. A record covers a camera by naming it; a filing naming no camera covers the whole site.
 */
import type { CameraRecord } from '../inventory/types.js';
import type { CameraAssignment, FilingRecord, SystemClass } from '../profiles/types.js';
import type { Finding } from './finding.js';
import type { PolicyPack } from './pack-schema.js';
import { namedRecord, type PreparedSite, siteWideRecord } from './site-index.js';

const DAY_MS = 86_400_000;

export function recordsFindings(
  pack: PolicyPack,
  record: CameraRecord,
  assignment: CameraAssignment | undefined,
  systemClass: SystemClass | undefined,
  site: PreparedSite,
  now: number,
): Finding[] {
  if (!systemClass) return [];
  const out: Finding[] = [];
  const { filing, signage } = pack.rules;
  if (filing?.enabled && filing.classes.includes(systemClass)) {
    const filed = (f: FilingRecord) => f.number.trim().length > 0;
    const inGrace = (f: FilingRecord) => {
      const live = Date.parse(f.goLiveDate);
      return Number.isFinite(live) && now < live + filing.daysAfterGoLive * DAY_MS;
    };
    const covered = (test: (f: FilingRecord) => boolean) =>
      siteWideRecord(site.filings, true, test) || namedRecord(site.filings, record, assignment, test);
    if (!covered(filed) && !covered(inGrace)) {
      out.push({
        action: 'flag',
        reason: { code: filing.code, rule: pack.id, article: filing.article, message: filing.message },
      });
    }
  }
  if (signage?.enabled && signage.classes.includes(systemClass)) {
    const any = () => true;
    if (!siteWideRecord(site.signage, false, any) && !namedRecord(site.signage, record, assignment, any)) {
      out.push({
        action: 'flag',
        reason: { code: signage.code, rule: pack.id, article: signage.article, message: signage.message },
      });
    }
  }
  return out;
}
