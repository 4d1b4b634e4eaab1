/**
 * Zone classification from location tags and raw scopes. Fail closed: the most severe zone found in any tag
 * wins, so a prohibited synonym anywhere beats allow terms; a modifier only downgrades block → flag.
 */
import type { Action } from '../inventory/types.js';
import { builtinPack } from './builtin-pack.js';
import type { PolicyPack } from './pack-schema.js';
import { analyseTag, ignoresAllow, type ZoneHit } from './tag-analysis.js';
import { beats, type TagVerdict, tagsFromScopes, zoneClassifier } from './zone-classifier.js';
import { rawAction } from './zone-rule.js';

export { tagsFromScopes } from './zone-classifier.js';
export { zoneRule } from './zone-rule.js';

export interface ZoneClassification {
  /** Winning zone id; `unknown` when no tag is usable. */
  zone: string;
  /** Action the pack gives the zone, after a modifier downgrade. */
  action: Action;
  /** A modifier (entrance, 门口, …) qualified the winning blocked zone. */
  modified: boolean;
  /** The tag and the term that decided it. */
  tag?: string;
  term?: string;
  /** Every distinct zone any tag matched (for mismatch checks). */
  zones: string[];
}

export interface ClassifyOptions {
  /** Raw scopes: location/ and name/ scopes are decoded defensively and matched too. */
  scopes?: readonly string[];
  /** Vendor quirk `placeholderLocations`: paths after `location/`, lower-case. */
  placeholders?: readonly string[];
  pack?: PolicyPack;
}

/** Full classification of tags and scopes, with every matched zone; the evaluator uses ZoneClassifier.best. */
export function classifyZone(tags: readonly string[], opts: ClassifyOptions = {}): ZoneClassification {
  const pack = opts.pack ?? builtinPack;
  const classifier = zoneClassifier(pack, opts.placeholders);
  const all = opts.scopes && opts.scopes.length > 0 ? tags.concat(tagsFromScopes(opts.scopes)) : tags;
  let best: TagVerdict | undefined;
  let bestTag: string | undefined;
  const zones: string[] = [];
  for (const tag of all) {
    const v = classifier.verdict(tag);
    const analysis = analyseTag(tag);
    let allowIgnored: boolean | undefined;
    for (let i = 0; i < analysis.hitCount; i++) {
      const hit = analysis.hits[i] as ZoneHit;
      if (rawAction(pack, hit.zone) === 'allow') {
        allowIgnored ??= ignoresAllow(analysis, classifier.placeholders);
        if (allowIgnored) continue;
      }
      if (!zones.includes(hit.zone)) zones.push(hit.zone);
    }
    if (beats(v, best)) {
      best = v;
      bestTag = tag;
    }
  }
  if (!best?.hit) return { zone: 'unknown', action: rawAction(pack, 'unknown'), modified: false, zones };
  return {
    zone: best.hit.zone,
    action: best.action,
    modified: best.modified,
    tag: bestTag as string,
    term: best.hit.term,
    zones,
  };
}
