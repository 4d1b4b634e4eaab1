/**
 * Latin words of a segment → tokens: the longest vocabulary term at each word (as written, else singular:
 * `lavatories`, `changing rooms`); a run-together word split into known words (`ladieswear`, `restroomentrance`);
 * else, fail closed, a prohibited room spelled inside it (`xrestroom`).
 */
import { KNOWN_WORDS, LATIN_TERMS, LONGEST_LATIN_TERM, PROHIBITED_INFIXES } from './lexicon.js';
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
 * Fail closed on words nothing else reads: a run of unknown words that spells a prohibited room inside it
 * (`xrestroom`, `change roomclassess`) becomes that room.
 */
function prohibitedInside(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    let end = i;
    while (end < tokens.length && tokens[end]?.kind === 'unknown') end++;
    if (end === i) {
      out.push(tokens[i] as Token);
      i++;
      continue;
    }
    const run = tokens.slice(i, end);
    const letters = run.map((t) => t.text).join('');
    const hit = PROHIBITED_INFIXES.find((p) => letters.includes(p.infix));
    out.push(...(hit ? [{ kind: 'term' as const, text: run.map((t) => t.text).join(' '), term: hit.term }] : run));
    i = end;
  }
  return out;
}

/** Tokens of consecutive Latin words (one run between numbers or CJK); run-together words are split first. */
export function latinTokens(given: readonly string[]): Token[] {
  const words = given.flatMap((w) => (isKnown(w) ? [w] : (splitKnownWords(w) ?? [w])));
  const out: Token[] = [];
  let i = 0;
  while (i < words.length) {
    let matched = false;
    for (let n = Math.min(LONGEST_LATIN_TERM, words.length - i); n >= 1 && !matched; n--) {
      const run = words.slice(i, i + n);
      const term = LATIN_TERMS.get(run.join(' ')) ?? LATIN_TERMS.get(run.map(singular).join(' '));
      if (term) {
        out.push({ kind: 'term', text: run.join(' '), term });
        i += n;
        matched = true;
      }
    }
    if (matched) continue;
    out.push(single(words[i] as string));
    i++;
  }
  return prohibitedInside(out);
}
