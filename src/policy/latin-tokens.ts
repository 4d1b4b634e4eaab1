/**
 * Latin words of a segment → tokens: the longest vocabulary term at each word (as written, else singular:
 * `lavatories`, `changing rooms`); a run-together word split into known words (`ladieswear`, `restroomentrance`);
 * else, fail closed, a prohibited room spelled inside it (`xrestroom`).
 */
import { FIRST_WORDS, KNOWN_WORDS, LATIN_TERMS, LONGEST_LATIN_TERM, PROHIBITED_INFIXES } from './lexicon.js';
import type { Token } from './token.js';
import { NOISE_WORDS, STOP_WORDS } from './vocabulary/noise.js';

const STOP = new Set(STOP_WORDS);
const NOISE = new Set(NOISE_WORDS);
/** Longest word the splitter tries (tags are short; a longer "word" is only searched for prohibited rooms). */
const MAX_SPLIT = 64;

/** lavatories → lavatory, boxes → box, showers → shower; `ss` and short words stay. */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 2 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function isKnown(word: string): boolean {
  return KNOWN_WORDS.has(word) || KNOWN_WORDS.has(singular(word));
}

/** The fewest known words (two letters or more) that spell `word` exactly, or undefined. */
export function splitKnownWords(word: string): string[] | undefined {
  if (word.length > MAX_SPLIT) return undefined;
  const best: Array<string[] | undefined> = [[]];
  for (let end = 1; end <= word.length; end++) {
    for (let start = Math.max(0, end - 24); start <= end - 2; start++) {
      const before = best[start];
      const piece = word.slice(start, end);
      if (before && isKnown(piece) && (!best[end] || before.length + 1 < (best[end]?.length ?? 0))) {
        best[end] = [...before, piece];
      }
    }
  }
  const pieces = best[word.length];
  return pieces && pieces.length > 1 ? pieces : undefined;
}

/** A word no term starts with: filler, a designator, or unknown. */
function single(word: string): Token {
  if (STOP.has(word)) return { kind: 'stop', text: word };
  if (NOISE.has(word) || NOISE.has(singular(word)) || word.length === 1) return { kind: 'noise', text: word };
  return { kind: 'unknown', text: word, roomLike: false };
}

/**
 * Fail closed on words nothing else reads: a run of unknown words from `from` on that spells a prohibited room
 * inside it (`xrestroom`, `change roomclassess`) becomes that room, in place.
 */
function prohibitedInside(tokens: Token[], from: number): void {
  for (let i = from; i < tokens.length; i++) {
    if (tokens[i]?.kind !== 'unknown') continue;
    let end = i;
    let letters = '';
    let text = '';
    while (end < tokens.length && tokens[end]?.kind === 'unknown') {
      const word = (tokens[end] as Token).text;
      letters += word;
      text = text ? `${text} ${word}` : word;
      end++;
    }
    const hit = PROHIBITED_INFIXES.find((p) => letters.includes(p.infix));
    if (hit) tokens.splice(i, end - i, { kind: 'term', text, term: hit.term });
    else i = end - 1;
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

/** Appends the tokens of consecutive Latin words (one run between numbers or CJK) to `out`. */
export function latinTokens(given: readonly string[], out: Token[] = []): Token[] {
  const from = out.length;
  const words = wordsOf(given);
  let i = 0;
  while (i < words.length) {
    const first = words[i] as string;
    let matched = 0;
    // Longer runs only from a word that starts a longer term.
    const longest = FIRST_WORDS.has(first) || FIRST_WORDS.has(singular(first)) ? LONGEST_LATIN_TERM : 1;
    for (let n = Math.min(longest, words.length - i); n >= 1 && matched === 0; n--) {
      const text = n === 1 ? first : words.slice(i, i + n).join(' ');
      const plural =
        n === 1
          ? singular(first)
          : words
              .slice(i, i + n)
              .map(singular)
              .join(' ');
      const term = LATIN_TERMS.get(text) ?? (plural === text ? undefined : LATIN_TERMS.get(plural));
      if (term) {
        out.push({ kind: 'term', text, term });
        matched = n;
      }
    }
    if (matched === 0) {
      out.push(single(first));
      matched = 1;
    }
    i += matched;
  }
  prohibitedInside(out, from);
  return out;
}
