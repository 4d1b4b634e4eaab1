/** The rule a pack gives a zone, and the order of actions (allow < flag < block). */
import type { Action } from '../model/camera-records.js';
import type { PolicyPack, ZoneRule } from '../profiles/pack-schema.js';

export const RANK: Record<Action, number> = { allow: 0, flag: 1, block: 2 };

export function zoneRule(pack: PolicyPack, zone: string): ZoneRule {
  const rule = pack.zones[zone] ?? pack.zones.unknown;
  if (rule) return rule;
  // A pack without an `unknown` rule still fails closed.
  return {
    action: 'flag',
    code: 'unclassified-zone',
    article: 'n/a',
    message: 'no usable location tag',
    clearedByConsent: false,
  };
}

export function rawAction(pack: PolicyPack, zone: string): Action {
  return zoneRule(pack, zone).action;
}
