/**
 * Zone classification from location tags and raw scopes. Fail closed: the most severe zone found in any tag
 * wins, so a prohibited synonym anywhere beats allow terms; a modifier only downgrades block → flag.
 */
import type { Action } from '../../../src/inventory/types.js';
import { builtinPack } from '../../../src/policy/builtin-pack.js';
import type { PolicyPack, ZoneRule } from '../../../src/policy/pack-schema.js';
import {
  MODIFIERS,
  PLACEHOLDER_CATEGORIES,
  PLACEHOLDER_WORDS,
  type SynonymFamily,
  ZONE_IDS,
  ZONE_SYNONYMS,
} from '../../../src/policy/synonyms.js';
import { normalizeText, type TagText, tagText } from './normalize.js';

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

interface TagAnalysis {
  hits: ZoneHit[];
  modified: boolean;
  placeholder: boolean;
}

interface CompiledTerm {
  zone: string;
  term: string;
  english?: string;
  /** Run-together form matched as a substring of all Latin letters (fail closed on `restroomentrance`). */
  compact?: string;
  cjk?: string;
  wholeSegment: boolean;
}

const CJK_ONLY = /[^\u3400-\u9fff\uf900-\ufaff]/gu;
const WHOLE_SEGMENT_ONLY = new Set(['家']);
const ZONE_ID_SET = new Set<string>(ZONE_IDS);
const CANONICAL_WEIGHT = 1000;
const PUBLIC_ZONES = new Set([
  'public-infrastructure',
  'crowded-place',
  'transport-hub',
  'public-vehicle',
  'service-area',
  'public-other',
  'private-non-public',
  'modifier',
]);

function compileFamily(zone: string, family: SynonymFamily): CompiledTerm[] {
  const out: CompiledTerm[] = [];
  for (const term of [...family.english, ...family.simplified, ...family.traditional]) {
    const n = normalizeText(term);
    const cjk = n.replace(CJK_ONLY, '');
    if (cjk.length > 0) {
      out.push({ zone, term, cjk, wholeSegment: WHOLE_SEGMENT_ONLY.has(cjk) });
      continue;
    }
    const tokens = n.split(/[^a-z&]+/u).filter((t) => t.length > 0);
    if (tokens.length === 0) continue;
    const joined = tokens.join('');
    // Substring matching only for long terms of sensitive zones: `spa` must not match `space`.
    const compact = joined.length >= 6 && !PUBLIC_ZONES.has(zone) ? joined : undefined;
    out.push({ zone, term, english: ` ${tokens.join(' ')} `, wholeSegment: false, ...(compact ? { compact } : {}) });
    // Run-together spellings (restroom, lockerroom) of multi-word terms.
    if (tokens.length > 1) out.push({ zone, term, english: ` ${joined} `, wholeSegment: false });
  }
  return out;
}

const ZONE_TERMS: CompiledTerm[] = Object.entries(ZONE_SYNONYMS).flatMap(([zone, family]) =>
  compileFamily(zone, { ...family, english: [...family.english, zone.replace(/-/g, ' ')] }),
);
const MODIFIER_TERMS = compileFamily('modifier', MODIFIERS);

/** Terms split by how they are looked up, so a tag costs a few map hits instead of a scan of every term. */
interface TermIndex {
  byFirstToken: Map<string, CompiledTerm[]>;
  compact: CompiledTerm[];
  cjk: CompiledTerm[];
}

function indexTerms(terms: readonly CompiledTerm[]): TermIndex {
  const idx: TermIndex = { byFirstToken: new Map(), compact: [], cjk: [] };
  for (const t of terms) {
    if (t.cjk) idx.cjk.push(t);
    if (t.compact) idx.compact.push(t);
    if (t.english) {
      const first = t.english.trim().split(' ')[0] ?? '';
      const list = idx.byFirstToken.get(first);
      if (list) list.push(t);
      else idx.byFirstToken.set(first, [t]);
    }
  }
  return idx;
}

const ZONE_INDEX = indexTerms(ZONE_TERMS);
const MODIFIER_INDEX = indexTerms(MODIFIER_TERMS);

function findTerms(idx: TermIndex, text: TagText): CompiledTerm[] {
  const found = new Set<CompiledTerm>();
  for (const tokens of [text.tokens, text.singularTokens]) {
    for (const tok of tokens) {
      for (const t of idx.byFirstToken.get(tok) ?? []) if (matches(t, text)) found.add(t);
    }
  }
  if (text.compact.length > 0)
    for (const t of idx.compact) if (text.compact.includes(t.compact as string)) found.add(t);
  if (text.cjk.length > 0) for (const t of idx.cjk) if (matches(t, text)) found.add(t);
  return [...found];
}

function matches(term: CompiledTerm, text: TagText): boolean {
  if (term.english) {
    return (
      text.words.includes(term.english) ||
      text.singular.includes(term.english) ||
      (term.compact !== undefined && text.compact.includes(term.compact))
    );
  }
  if (term.cjk) return term.wholeSegment ? text.cjkSegments.includes(term.cjk) : text.cjk.includes(term.cjk);
  return false;
}

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

/** placeholder list key → tag → analysis (nested to avoid building a key string per tag). */
const analysisCache = new Map<string, Map<string, TagAnalysis>>();
let cachedCount = 0;
const CACHE_LIMIT = 50_000;

function analyseTag(tag: string, placeholders: readonly string[], placeholderKey: string): TagAnalysis {
  let bucket = analysisCache.get(placeholderKey);
  if (!bucket) {
    bucket = new Map();
    analysisCache.set(placeholderKey, bucket);
  }
  const cached = bucket.get(tag);
  if (cached) return cached;
  const hits: ZoneHit[] = [];
  const canonical = canonicalZone(tag);
  if (canonical) hits.push({ zone: canonical, term: tag, weight: CANONICAL_WEIGHT });
  const normalized = normalizeText(tag);
  const text = tagText(tag, normalized);
  for (const term of findTerms(ZONE_INDEX, text)) {
    hits.push({ zone: term.zone, term: term.term, weight: term.term.length });
  }
  const analysis: TagAnalysis = {
    hits,
    modified: findTerms(MODIFIER_INDEX, text).length > 0,
    placeholder: canonical === undefined && isPlaceholder(normalized, placeholders),
  };
  if (cachedCount >= CACHE_LIMIT) {
    for (const b of analysisCache.values()) b.clear();
    cachedCount = 0;
  }
  bucket.set(tag, analysis);
  cachedCount++;
  return analysis;
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

const scopeTagCache = new Map<string, string | null>();

/** Location (and name) tags from raw scopes; decoding happens later, defensively, in normalizeText. */
export function tagsFromScopes(scopes: readonly string[]): string[] {
  const out: string[] = [];
  for (const scope of scopes) {
    let tag = scopeTagCache.get(scope);
    if (tag === undefined) {
      const m = /^onvif:\/\/www\.onvif\.org\/((?:location|name)(?:\/.*)?)$/i.exec(scope.trim());
      tag = m?.[1] ?? null;
      if (scopeTagCache.size >= CACHE_LIMIT) scopeTagCache.clear();
      scopeTagCache.set(scope, tag);
    }
    if (tag !== null) out.push(tag);
  }
  return out;
}

export function classifyZone(tags: readonly string[], opts: ClassifyOptions = {}): ZoneClassification {
  const pack = opts.pack ?? builtinPack;
  const placeholders = opts.placeholders ?? [];
  const placeholderKey = placeholders.join('\u0001');
  const all = opts.scopes && opts.scopes.length > 0 ? tags.concat(tagsFromScopes(opts.scopes)) : tags;
  let best: { hit: ZoneHit; action: Action; modified: boolean; tag: string } | undefined;
  const zones: string[] = [];
  for (const tag of all) {
    const nameScope = /^name\//i.test(tag);
    const analysis = analyseTag(tag, placeholders, placeholderKey);
    for (const hit of analysis.hits) {
      let action = rawAction(pack, hit.zone);
      // Placeholders and device names only ever add severity, never an allow classification.
      if ((analysis.placeholder || nameScope) && action === 'allow') continue;
      const modified = action === 'block' && analysis.modified && pack.modifiers.enabled;
      if (modified) action = pack.modifiers.downgradeTo;
      if (!zones.includes(hit.zone)) zones.push(hit.zone);
      if (
        !best ||
        RANK[action] > RANK[best.action] ||
        (RANK[action] === RANK[best.action] && hit.weight > best.hit.weight)
      ) {
        best = { hit, action, modified, tag };
      }
    }
  }
  if (!best) return { zone: 'unknown', action: rawAction(pack, 'unknown'), modified: false, zones };
  return {
    zone: best.hit.zone,
    action: best.action,
    modified: best.modified,
    tag: best.tag,
    term: best.hit.term,
    zones,
  };
}
