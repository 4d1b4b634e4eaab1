/**
 * One location tag → its segments (path levels) and their tokens. `location/building/A/floor/2/更衣室` has the
 * segments A, 2 and 更衣室 (building and floor are keys naming the level after them); `location/zone/<id>` and
 * `location/adjacent/<kind>` are canonical tags; NVR channel tags are `channel/name|location|description/<text>`
 * and device names `name/<text>`.
 */
import { cjkTokens } from './cjk-tokens.js';
import { latinTokens } from './latin-tokens.js';
import { LATIN_TERMS } from './lexicon.js';
import { normalizeText } from './normalize.js';
import type { Token } from './token.js';
import { PATH_KEYS, ROOM_KEYS } from './vocabulary/noise.js';
import { ZONE_IDS, type ZoneId } from './vocabulary/zone-ids.js';

export interface Segment {
  /** Normalised text of the path level. */
  text: string;
  /** The key that named this level (`room` in `location/room/<name>`). */
  key?: string;
  tokens: Token[];
}

export interface TagSegments {
  tag: string;
  /** `name/` scopes are device names; `channel/` tags are an NVR channel's recording-source texts. */
  scope: 'location' | 'name' | 'channel';
  /** Path after the scope, normalised (what vendor placeholder lists name). */
  path: string;
  /** Zone of a canonical `location/zone/<id>` or `location/adjacent/<kind>` tag. */
  canonical?: ZoneId;
  segments: Segment[];
}

const KEYS = new Set(PATH_KEYS);
const ROOM_KEY_SET = new Set(ROOM_KEYS);
const ZONE_ID_SET = new Set<string>(ZONE_IDS);
const CHANNEL_FIELDS = new Set(['name', 'location', 'description']);
const AMPERSAND = 0x26;
const isLetter = (c: number) => c >= 0x61 && c <= 0x7a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isCjk = (c: number) => c >= 0x3400 && c <= 0x9fff;

/**
 * End of a word of single letters joined by `&` (b&b) starting at `i`, or `i` when none starts there. A last letter
 * running on into a word is not part of it: `b&b&bc` is the word b&b, then bc.
 */
function ampersandWordEnd(text: string, i: number): number {
  let end = i + 1;
  while (text.charCodeAt(end) === AMPERSAND && isLetter(text.charCodeAt(end + 1))) end += 2;
  if (end > i + 1 && isLetter(text.charCodeAt(end))) end -= 2;
  return end > i + 1 ? end : i;
}

/**
 * Tokens of one path level, in one pass over its text: Latin words (`&` only between single letters: b&b) in runs,
 * numbers as noise, CJK runs by the CJK tokenizer; any other character separates, and only numbers and CJK end a
 * run of Latin words.
 */
export function segmentTokens(text: string, roomKey: boolean): Token[] {
  const tokens: Token[] = [];
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let end = i + 1;
    if (isLetter(c)) {
      end = ampersandWordEnd(text, i);
      if (end === i) for (end = i + 1; isLetter(text.charCodeAt(end)); ) end++;
      words.push(text.slice(i, end));
    } else if (isDigit(c) || isCjk(c)) {
      const same = isDigit(c) ? isDigit : isCjk;
      while (same(text.charCodeAt(end))) end++;
      if (words.length > 0) {
        latinTokens(words, tokens);
        words.length = 0;
      }
      if (isDigit(c)) tokens.push({ kind: 'noise', text: text.slice(i, end) });
      else cjkTokens(text.slice(i, end), tokens);
    }
    i = end;
  }
  if (words.length > 0) latinTokens(words, tokens);
  if (!roomKey) return tokens;
  // A value under `room/` names a room: unknown words there are an unknown room, and a bare number is a room too.
  let saysRoom = false;
  for (const t of tokens) {
    if (t.kind === 'unknown') {
      t.roomLike = true;
      saysRoom = true;
    } else if (t.kind === 'term' && t.term.family.level === 'room') saysRoom = true;
  }
  const roomWord = LATIN_TERMS.get('room');
  if (!saysRoom && roomWord) tokens.push({ kind: 'term', text, term: roomWord });
  return tokens;
}

function canonicalZone(kind: string, value: string | undefined): ZoneId | undefined {
  if (value === undefined) return undefined;
  const id = value.trim().replace(/[\s_]+/g, '-');
  const zone = kind === 'adjacent' ? `${id.replace(/-adjacent$/, '')}-adjacent` : id;
  return ZONE_ID_SET.has(zone) ? (zone as ZoneId) : undefined;
}

export function tagSegments(tag: string): TagSegments {
  const parts: string[] = [];
  for (const part of normalizeText(tag).split('/')) {
    const p = part.trim();
    if (p.length > 0) parts.push(p);
  }
  // The scope and its field words are taken off the front of `parts`, leaving the path.
  let scope: TagSegments['scope'] = 'location';
  if (parts[0] === 'location') parts.shift();
  else if (parts[0] === 'name') {
    scope = 'name';
    parts.shift();
  } else if (parts[0] === 'channel') {
    scope = 'channel';
    parts.shift();
    if (CHANNEL_FIELDS.has(parts[0] ?? '')) parts.shift();
  }
  const out: TagSegments = { tag, scope, path: parts.join('/'), segments: [] };
  let from = 0;
  if (scope === 'location' && (parts[0] === 'zone' || parts[0] === 'adjacent')) {
    const canonical = canonicalZone(parts[0], parts[1]);
    if (canonical) {
      out.canonical = canonical;
      from = 2;
    }
  }
  let key: string | undefined;
  for (let i = from; i < parts.length; i++) {
    const text = parts[i] as string;
    if (KEYS.has(text) && i < parts.length - 1) {
      key = text;
      continue;
    }
    const segment: Segment = { text, tokens: segmentTokens(text, key !== undefined && ROOM_KEY_SET.has(key)) };
    if (key !== undefined) segment.key = key;
    out.segments.push(segment);
    key = undefined;
  }
  return out;
}
