/**
 * What one location tag says on its own, before any pack or vendor applies: the zones its terms name, whether
 * a modifier (entrance, 门口, …) qualifies them, and whether it is a canonical `location/zone/<id>` tag.
 */
import { isPlainAscii, normalizeText } from './normalize.js';
import { MODIFIERS, PLACEHOLDER_CATEGORIES, PLACEHOLDER_WORDS, ZONE_IDS, ZONE_SYNONYMS } from './synonyms.js';
import { type CompiledTerm, compileFamily, TermList, TermMatcher } from './term-matcher.js';

export interface ZoneHit {
  zone: string;
  term: string;
  /** Longer (more specific) terms win ties of equal severity; canonical tags win over all. */
  weight: number;
}

/**
 * The analysis of one tag. The evaluator reuses one instance for every tag (analyseTag's `into`), so hits are
 * an array plus a count, and the normalised text is only built when the placeholder test needs it.
 */
export class TagAnalysis {
  /** In match order: the canonical zone first, then terms as the matcher found them; `hitCount` are valid. */
  readonly hits: ZoneHit[] = [];
  hitCount = 0;
  modified = false;
  canonical = false;
  /** A `name/` scope: device names only ever add severity. */
  nameScope = false;
  tag = '';
  private normalizedText: string | undefined;

  get normalized(): string {
    this.normalizedText ??= normalizeText(this.tag);
    return this.normalizedText;
  }

  reset(tag: string, normalized: string | undefined): void {
    this.tag = tag;
    this.normalizedText = normalized;
    this.hitCount = 0;
    this.modified = false;
  }

  addHit(hit: ZoneHit): void {
    this.hits[this.hitCount++] = hit;
  }
}

const ZONE_ID_SET = new Set<string>(ZONE_IDS);
const CANONICAL_WEIGHT = 1000;

const ZONE_TERMS = Object.entries(ZONE_SYNONYMS).flatMap(([zone, family]) =>
  compileFamily(zone, { ...family, english: [...family.english, zone.replace(/-/g, ' ')] }),
);
/** Zone terms and modifiers in one matcher (one scan per tag); ids from ZONE_TERMS.length on are modifiers. */
const MATCHER = new TermMatcher([...ZONE_TERMS, ...compileFamily('modifier', MODIFIERS)]);
const FIRST_MODIFIER = ZONE_TERMS.length;
/** One shared, read-only hit per zone term. */
const TERM_HITS: ZoneHit[] = MATCHER.terms
  .slice(0, FIRST_MODIFIER)
  .map((t) => ({ zone: t.zone, term: t.term, weight: t.term.length }));

function canonicalZone(tag: string): string | undefined {
  const m = /^location\/(zone|adjacent)\/([^/]+)\/?$/i.exec(tag.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const value = normalizeText(m[2])
    .trim()
    .replace(/[\s_]+/g, '-');
  const id = m[1].toLowerCase() === 'adjacent' ? `${value.replace(/-adjacent$/, '')}-adjacent` : value;
  return ZONE_ID_SET.has(id) ? id : undefined;
}

const found = new TermList(); // scratch of analyseTag

export function analyseTag(tag: string, into: TagAnalysis = new TagAnalysis()): TagAnalysis {
  const canonical = canonicalZone(tag);
  // Printable ASCII is matched as it is (the matcher folds A-Z), sparing the lower-cased copy.
  const plain = isPlainAscii(tag);
  const text = plain ? tag : normalizeText(tag);
  into.reset(tag, plain ? undefined : text);
  into.canonical = canonical !== undefined;
  into.nameScope = /^name\//i.test(tag);
  if (canonical) into.addHit({ zone: canonical, term: tag, weight: CANONICAL_WEIGHT });
  found.clear();
  MATCHER.matchInto(text, found);
  for (let i = 0; i < found.count; i++) {
    const id = (found.items[i] as CompiledTerm).id;
    if (id >= FIRST_MODIFIER) into.modified = true;
    else into.addHit(TERM_HITS[id] as ZoneHit);
  }
  return into;
}

const CATEGORY_SET = new Set(PLACEHOLDER_CATEGORIES);
const WORD_SET = new Set(PLACEHOLDER_WORDS);

/** A vendor factory placeholder: only placeholder words and categories (or a vendor placeholder path). */
function isPlaceholder(normalized: string, placeholders: readonly string[]): boolean {
  const n = normalized.trim();
  const m = /^location\/?(.*)$/.exec(n);
  if (!m) return false;
  const path = (m[1] ?? '').replace(/\/+$/, '');
  if (path.length === 0) return true;
  if (placeholders.includes(path)) return true;
  // Segment by segment, stopping at the first meaningful one (no array of segments).
  for (let start = 0; start <= path.length; ) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    if (end > start) {
      const s = path.slice(start, end);
      if (!CATEGORY_SET.has(s) && !WORD_SET.has(s) && !/^(gmt|utc)[+-]?\d*$/.test(s)) return false;
    }
    start = end + 1;
  }
  return true;
}

/** Whether the tag's allow hits are ignored: placeholders and device names only ever add severity. */
export function ignoresAllow(analysis: TagAnalysis, placeholders: readonly string[]): boolean {
  return analysis.nameScope || (!analysis.canonical && isPlaceholder(analysis.normalized, placeholders));
}
