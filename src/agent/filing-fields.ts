import type { Config } from '../config/schema.js';
import type { ScanResult } from '../model/camera-records.js';
import type { ProfileSet } from '../profiles/types.js';
import { DEFAULT_RETENTION_POLICY, effectiveRetentionDays } from '../retention/rules.js';
import { retentionFactsFor } from './sweep-options.js';

/** Art 14 filing fields for the inventory: unit, location, camera count and types, retention days. */
export function filingFields(config: Config, result: ScanResult, profiles: ProfileSet | undefined) {
  const policy = profiles?.retention ?? DEFAULT_RETENTION_POLICY;
  const days = retentionFactsFor(result, profiles).map((f) => effectiveRetentionDays(policy, f));
  const filing = profiles?.site.filings[0];
  return {
    unit: config.site.unit,
    location: config.site.location,
    retentionDays: days.length > 0 ? Math.min(...days) : effectiveRetentionDays(policy, undefined),
    ...(filing ? { filingNumber: filing.number, filingDate: filing.date, goLiveDate: filing.goLiveDate } : {}),
  };
}
