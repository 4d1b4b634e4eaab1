/**
 * Zone classification from location tags and raw scopes. Fail closed: the most severe zone found in any tag
 * wins, so a prohibited synonym anywhere beats allow terms; a modifier only downgrades block → flag.
 */
import type { Action } from '../inventory/types.js';
import { builtinPack } from './builtin-pack.js';
import { normalizeText } from './normalize.js';
import type { PolicyPack, ZoneRule } from './pack-schema.js';
import { MODIFIERS, PLACEHOLDER_CATEGORIES, PLACEHOLDER_WORDS, ZONE_IDS, ZONE_SYNONYMS } from './synonyms.js';
import { compileFamily, scanTag, TermMatcher } from './term-matcher.js';

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

interface ZoneHit {
  zone: string;
  term: string;
  /** Longer (more specific) terms win ties of equal severity; canonical tags win over all. */
  weight: number;
}

/** What one tag says, independent of pack and vendor: cached per tag string. */
interface TagAnalysis {
  hits: ZoneHit[];
  modified: boolean;
  canonical: boolean;
  /** A `name/` scope: device names only ever add severity. */
  nameScope: boolean;
  normalized: string;
}

/** The most severe usable hit of one tag under one pack and placeholder list. */
interface TagVerdict {
  hit: ZoneHit | undefined;
  action: Action;
  modified: boolean;
  /** Allow hits are ignored (placeholder or device name); only computed when the tag has an allow hit. */
  allowIgnored: boolean;
  analysis: TagAnalysis;
}

const ZONE_ID_SET = new Set<string>(ZONE_IDS);
const CANONICAL_WEIGHT = 1000;

const ZONE_MATCHER = new TermMatcher(
  Object.entries(ZONE_SYNONYMS).flatMap(([zone, family]) =>
    compileFamily(zone, { ...family, english: [...family.english, zone.replace(/-/g, ' ')] }),
  ),
);
const MODIFIER_MATCHER = new TermMatcher(compileFamily('modifier', MODIFIERS));
/** One shared hit object per term (hits are read-only). */
const TERM_HITS: ZoneHit[] = ZONE_MATCHER.terms.map((t) => ({ zone: t.zone, term: t.term, weight: t.term.length }));

function canonicalZone(tag: string): string | undefined {
  const m = /^location\/(zone|adjacent)\/([^/]+)\/?$/i.exec(tag.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const value = normalizeText(m[2])
    .trim()
    .replace(/[\s_]+/g, '-');
  const id = m[1].toLowerCase() === 'adjacent' ? `${value.replace(/-adjacent$/, '')}-adjacent` : value;
  return ZONE_ID_SET.has(id) ? id : undefined;
}

function isPlaceholder(normalized: string, placeholders: readonly string[]): boolean {
  const n = normalized.trim();
  const m = /^location\/?(.*)$/.exec(n);
  if (!m) return false;
  const path = (m[1] ?? '').replace(/\/+$/, '');
  if (path.length === 0) return true;
  if (placeholders.includes(path)) return true;
  const segments = path.split('/').filter((s) => s.length > 0);
  const meaningful = segments.filter((s) => !PLACEHOLDER_CATEGORIES.includes(s));
  return meaningful.every((s) => PLACEHOLDER_WORDS.includes(s) || /^(gmt|utc)[+-]?\d*$/.test(s));
}

function analyseTag(tag: string): TagAnalysis {
  const hits: ZoneHit[] = [];
  const canonical = canonicalZone(tag);
  if (canonical) hits.push({ zone: canonical, term: tag, weight: CANONICAL_WEIGHT });
  const normalized = normalizeText(tag);
  const scanned = scanTag(normalized);
  for (const term of ZONE_MATCHER.match(scanned)) hits.push(TERM_HITS[term.id] as ZoneHit);
  return {
    hits,
    modified: MODIFIER_MATCHER.any(scanned),
    canonical: canonical !== undefined,
    nameScope: /^name\//i.test(tag),
    normalized,
  };
}

const RANK: Record<Action, number> = { allow: 0, flag: 1, block: 2 };

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

function rawAction(pack: PolicyPack, zone: string): Action {
  return zoneRule(pack, zone).action;
}

const CACHE_LIMIT = 50_000;
const scopeTagCache = new Map<string, string | null>();

/** The location (or name) tag of a raw scope, null for other scopes; decoding happens later, in normalizeText. */
function scopeTag(scope: string): string | null {
  let tag = scopeTagCache.get(scope);
  if (tag === undefined) {
    const m = /^onvif:\/\/www\.onvif\.org\/((?:location|name)(?:\/.*)?)$/i.exec(scope.trim());
    tag = m?.[1] ?? null;
    if (scopeTagCache.size >= CACHE_LIMIT) scopeTagCache.clear();
    scopeTagCache.set(scope, tag);
  }
  return tag;
}

/** Location (and name) tags from raw scopes. */
export function tagsFromScopes(scopes: readonly string[]): string[] {
  const out: string[] = [];
  for (const scope of scopes) {
    const tag = scopeTag(scope);
    if (tag !== null) out.push(tag);
  }
  return out;
}

function verdictOf(analysis: TagAnalysis, pack: PolicyPack, placeholders: readonly string[]): TagVerdict {
  let best: ZoneHit | undefined;
  let bestAction: Action = 'allow';
  let bestModified = false;
  let allowIgnored: boolean | undefined;
  for (const hit of analysis.hits) {
    let action = rawAction(pack, hit.zone);
    if (action === 'allow') {
      // Placeholders and device names only ever add severity, never an allow classification.
      allowIgnored ??= analysis.nameScope || (!analysis.canonical && isPlaceholder(analysis.normalized, placeholders));
      if (allowIgnored) continue;
    }
    const modified = action === 'block' && analysis.modified && pack.modifiers.enabled;
    if (modified) action = pack.modifiers.downgradeTo;
    if (!best || RANK[action] > RANK[bestAction] || (RANK[action] === RANK[bestAction] && hit.weight > best.weight)) {
      best = hit;
      bestAction = action;
      bestModified = modified;
    }
  }
  return { hit: best, action: bestAction, modified: bestModified, allowIgnored: allowIgnored ?? false, analysis };
}

/** Whether verdict `a` beats the best so far: more severe, or as severe and more specific. */
function beats(a: TagVerdict, best: TagVerdict | undefined): boolean {
  if (!a.hit) return false;
  if (!best?.hit) return true;
  return RANK[a.action] > RANK[best.action] || (RANK[a.action] === RANK[best.action] && a.hit.weight > best.hit.weight);
}

/**
 * Tag verdicts of one pack and one placeholder list, memoised by tag string. Held per pack object (WeakMap),
 * so a new or changed pack never sees another pack's verdicts.
 */
export class ZoneClassifier {
  private readonly verdicts = new Map<string, TagVerdict>();
  private readonly placeholders: readonly string[];

  constructor(
    readonly pack: PolicyPack,
    placeholders: readonly string[],
  ) {
    this.placeholders = [...placeholders];
  }

  verdict(tag: string): TagVerdict {
    let v = this.verdicts.get(tag);
    if (!v) {
      v = verdictOf(analyseTag(tag), this.pack, this.placeholders);
      if (this.verdicts.size >= CACHE_LIMIT) this.verdicts.clear();
      this.verdicts.set(tag, v);
    }
    return v;
  }

  /** The winning verdict over tags, then the location/name scopes; undefined when no tag is usable. */
  best(tags: readonly string[], scopes: readonly string[] | undefined): TagVerdict | undefined {
    let best: TagVerdict | undefined;
    for (const tag of tags) {
      const v = this.verdict(tag);
      if (beats(v, best)) best = v;
    }
    if (scopes) {
      for (const scope of scopes) {
        const tag = scopeTag(scope);
        if (tag === null) continue;
        const v = this.verdict(tag);
        if (beats(v, best)) best = v;
      }
    }
    return best;
  }
}

const classifiers = new WeakMap<PolicyPack, Map<string, ZoneClassifier>>();
const CLASSIFIERS_PER_PACK = 64;

/** The classifier of a pack and a vendor's placeholder list (shared across calls). */
export function zoneClassifier(pack: PolicyPack, placeholders: readonly string[] = []): ZoneClassifier {
  let byPlaceholders = classifiers.get(pack);
  if (!byPlaceholders) {
    byPlaceholders = new Map();
    classifiers.set(pack, byPlaceholders);
  }
  const key = JSON.stringify(placeholders);
  let c = byPlaceholders.get(key);
  if (!c) {
    if (byPlaceholders.size >= CLASSIFIERS_PER_PACK) byPlaceholders.clear();
    c = new ZoneClassifier(pack, placeholders);
    byPlaceholders.set(key, c);
  }
  return c;
}

export function classifyZone(tags: readonly string[], opts: ClassifyOptions = {}): ZoneClassification {
  const pack = opts.pack ?? builtinPack;
  const classifier = zoneClassifier(pack, opts.placeholders);
  const all = opts.scopes && opts.scopes.length > 0 ? tags.concat(tagsFromScopes(opts.scopes)) : tags;
  let best: TagVerdict | undefined;
  let bestTag: string | undefined;
  const zones: string[] = [];
  for (const tag of all) {
    const v = classifier.verdict(tag);
    for (const hit of v.analysis.hits) {
      if (v.allowIgnored && rawAction(pack, hit.zone) === 'allow') continue;
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
