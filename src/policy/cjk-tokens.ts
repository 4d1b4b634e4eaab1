/**
 * A run of CJK characters → tokens, by backward maximum matching: from the end of the run, the longest vocabulary
 * term ending there. Chinese names are head-final, so reading from the end keeps the head word whole
 * (宿舍楼道 is 宿舍 + 楼道, the dormitory's corridor; 更衣室外走廊 is 更衣室 + 外 + 走廊). Characters no term
 * covers are gathered into unknown words.
 *
 * Fail closed on ambiguous runs: when that reading names no restricted zone but forward maximum matching does, the
 * forward reading is taken. 对面包间 is read backward as 对 + 面包间 (a bakery) but means 对面 + 包间 (the private
 * dining room opposite); a run's two readings differ only where its words overlap, so taking the more severe one
 * never lets a prohibited room hide inside a public word.
 */
import { CJK_TERM_ENDINGS, CJK_TERMS, LONGEST_CJK_TERM, type Term } from './lexicon.js';
import type { Token } from './token.js';
import { NOISE_CJK, ROOM_SUFFIXES } from './vocabulary/noise.js';
import { PUBLIC_ZONE_IDS } from './vocabulary/zone-ids.js';

const PUBLIC = new Set<string>(PUBLIC_ZONE_IDS);

function unknown(text: string): Token {
  let noise = true;
  // A CJK run is all in the Basic Multilingual Plane: its code units are its characters.
  for (let i = 0; i < text.length && noise; i++) noise = NOISE_CJK.includes(text.charAt(i));
  if (noise) return { kind: 'noise', text };
  return { kind: 'unknown', text, roomLike: ROOM_SUFFIXES.includes(text.slice(-1)) };
}

/** The term spelled by run[start, start + n), if it may stand there (a `whole` term only as the whole run). */
function termAt(run: string, start: number, n: number): Term | undefined {
  const term = CJK_TERMS.get(run.slice(start, start + n));
  return term && (!term.family.whole || n === run.length) ? term : undefined;
}

/** Whether a token names a zone that is not public: a prohibited room, Art 10 surroundings, or an open room. */
function restricted(t: Token): boolean {
  if (t.kind !== 'term') return false;
  const { zone, role } = t.term.family;
  if (role === 'ambiguous') return true;
  return (role === undefined || role === 'place') && zone !== undefined && !PUBLIC.has(zone);
}

/** Appends the backward maximum matching of a run to `out`, in reading order. */
function backwardReading(run: string, out: Token[]): void {
  const from = out.length;
  /** Characters from `end` to here are covered by no term (yet): they become one unknown word. */
  let pendingEnd = run.length;
  let end = run.length;
  while (end > 0) {
    let found: Term | undefined;
    // Only a character some term ends with can end a term: most characters need no lookups.
    const longest = CJK_TERM_ENDINGS.has(run.charCodeAt(end - 1)) ? Math.min(LONGEST_CJK_TERM, end) : 0;
    let n = longest;
    for (; n >= 1 && !found; n--) found = termAt(run, end - n, n);
    if (found) {
      const length = n + 1;
      if (pendingEnd > end) out.push(unknown(run.slice(end, pendingEnd)));
      out.push({ kind: 'term', text: run.slice(end - length, end), term: found });
      end -= length;
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
}

/** Forward maximum matching: from the start, the longest term starting at each point. */
function forwardReading(run: string): Token[] {
  const out: Token[] = [];
  let pendingStart = 0;
  let start = 0;
  while (start < run.length) {
    let found: Term | undefined;
    let n = Math.min(LONGEST_CJK_TERM, run.length - start);
    for (; n >= 1 && !found; n--) found = termAt(run, start, n);
    if (found) {
      const length = n + 1;
      if (pendingStart < start) out.push(unknown(run.slice(pendingStart, start)));
      out.push({ kind: 'term', text: run.slice(start, start + length), term: found });
      start += length;
      pendingStart = start;
    } else {
      start++;
    }
  }
  if (pendingStart < run.length) out.push(unknown(run.slice(pendingStart)));
  return out;
}

/** Appends the tokens of a CJK run to `out`. */
export function cjkTokens(run: string, out: Token[] = []): Token[] {
  const from = out.length;
  backwardReading(run, out);
  // A run of one token reads the same both ways.
  if (out.length - from < 2) return out;
  for (let i = from; i < out.length; i++) if (restricted(out[i] as Token)) return out;
  const forward = forwardReading(run);
  if (forward.some(restricted)) out.splice(from, out.length - from, ...forward);
  return out;
}
