/**
 * The vocabulary as lookup tables over normalised text: Latin terms by their words (`changing room`, and the
 * run-together `changingroom`), CJK terms by their characters. Built once when the module loads; a spelling listed
 * twice with two meanings is a data error and stops the build.
 */
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { normalizeText } from './normalize.js';
import { NOISE_WORDS, STOP_WORDS } from './vocabulary/noise.js';
import { PROHIBITED_ROOMS } from './vocabulary/prohibited-rooms.js';
import { PUBLIC_PLACES } from './vocabulary/public-places.js';
import { QUALIFIERS } from './vocabulary/qualifiers.js';
import { RESTRICTED_AREAS } from './vocabulary/restricted-areas.js';
import type { TermFamily } from './vocabulary/term-family.js';
import { PROHIBITED_ROOM_IDS } from './vocabulary/zone-ids.js';

export const VOCABULARY: readonly TermFamily[] = [
  ...PROHIBITED_ROOMS,
  ...RESTRICTED_AREAS,
  ...PUBLIC_PLACES,
  ...QUALIFIERS,
];

export interface Term {
  /** The spelling as the vocabulary lists it. */
  text: string;
  family: TermFamily;
}

const CJK = /[\u3400-\u9fff]/u;

/** Latin words of a normalised term: letters, and `&` between single letters (b&b); anything else separates. */
export function latinWords(normalized: string): string[] {
  return normalized.match(/[a-z](?:&[a-z])+(?![a-z])|[a-z]+/g) ?? [];
}

function add(map: Map<string, Term>, key: string, term: Term): void {
  const prev = map.get(key);
  if (prev && prev.family !== term.family) {
    throw new CamwardenError(
      ErrorCode.Internal,
      `vocabulary: "${term.text}" and "${prev.text}" both spell "${key}" with different meanings`,
    );
  }
  if (!prev) map.set(key, term);
}

/** Latin terms by their words joined with one space; run-together forms are single-word keys. */
export const LATIN_TERMS = new Map<string, Term>();
/** CJK terms by their (simplified) characters. */
export const CJK_TERMS = new Map<string, Term>();
/** Last characters (code units) of the CJK terms: a character none ends with ends no term. */
export const CJK_TERM_ENDINGS = new Set<number>();
/** Every word a Latin term, a stop word or a noise word is made of: the pieces a run-together word may split into. */
export const KNOWN_WORDS = new Set<string>([...STOP_WORDS, ...NOISE_WORDS]);
/** First words of Latin terms of two words or more: only these start a longer match. */
export const FIRST_WORDS = new Set<string>();
/** Run-together spellings (6 letters or more) of prohibited rooms: found even inside unknown words (fail closed). */
export const PROHIBITED_INFIXES: Array<{ infix: string; term: Term }> = [];

let longestLatin = 1;
let longestCjk = 1;
const prohibited = new Set<string>(PROHIBITED_ROOM_IDS);
for (const family of VOCABULARY) {
  for (const text of family.terms) {
    const term = { text, family };
    const normalized = normalizeText(text);
    if (CJK.test(normalized)) {
      const key = normalized.replace(/\s+/g, '');
      add(CJK_TERMS, key, term);
      CJK_TERM_ENDINGS.add(key.charCodeAt(key.length - 1));
      longestCjk = Math.max(longestCjk, key.length);
      continue;
    }
    const words = latinWords(normalized);
    if (words.length === 0) continue;
    add(LATIN_TERMS, words.join(' '), term);
    for (const w of words) KNOWN_WORDS.add(w);
    if (words.length > 1) FIRST_WORDS.add(words[0] as string);
    longestLatin = Math.max(longestLatin, words.length);
    const joined = words.join('');
    if (words.length > 1) add(LATIN_TERMS, joined, term);
    if (joined.length >= 6 && family.zone !== undefined && prohibited.has(family.zone) && !family.role) {
      PROHIBITED_INFIXES.push({ infix: joined, term });
    }
  }
}

/** Most words in a Latin term, most characters in a CJK term (bounds of the longest-match loops). */
export const LONGEST_LATIN_TERM = longestLatin;
export const LONGEST_CJK_TERM = longestCjk;
