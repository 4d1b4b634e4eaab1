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
/** Latin words (`&` only between single letters: b&b), numbers and CJK runs; anything else separates. */
const PIECES = /[a-z](?:&[a-z])+(?![a-z])|[a-z]+|[0-9]+|[\u3400-\u9fff]+/gu;

/** Tokens of one path level: Latin words in runs, numbers as noise, CJK runs by the CJK tokenizer. */
export function segmentTokens(text: string, roomKey: boolean): Token[] {
  const tokens: Token[] = [];
  let words: string[] = [];
  for (const piece of text.match(PIECES) ?? []) {
    const first = piece.charCodeAt(0);
    if (first >= 97 && first <= 122) {
      words.push(piece);
      continue;
    }
    if (words.length > 0) latinTokens(words, tokens);
    words = [];
    if (first >= 0x3400) cjkTokens(piece, tokens);
    else tokens.push({ kind: 'noise', text: piece });
  }
  if (words.length > 0) latinTokens(words, tokens);
  if (!roomKey) return tokens;
  // A value under `room/` names a room: unknown words there are an unknown room, and a bare number is a room too.
  const named = tokens.map((t): Token => (t.kind === 'unknown' ? { ...t, roomLike: true } : t));
  const roomWord = LATIN_TERMS.get('room');
  const saysRoom = named.some((t) => (t.kind === 'term' && t.term.family.level === 'room') || t.kind === 'unknown');
  return saysRoom || !roomWord ? named : [...named, { kind: 'term', text, term: roomWord }];
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
  let scope: TagSegments['scope'] = 'location';
  let rest = parts;
  if (parts[0] === 'location') rest = parts.slice(1);
  else if (parts[0] === 'name') {
    scope = 'name';
    rest = parts.slice(1);
  } else if (parts[0] === 'channel') {
    scope = 'channel';
    rest = parts.slice(CHANNEL_FIELDS.has(parts[1] ?? '') ? 2 : 1);
  }
  const out: TagSegments = { tag, scope, path: rest.join('/'), segments: [] };
  if (scope === 'location' && (rest[0] === 'zone' || rest[0] === 'adjacent')) {
    const canonical = canonicalZone(rest[0], rest[1]);
    if (canonical) {
      out.canonical = canonical;
      rest = rest.slice(2);
    }
  }
  let key: string | undefined;
  rest.forEach((text, i) => {
    if (KEYS.has(text) && i < rest.length - 1) {
      key = text;
      return;
    }
    const segment: Segment = { text, tokens: segmentTokens(text, key !== undefined && ROOM_KEY_SET.has(key)) };
    if (key !== undefined) segment.key = key;
    out.segments.push(segment);
    key = undefined;
  });
  return out;
}
