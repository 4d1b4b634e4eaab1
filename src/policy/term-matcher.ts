/**
 * Synonym terms compiled once into tries over the normalised tag: Latin words are recognised as word ids while
 * scanning (no word strings are cut out of the tag), run-together and CJK terms are found by walking character
 * tries. One pass finds every matching term in a fixed order (first-word matches in tag order, then their plural
 * forms, then run-together, then CJK; each group by term order), the order that decides ties between equally
 * severe zones.
 */
import { normalizeText } from './normalize.js';
import { PUBLIC_ZONE_IDS, type SynonymFamily } from './synonyms.js';

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
const PUBLIC_ZONES = new Set<string>([...PUBLIC_ZONE_IDS, 'modifier']);

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

/** Latin letters of tags and terms: a-z and `&` (b&b); everything else separates words. */
const isLatin = (c: number) => (c >= 97 && c <= 122) || c === 38;
const isCjkCode = (c: number) => (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);
const S = 115; // 's'

/**
 * A reusable list of found terms. Emptied by resetting a count: `array.length = 0` would make V8 drop the
 * backing store, and every tag would grow a new one.
 */
export class TermList {
  items: CompiledTerm[] = [];
  count = 0;

  push(t: CompiledTerm): void {
    this.items[this.count++] = t;
  }

  clear(): void {
    this.count = 0;
  }

  /** Insertion sort by id: the lists are a handful of terms long. */
  sortById(): void {
    const list = this.items;
    for (let i = 1; i < this.count; i++) {
      const t = list[i] as CompiledTerm;
      let j = i - 1;
      while (j >= 0 && (list[j] as CompiledTerm).id > t.id) {
        list[j + 1] = list[j] as CompiledTerm;
        j--;
      }
      list[j + 1] = t;
    }
  }
}

/** Latin keys: children in a 27-slot array (a-z, &), no hashing on the walk. */
interface LatinNode {
  next: Array<LatinNode | undefined>;
  /** Run-together terms ending here. */
  out: CompiledTerm[];
  /** Id of the term word spelled by the path to here, -1 if none. */
  wordId: number;
}

interface CjkNode {
  next: Map<number, CjkNode>;
  out: CompiledTerm[];
}

const latinSlot = (c: number) => (c === 38 ? 26 : c - 97);
const latinNode = (): LatinNode => ({ next: new Array(27).fill(undefined), out: [], wordId: -1 });
const cjkNode = (): CjkNode => ({ next: new Map(), out: [] });

function latinPath(root: LatinNode, key: string): LatinNode {
  let node = root;
  for (let i = 0; i < key.length; i++) {
    const slot = latinSlot(key.charCodeAt(i));
    let child = node.next[slot];
    if (!child) {
      child = latinNode();
      node.next[slot] = child;
    }
    node = child;
  }
  return node;
}

function cjkPath(root: CjkNode, key: string): CjkNode {
  let node = root;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    let child = node.next.get(c);
    if (!child) {
      child = cjkNode();
      node.next.set(c, child);
    }
    node = child;
  }
  return node;
}

/**
 * Aho-Corasick automaton over the run-together terms: one state step per Latin letter finds every term
 * ending there, instead of restarting a trie walk at each letter.
 */
interface CompactAutomaton {
  /** next state = delta[state * 27 + slot]; state 0 is the root. */
  delta: Int32Array;
  /** Terms ending in each state, including those of its suffix states. */
  out: CompiledTerm[][];
}

function compactAutomaton(root: LatinNode): CompactAutomaton {
  const nodes: LatinNode[] = [root];
  const ids = new Map<LatinNode, number>([[root, 0]]);
  for (let i = 0; i < nodes.length; i++) {
    for (const child of (nodes[i] as LatinNode).next) {
      if (child && !ids.has(child)) {
        ids.set(child, nodes.length);
        nodes.push(child);
      }
    }
  }
  const delta = new Int32Array(nodes.length * 27);
  const fail = new Int32Array(nodes.length);
  const out: CompiledTerm[][] = new Array(nodes.length);
  out[0] = root.out;
  // Breadth first, so a state's suffix state is complete before the state itself.
  const queue: number[] = [];
  for (let slot = 0; slot < 27; slot++) {
    const child = root.next[slot];
    if (!child) continue;
    const id = ids.get(child) as number;
    delta[slot] = id;
    queue.push(id);
  }
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q] as number;
    const node = nodes[u] as LatinNode;
    out[u] = [...node.out, ...(out[fail[u] as number] as CompiledTerm[])];
    for (let slot = 0; slot < 27; slot++) {
      const child = node.next[slot];
      const viaFail = delta[(fail[u] as number) * 27 + slot] as number;
      if (!child) {
        delta[u * 27 + slot] = viaFail;
        continue;
      }
      const id = ids.get(child) as number;
      fail[id] = viaFail;
      delta[u * 27 + slot] = id;
      queue.push(id);
    }
  }
  return { delta, out };
}

/** The word trie as a flat table: next = step[state * 27 + slot], -1 once the word is no term word. */
interface WordTable {
  step: Int32Array;
  /** Word id of the word ending in each state, -1 if none. */
  wordId: Int32Array;
}

function wordTable(root: LatinNode): WordTable {
  const nodes: LatinNode[] = [root];
  const ids = new Map<LatinNode, number>([[root, 0]]);
  for (let i = 0; i < nodes.length; i++) {
    for (const child of (nodes[i] as LatinNode).next) {
      if (child) {
        ids.set(child, nodes.length);
        nodes.push(child);
      }
    }
  }
  const step = new Int32Array(nodes.length * 27).fill(-1);
  const wordId = new Int32Array(nodes.length);
  nodes.forEach((node, i) => {
    wordId[i] = node.wordId;
    node.next.forEach((child, slot) => {
      if (child) step[i * 27 + slot] = ids.get(child) as number;
    });
  });
  return { step, wordId };
}

function containsRun(haystack: readonly number[], length: number, needle: readonly number[]): boolean {
  const last = length - needle.length;
  outer: for (let i = 0; i <= last; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

export class TermMatcher {
  readonly terms: readonly CompiledTerm[];
  /** Word ids of each term's words (by term id); empty for CJK terms. */
  private readonly termWords: number[][];
  /** Terms by the id of their first word. */
  private readonly byFirstWord: CompiledTerm[][] = [];
  private readonly wordSteps: WordTable;
  private readonly compact: CompactAutomaton;
  private readonly cjkTrie = cjkNode();
  /** Per-term stamps of the current call (nothing to clear between tags). */
  private readonly foundAt: Int32Array;
  private readonly compactAt: Int32Array;
  private stamp = 0;
  /** Scratch of the current call: word ids of the tag, and of its singular form (toilets → toilet). */
  private words: number[] = [];
  private singular: number[] = [];
  private wordCount = 0;
  private hasPlural = false;
  private hasCjk = false;
  private firstCjk = 0;
  private readonly pending = new TermList();

  constructor(terms: ReadonlyArray<Omit<CompiledTerm, 'id'>>) {
    this.terms = terms.map((t, id) => ({ ...t, id }));
    let nextWordId = 0;
    const wordTrie = latinNode();
    const wordId = (w: string) => {
      const node = latinPath(wordTrie, w);
      if (node.wordId < 0) node.wordId = nextWordId++;
      return node.wordId;
    };
    this.termWords = this.terms.map((t) => (t.words ?? []).map(wordId));
    const compactTrie = latinNode();
    for (const t of this.terms) {
      if (t.cjk) cjkPath(this.cjkTrie, t.cjk).out.push(t);
      if (t.compact) latinPath(compactTrie, t.compact).out.push(t);
      const first = this.termWords[t.id]?.[0];
      if (first === undefined) continue;
      const list = this.byFirstWord[first];
      if (list) list.push(t);
      else this.byFirstWord[first] = [t];
    }
    this.compact = compactAutomaton(compactTrie);
    this.wordSteps = wordTable(wordTrie);
    this.foundAt = new Int32Array(this.terms.length);
    this.compactAt = new Int32Array(this.terms.length);
  }

  /**
   * Every term matching the text, each once, in match order. The text is normalizeText's output, or a
   * printable-ASCII tag as it is: A-Z are folded while scanning, the only change normalizeText makes there.
   */
  match(normalized: string): CompiledTerm[] {
    const found = new TermList();
    this.matchInto(normalized, found);
    return found.items.slice(0, found.count);
  }

  /** Appends the matching terms to `found` (lets a hot caller reuse one list). */
  matchInto(normalized: string, found: TermList): void {
    const stamp = this.nextStamp();
    const pending = this.pending;
    pending.clear();
    // Words and run-together matches in one pass; the latter are needed first, as a first-word candidate
    // may also match through its compact form.
    this.scan(normalized, stamp, pending);
    this.matchWords(this.words, stamp, found);
    if (this.hasPlural) this.matchWords(this.singular, stamp, found);
    this.addInOrder(pending, stamp, found);
    if (this.hasCjk) {
      pending.clear();
      this.walkCjk(normalized, pending);
      this.addInOrder(pending, stamp, found);
    }
  }

  private nextStamp(): number {
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.foundAt.fill(0);
      this.compactAt.fill(0);
    }
    return ++this.stamp;
  }

  /**
   * Splits the text into Latin words, recording each word's id (-1 for words no term uses), and feeds every
   * Latin letter to the run-together automaton (separators, digits and CJK are skipped, not reset).
   */
  private scan(text: string, stamp: number, compactFound: TermList): void {
    const { delta, out } = this.compact;
    let state = 0;
    let count = 0;
    let hasPlural = false;
    let hasCjk = false;
    let inWord = false;
    const { step, wordId } = this.wordSteps;
    let node = -1;
    let beforeLast = -1;
    let length = 0;
    let last = 0;
    let secondLast = 0;
    for (let i = 0; i <= text.length; i++) {
      let c = i < text.length ? text.charCodeAt(i) : 0;
      if (c >= 65 && c <= 90) c += 32; // A-Z: raw printable-ASCII tags are matched without a lower-cased copy
      if (isLatin(c)) {
        state = delta[state * 27 + latinSlot(c)] as number;
        const ending = out[state] as CompiledTerm[];
        for (let k = 0; k < ending.length; k++) {
          const t = ending[k] as CompiledTerm;
          if (this.compactAt[t.id] === stamp) continue;
          this.compactAt[t.id] = stamp;
          compactFound.push(t);
        }
        if (!inWord) {
          inWord = true;
          node = 0;
          length = 0;
          last = 0;
        }
        beforeLast = node;
        if (node >= 0) node = step[node * 27 + latinSlot(c)] as number;
        secondLast = last;
        last = c;
        length++;
        continue;
      }
      if (!hasCjk && isCjkCode(c)) {
        hasCjk = true;
        this.firstCjk = i;
      }
      if (!inWord) continue;
      inWord = false;
      const id = node >= 0 ? (wordId[node] as number) : -1;
      // Plural `s` stripped the way the reference tokenizer did: longer than 3 letters, not `ss`.
      const plural = length > 3 && last === S && secondLast !== S;
      if (plural) hasPlural = true;
      this.words[count] = id;
      this.singular[count] = plural ? (beforeLast >= 0 ? (wordId[beforeLast] as number) : -1) : id;
      count++;
    }
    this.wordCount = count;
    this.hasPlural = hasPlural;
    this.hasCjk = hasCjk;
  }

  /** Terms whose first word is one of `ids` and whose words all follow in the tag (or its singular form). */
  private matchWords(ids: readonly number[], stamp: number, found: TermList): void {
    for (let i = 0; i < this.wordCount; i++) {
      const id = ids[i] as number;
      if (id < 0) continue;
      const candidates = this.byFirstWord[id];
      if (!candidates) continue;
      for (const t of candidates) {
        if (this.foundAt[t.id] === stamp) continue;
        const w = this.termWords[t.id] as number[];
        if (
          containsRun(this.words, this.wordCount, w) ||
          (this.hasPlural && containsRun(this.singular, this.wordCount, w)) ||
          this.compactAt[t.id] === stamp
        ) {
          this.foundAt[t.id] = stamp;
          found.push(t);
        }
      }
    }
  }

  private addInOrder(list: TermList, stamp: number, found: TermList): void {
    list.sortById();
    for (let i = 0; i < list.count; i++) {
      const t = list.items[i] as CompiledTerm;
      if (this.foundAt[t.id] === stamp) continue;
      this.foundAt[t.id] = stamp;
      found.push(t);
    }
  }

  /** Terms found inside one CJK run of the tag; whole-segment terms only as an entire run. */
  private walkCjk(text: string, out: TermList): void {
    for (let i = this.firstCjk; i < text.length; i++) {
      if (!isCjkCode(text.charCodeAt(i))) continue;
      const runStart = i === 0 || !isCjkCode(text.charCodeAt(i - 1));
      let node: CjkNode | undefined = this.cjkTrie;
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
