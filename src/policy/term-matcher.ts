/**
 * Synonym terms compiled once into lookup structures: English terms by first word, run-together and CJK terms
 * in character tries. One pass over a tag finds every matching term in a fixed order (first-word matches in tag
 * order, then run-together, then CJK), the order that decides ties between equally severe zones.
 */
import { normalizeText } from './normalize.js';
import type { SynonymFamily } from './synonyms.js';

export interface CompiledTerm {
  /** Position in the matcher's term list; ties between found terms are ordered by it. */
  id: number;
  zone: string;
  term: string;
  /** Latin words of the term (`rest room` → ['rest', 'room']); matched as consecutive tag words. */
  words?: string[];
  /** Run-together form matched anywhere in the tag's Latin letters (fail closed on `restroomentrance`). */
  compact?: string;
  cjk?: string;
  /** CJK term that must be a whole CJK run of the tag (single characters such as 家). */
  wholeSegment: boolean;
}

const CJK_ONLY = /[^\u3400-\u9fff\uf900-\ufaff]/gu;
const WHOLE_SEGMENT_ONLY = new Set(['家']);
/** Zones whose terms are too short or common for substring matching: `spa` must not match `space`. */
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

export function compileFamily(zone: string, family: SynonymFamily): Array<Omit<CompiledTerm, 'id'>> {
  const out: Array<Omit<CompiledTerm, 'id'>> = [];
  for (const term of [...family.english, ...family.simplified, ...family.traditional]) {
    const n = normalizeText(term);
    const cjk = n.replace(CJK_ONLY, '');
    if (cjk.length > 0) {
      out.push({ zone, term, cjk, wholeSegment: WHOLE_SEGMENT_ONLY.has(cjk) });
      continue;
    }
    const words = n.split(/[^a-z&]+/u).filter((t) => t.length > 0);
    if (words.length === 0) continue;
    const joined = words.join('');
    const compact = joined.length >= 6 && !PUBLIC_ZONES.has(zone) ? joined : undefined;
    out.push({ zone, term, words, wholeSegment: false, ...(compact ? { compact } : {}) });
    // Run-together spellings (restroom, lockerroom) of multi-word terms.
    if (words.length > 1) out.push({ zone, term, words: [joined], wholeSegment: false });
  }
  return out;
}

const isLatin = (c: number) => (c >= 97 && c <= 122) || c === 38; // a-z, &
const isCjkCode = (c: number) => (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);

/** A normalised tag split into what the matchers read. Built once per tag. */
export interface ScannedTag {
  text: string;
  /** Latin words (runs of a-z and &), in order. */
  words: string[];
  /** The same with a plural `s` stripped (toilets → toilet); the same array when nothing changes. */
  singular: string[];
  hasLatin: boolean;
  hasCjk: boolean;
}

export function scanTag(normalized: string): ScannedTag {
  const words: string[] = [];
  let singular: string[] | undefined;
  let hasCjk = false;
  let start = -1;
  const n = normalized.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? normalized.charCodeAt(i) : 0;
    if (isLatin(c)) {
      if (start < 0) start = i;
      continue;
    }
    if (!hasCjk && isCjkCode(c)) hasCjk = true;
    if (start < 0) continue;
    const word = normalized.slice(start, i);
    start = -1;
    const plural = word.length > 3 && word.endsWith('s') && !word.endsWith('ss');
    if (plural && !singular) singular = words.slice();
    words.push(word);
    singular?.push(plural ? word.slice(0, -1) : word);
  }
  return { text: normalized, words, singular: singular ?? words, hasLatin: words.length > 0, hasCjk };
}

interface TrieNode {
  next: Map<number, TrieNode>;
  /** Terms ending here. */
  out: CompiledTerm[];
}

const trieNode = (): TrieNode => ({ next: new Map(), out: [] });

function addToTrie(root: TrieNode, key: string, term: CompiledTerm): void {
  let node = root;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    let child = node.next.get(c);
    if (!child) {
      child = trieNode();
      node.next.set(c, child);
    }
    node = child;
  }
  node.out.push(term);
}

function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  const last = haystack.length - needle.length;
  outer: for (let i = 0; i <= last; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

export class TermMatcher {
  readonly terms: readonly CompiledTerm[];
  private readonly byFirstWord = new Map<string, CompiledTerm[]>();
  private readonly compactTrie = trieNode();
  private readonly cjkTrie = trieNode();
  /** Per-term stamps of the current match call (avoids clearing sets between tags). */
  private readonly foundAt: Int32Array;
  private readonly compactAt: Int32Array;
  private stamp = 0;
  private readonly scratch: CompiledTerm[] = [];

  constructor(terms: ReadonlyArray<Omit<CompiledTerm, 'id'>>) {
    this.terms = terms.map((t, id) => ({ ...t, id }));
    for (const t of this.terms) {
      if (t.cjk) addToTrie(this.cjkTrie, t.cjk, t);
      if (t.compact) addToTrie(this.compactTrie, t.compact, t);
      const first = t.words?.[0];
      if (first !== undefined) {
        const list = this.byFirstWord.get(first);
        if (list) list.push(t);
        else this.byFirstWord.set(first, [t]);
      }
    }
    this.foundAt = new Int32Array(this.terms.length);
    this.compactAt = new Int32Array(this.terms.length);
  }

  /** Every matching term, each once, in match order. */
  match(tag: ScannedTag): CompiledTerm[] {
    const found: CompiledTerm[] = [];
    this.run(tag, found, false);
    return found;
  }

  /** Whether any term matches (stops at the first). */
  any(tag: ScannedTag): boolean {
    return this.run(tag, undefined, true);
  }

  private run(tag: ScannedTag, found: CompiledTerm[] | undefined, stopAtFirst: boolean): boolean {
    const stamp = this.nextStamp();
    const pending = this.scratch;
    pending.length = 0;
    // Run-together matches first: a first-word candidate may also match through its compact form.
    if (tag.hasLatin) this.walkCompact(tag.text, stamp, pending);
    let hit = this.matchWords(tag, tag.words, stamp, found, stopAtFirst);
    if (tag.singular !== tag.words && !(hit && stopAtFirst)) {
      hit = this.matchWords(tag, tag.singular, stamp, found, stopAtFirst) || hit;
    }
    if (!(hit && stopAtFirst)) hit = this.addInOrder(pending, stamp, found) || hit;
    if (tag.hasCjk && !(hit && stopAtFirst)) {
      pending.length = 0;
      this.walkCjk(tag.text, pending);
      hit = this.addInOrder(pending, stamp, found) || hit;
    }
    pending.length = 0;
    return hit;
  }

  /** Terms whose first word is one of `words` and whose words all follow in the tag (or its singular form). */
  private matchWords(
    tag: ScannedTag,
    words: readonly string[],
    stamp: number,
    found: CompiledTerm[] | undefined,
    stopAtFirst: boolean,
  ): boolean {
    let hit = false;
    for (const word of words) {
      const candidates = this.byFirstWord.get(word);
      if (!candidates) continue;
      for (const t of candidates) {
        if (this.foundAt[t.id] === stamp) continue;
        const w = t.words as string[];
        if (
          containsRun(tag.words, w) ||
          (tag.singular !== tag.words && containsRun(tag.singular, w)) ||
          this.compactAt[t.id] === stamp
        ) {
          this.foundAt[t.id] = stamp;
          found?.push(t);
          if (stopAtFirst) return true;
          hit = true;
        }
      }
    }
    return hit;
  }

  private addInOrder(list: CompiledTerm[], stamp: number, found: CompiledTerm[] | undefined): boolean {
    sortById(list);
    let hit = false;
    for (const t of list) {
      if (this.foundAt[t.id] === stamp) continue;
      this.foundAt[t.id] = stamp;
      found?.push(t);
      hit = true;
    }
    return hit;
  }

  private nextStamp(): number {
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.foundAt.fill(0);
      this.compactAt.fill(0);
    }
    return ++this.stamp;
  }

  /** Terms found in the tag's Latin letters run together (separators, digits and CJK skipped). */
  private walkCompact(text: string, stamp: number, out: CompiledTerm[]): void {
    for (let i = 0; i < text.length; i++) {
      if (!isLatin(text.charCodeAt(i))) continue;
      let node: TrieNode | undefined = this.compactTrie;
      for (let j = i; j < text.length && node; j++) {
        const c = text.charCodeAt(j);
        if (!isLatin(c)) continue;
        node = node.next.get(c);
        if (!node) break;
        for (const t of node.out) {
          if (this.compactAt[t.id] === stamp) continue;
          this.compactAt[t.id] = stamp;
          out.push(t);
        }
      }
    }
  }

  /** Terms found inside one CJK run of the tag; whole-segment terms only as an entire run. */
  private walkCjk(text: string, out: CompiledTerm[]): void {
    for (let i = 0; i < text.length; i++) {
      if (!isCjkCode(text.charCodeAt(i))) continue;
      const runStart = i === 0 || !isCjkCode(text.charCodeAt(i - 1));
      let node: TrieNode | undefined = this.cjkTrie;
      for (let j = i; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (!isCjkCode(c)) break;
        node = node.next.get(c);
        if (!node) break;
        if (node.out.length === 0) continue;
        const runEnd = j + 1 === text.length || !isCjkCode(text.charCodeAt(j + 1));
        for (const t of node.out) if (!t.wholeSegment || (runStart && runEnd)) out.push(t);
      }
    }
  }
}

/** Insertion sort by id: the lists are a handful of terms long. */
function sortById(list: CompiledTerm[]): void {
  for (let i = 1; i < list.length; i++) {
    const t = list[i] as CompiledTerm;
    let j = i - 1;
    while (j >= 0 && (list[j] as CompiledTerm).id > t.id) {
      list[j + 1] = list[j] as CompiledTerm;
      j--;
    }
    list[j + 1] = t;
  }
}
