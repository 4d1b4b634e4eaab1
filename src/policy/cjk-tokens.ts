/**
 * A run of CJK characters → tokens, by backward maximum matching: from the end of the run, the longest vocabulary
 * term ending there. Chinese names are head-final, so reading from the end keeps the head word whole
 * (宿舍楼道 is 宿舍 + 楼道, the dormitory's corridor; 更衣室外走廊 is 更衣室 + 外 + 走廊). Characters no term
 * covers are gathered into unknown words.
 */
import { CJK_TERM_ENDINGS, CJK_TERMS, LONGEST_CJK_TERM } from './lexicon.js';
import type { Token } from './token.js';
import { NOISE_CJK, ROOM_SUFFIXES } from './vocabulary/noise.js';

function unknown(text: string): Token {
  let noise = true;
  // A CJK run is all in the Basic Multilingual Plane: its code units are its characters.
  for (let i = 0; i < text.length && noise; i++) noise = NOISE_CJK.includes(text.charAt(i));
  if (noise) return { kind: 'noise', text };
  return { kind: 'unknown', text, roomLike: ROOM_SUFFIXES.includes(text.slice(-1)) };
}

/** Appends the tokens of a CJK run to `out`. */
export function cjkTokens(run: string, out: Token[] = []): Token[] {
  const from = out.length;
  /** Characters from `end` to here are covered by no term (yet): they become one unknown word. */
  let pendingEnd = run.length;
  let end = run.length;
  while (end > 0) {
    let found: Token | undefined;
    // Only a character some term ends with can end a term: most characters need no lookups.
    const longest = CJK_TERM_ENDINGS.has(run.charCodeAt(end - 1)) ? Math.min(LONGEST_CJK_TERM, end) : 0;
    for (let n = longest; n >= 1 && !found; n--) {
      const text = run.slice(end - n, end);
      const term = CJK_TERMS.get(text);
      if (term && (!term.family.whole || n === run.length)) found = { kind: 'term', text, term };
    }
    if (found) {
      if (pendingEnd > end) out.push(unknown(run.slice(end, pendingEnd)));
      out.push(found);
      end -= found.text.length;
      pendingEnd = end;
    } else {
      end--;
    }
  }
  if (pendingEnd > 0) out.push(unknown(run.slice(0, pendingEnd)));
  // Found from the end backwards: put this run's tokens in reading order, in place.
  for (let a = from, b = out.length - 1; a < b; a++, b--) {
    const t = out[a] as Token;
    out[a] = out[b] as Token;
    out[b] = t;
  }
  return out;
}
