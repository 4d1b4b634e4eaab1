/**
 * The system class of a camera (art7-gov, art7-operator, art9-other-public, art33-non-public), which decides its
 * filing, signage and retention duties. The site profile records it; the zone implies it (a crowded place is an
 * Art 7(2) operator's system, a road the government's). Missing where the zone needs one, or contradicting the
 * zone, is flagged, and the checks then run with the class the zone implies: a transport-hub camera recorded as
 * art9 does not escape Arts 14 and 17.
 */

import type { PolicyPack } from '../profiles/pack-schema.js';
import type { SystemClass } from '../profiles/types.js';
import type { Finding } from './finding.js';
import { zoneRule } from './zone-rule.js';

export interface ClassOutcome {
  /** The class the checks run with; undefined when neither the profile nor the zone gives one. */
  systemClass: SystemClass | undefined;
  /** Read-only: the same outcome serves every camera of the same zone and recorded class. */
  findings: readonly Finding[];
}

export function systemClassOf(pack: PolicyPack, zone: string, recorded: SystemClass | undefined): ClassOutcome {
  const admitted = pack.zones[zone]?.systemClasses;
  const implied = admitted?.[0];
  if (!admitted || !implied) return { systemClass: recorded, findings: [] };
  if (recorded && admitted.includes(recorded)) return { systemClass: recorded, findings: [] };
  const check = recorded ? pack.rules.systemClassMismatch : pack.rules.systemClassMissing;
  if (!check?.enabled) return { systemClass: recorded ?? implied, findings: [] };
  const detail = recorded
    ? `recorded ${recorded}, but a ${zone} camera is ${admitted.join(' or ')}; checked as ${implied}`
    : `a ${zone} camera is ${admitted.join(' or ')}; checked as ${implied}`;
  const reason = {
    code: check.code,
    rule: pack.id,
    article: check.article ?? zoneRule(pack, zone).article,
    message: `${check.message}: ${detail}`,
  };
  return { systemClass: implied, findings: [{ action: 'flag', reason }] };
}

/**
 * systemClassOf for one evaluation: there are few zones and classes, and many cameras. Without this table and the
 * zone-finding one (evaluate.ts), 3.5 MB more garbage per 10,000 cameras and about +13% CPU for the built-in pack.
 */
export function systemClassRules(pack: PolicyPack): (zone: string, recorded: SystemClass | undefined) => ClassOutcome {
  const outcomes = new Map<string, ClassOutcome>();
  return (zone, recorded) => {
    const key = `${zone}\0${recorded ?? ''}`;
    let outcome = outcomes.get(key);
    if (!outcome) {
      outcome = systemClassOf(pack, zone, recorded);
      outcomes.set(key, outcome);
    }
    return outcome;
  };
}
