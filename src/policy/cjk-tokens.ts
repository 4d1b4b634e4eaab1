/**
 * A run of CJK characters → tokens, by backward maximum matching: from the end of the run, the longest vocabulary
 * term ending there. Chinese names are head-final, so reading from the end keeps the head word whole
 * (宿舍楼道 is 宿舍 + 楼道, the dormitory's corridor; 更衣室外走廊 is 更衣室 + 外 + 走廊). Characters no term
 * covers are gathered into unknown words.
 */
import { CJK_TERMS, LONGEST_CJK_TERM } from './lexicon.js';
import type { Token } from './token.js';
import { NOISE_CJK, ROOM_SUFFIXES } from './vocabulary/noise.js';

function unknown(text: string): Token {
  if ([...text].every((ch) => NOISE_CJK.includes(ch))) return { kind: 'noise', text };
  return { kind: 'unknown', text, roomLike: ROOM_SUFFIXES.includes(text.slice(-1)) };
}

/** Appends the tokens of a CJK run to `out`. */
export function cjkTokens(run: string, out: Token[] = []): Token[] {
  const from = out.length;
  let pending = '';
  let end = run.length;
  while (end > 0) {
    let found: Token | undefined;
    for (let n = Math.min(LONGEST_CJK_TERM, end); n >= 1 && !found; n--) {
      const text = run.slice(end - n, end);
      const term = CJK_TERMS.get(text);
      if (term && (!term.family.whole || n === run.length)) found = { kind: 'term', text, term };
    }
    if (found) {
      if (pending) out.push(unknown(pending));
      pending = '';
      out.push(found);
      end -= found.text.length;
    } else {
      pending = run.charAt(end - 1) + pending;
      end--;
    }
  }
  if (pending) out.push(unknown(pending));
  // Found from the end backwards: put this run's tokens in reading order.
  const mine = out.splice(from).reverse();
  for (const t of mine) out.push(t);
  return out;
}
