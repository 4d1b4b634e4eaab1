/**
 * Latin words of a segment → tokens: the longest vocabulary term at each word (as written, else singular:
 * `lavatories`, `changing rooms`); a run-together word split into known words (`ladieswear`, `restroomentrance`);
 * else, fail closed, a prohibited room spelled inside it (`xrestroom`).
 */
import { FIRST_WORDS, KNOWN_WORDS, LATIN_TERMS, LONGEST_LATIN_TERM, PROHIBITED_INFIXES, type Term } from './lexicon.js';
import type { Token } from './token.js';
import { NOISE_WORDS, STOP_WORDS } from './vocabulary/noise.js';

const STOP = new Set(STOP_WORDS);
const NOISE = new Set(NOISE_WORDS);
/** Longest word the splitter tries (tags are short; a longer "word" is only searched for prohibited rooms). */
const MAX_SPLIT = 64;

/** lavatories → lavatory, boxes → box, houses → house (a known word), showers → shower; `ss` and short words stay. */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:s|x|z|ch|sh)es$/.test(word)) {
    const minusS = word.slice(0, -1);
    return KNOWN_WORDS.has(minusS) ? minusS : word.slice(0, -2);
  }
  if (word.length > 2 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function isKnown(word: string): boolean {
  return KNOWN_WORDS.has(word) || KNOWN_WORDS.has(singular(word));
}

/**
 * The fewest known words (two letters or more) that spell `word` exactly, or undefined. Pieces are only cut where a
 * known spelling ends (`fewest[start]` set), so an unknown word costs few slices.
 */
export function splitKnownWords(word: string): string[] | undefined {
  // Two pieces of two letters need four; longer words are only searched for prohibited rooms.
  if (word.length < 4 || word.length > MAX_SPLIT) return undefined;
  /** fewest[end]: fewest pieces spelling word[0, end), 0 when none does; cut[end]: where its last piece starts. */
  const fewest = new Array<number>(word.length + 1).fill(0);
  const cut = new Array<number>(word.length + 1).fill(0);
  for (let end = 2; end <= word.length; end++) {
    for (let start = Math.max(0, end - 24); start <= end - 2; start++) {
      const before = start === 0 ? 0 : (fewest[start] as number);
      if (start > 0 && before === 0) continue;
      const best = fewest[end] as number;
      if ((best === 0 || before + 1 < best) && isKnown(word.slice(start, end))) {
        fewest[end] = before + 1;
        cut[end] = start;
      }
    }
  }
  const count = fewest[word.length] as number;
  if (count < 2) return undefined;
  const pieces = new Array<string>(count);
  for (let end = word.length, k = count - 1; k >= 0; k--) {
    const start = cut[end] as number;
    pieces[k] = word.slice(start, end);
    end = start;
  }
  return pieces;
}

/** A word no term starts with: filler, a designator, or unknown. */
function single(word: string): Token {
  if (STOP.has(word)) return { kind: 'stop', text: word };
  if (NOISE.has(word) || NOISE.has(singular(word)) || word.length === 1) return { kind: 'noise', text: word };
  return { kind: 'unknown', text: word, roomLike: false };
}

/** The prohibited room whose run-together spelling is inside `letters`, if one is. */
function prohibitedInfix(letters: string): Term | undefined {
  for (const p of PROHIBITED_INFIXES) if (letters.includes(p.infix)) return p.term;
  return undefined;
}

/**
 * Fail closed on words nothing else reads: a run of unknown words from `from` on that spells a prohibited room
 * inside it (`xrestroom`, `change roomclassess`) becomes that room, in place.
 */
function prohibitedInside(tokens: Token[], from: number): void {
  for (let i = from; i < tokens.length; i++) {
    const first = tokens[i] as Token;
    if (first.kind !== 'unknown') continue;
    let end = i + 1;
    while (end < tokens.length && tokens[end]?.kind === 'unknown') end++;
    if (end === i + 1) {
      // One unknown word (most of them): its text is the letters, no strings to build.
      const term = prohibitedInfix(first.text);
      if (term) tokens[i] = { kind: 'term', text: first.text, term };
      continue;
    }
    let letters = '';
    let text = '';
    for (let k = i; k < end; k++) {
      const word = (tokens[k] as Token).text;
      letters += word;
      text = text ? `${text} ${word}` : word;
    }
    const term = prohibitedInfix(letters);
    if (term) tokens.splice(i, end - i, { kind: 'term', text, term });
    else i = end - 1;
  }
}

/**
 * Fail closed on letters run on to a term's last word (`guest roomA`, `private diningB`): an unknown word that,
 * with the words before it, starts with a prohibited room's run-together spelling reaching into it becomes that
 * room, words and all. The spelling must start where a word starts, so `forest room` stays an unknown room.
 */
function runOnProhibited(tokens: Token[], from: number): void {
  for (let j = from; j < tokens.length; j++) {
    const last = tokens[j] as Token;
    if (last.kind !== 'unknown') continue;
    let before = '';
    for (let k = j - 1; k >= Math.max(from, j - LONGEST_LATIN_TERM + 1); k--) {
      before = `${(tokens[k] as Token).text.replace(/ /g, '')}${before}`;
      const letters = `${before}${last.text}`;
      const found = PROHIBITED_INFIXES.find((p) => p.infix.length > before.length && letters.startsWith(p.infix));
      if (!found) continue;
      const text = tokens
        .slice(k, j + 1)
        .map((t) => t.text)
        .join(' ');
      tokens.splice(k, j - k + 1, { kind: 'term', text, term: found.term });
      j = k;
      break;
    }
  }
}

/** The words of a run of Latin text, run-together words split into the known words they spell. */
function wordsOf(given: readonly string[]): readonly string[] {
  if (given.every(isKnown)) return given;
  const words: string[] = [];
  for (const w of given) {
    const pieces = isKnown(w) ? undefined : splitKnownWords(w);
    if (pieces) words.push(...pieces);
    else words.push(w);
  }
  return words;
}

/** The longest term of `n` words or fewer at `words[i]`, as written else singular, with how many words it took. */
function termAt(
  words: readonly string[],
  i: number,
  n: number,
): { text: string; term: Term; words: number } | undefined {
  for (; n > 1; n--) {
    const text = words.slice(i, i + n).join(' ');
    const plural = words
      .slice(i, i + n)
      .map(singular)
      .join(' ');
    const term = LATIN_TERMS.get(text) ?? (plural === text ? undefined : LATIN_TERMS.get(plural));
    if (term) return { text, term, words: n };
  }
  const text = words[i] as string;
  const term = LATIN_TERMS.get(text) ?? singularTerm(text);
  return term ? { text, term, words: 1 } : undefined;
}

/** The term a word's singular spells, when that differs from the word. */
function singularTerm(word: string): Term | undefined {
  const one = singular(word);
  return one === word ? undefined : LATIN_TERMS.get(one);
}

/** Appends the tokens of consecutive Latin words (one run between numbers or CJK) to `out`. */
export function latinTokens(given: readonly string[], out: Token[] = []): Token[] {
  const from = out.length;
  const words = wordsOf(given);
  let i = 0;
  while (i < words.length) {
    const first = words[i] as string;
    // Longer runs only from a word that starts a longer term.
    const longest = FIRST_WORDS.has(first) || FIRST_WORDS.has(singular(first)) ? LONGEST_LATIN_TERM : 1;
    const found = termAt(words, i, Math.min(longest, words.length - i));
    if (found) {
      out.push({ kind: 'term', text: found.text, term: found.term });
      i += found.words;
    } else {
      out.push(single(first));
      i++;
    }
  }
  runOnProhibited(out, from);
  prohibitedInside(out, from);
  return out;
}
