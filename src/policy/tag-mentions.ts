/**
 * What one location tag says on its own: every zone a term names, unknown rooms, and how the words around each term
 * qualify it. Rules (docs/classification.md):
 * - a locative right after a room term, or an English preposition next to it, puts the camera at or outside that
 *   room (`qualified`): 卫生间门口, toilet entrance, 更衣室外走廊, outside the changing rooms;
 * - a room term right before an object in its segment only describes the object and claims nothing: ladies wear,
 *   浴室用品;
 * - ambiguous and bare room words are left open (`inContext`): the camera's other tags may name the kind of site
 *   that resolves them (zone-hits.ts).
 */
import type { Term } from './lexicon.js';
import { type TagSegments, tagSegments } from './tag-segments.js';
import type { Token } from './token.js';
import type { ContextKey, Level, TermFamily } from './vocabulary/term-family.js';
import { PUBLIC_ZONE_IDS, type ZoneId } from './vocabulary/zone-ids.js';

/** Where in a tag some words stand, and how the words around them qualify them. */
export interface Placed {
  /** The path level the words are in, its index, and the words' position in it. */
  segment: string;
  segmentIndex: number;
  position: number;
  /** The words as the tag has them. */
  words: string;
  /** The vocabulary spelling that matched, when one did. */
  spelling?: string;
  /** The camera is at or outside this room (a locative or preposition qualifies it). */
  qualified: boolean;
  /** A locative describing the surroundings of the term before it: it never decides over that term. */
  qualifier: boolean;
}

export interface Mention extends Placed {
  /** The zone the words name; undefined for an ambiguous or unknown room (see inContext). */
  zone: ZoneId | undefined;
  /** Zones of an ambiguous room by the kind of site; empty for a room the vocabulary does not know. */
  inContext?: TermFamily['inContext'];
  level: Level;
}

/** What a tag says, kept small: an evaluation keeps one per distinct tag. */
export interface TagReading {
  tag: string;
  scope: TagSegments['scope'];
  path: string;
  canonical?: TagSegments['canonical'];
  /** Kinds of site the tag's terms name (a hotel, a school …). */
  contexts: ContextKey[];
  mentions: Mention[];
}

interface Item {
  token: Token;
  segmentIndex: number;
  position: number;
}

const PUBLIC = new Set<string>(PUBLIC_ZONE_IDS);
const ARTICLES = new Set(['the', 'a', 'an']);
const LINKS = new Set(['to', 'of', 'for']);

const termOf = (t: Token | undefined): Term | undefined => (t?.kind === 'term' ? t.term : undefined);
const roleOf = (t: Token | undefined) => termOf(t)?.family.role ?? 'place';
const skipped = (t: Token) => t.kind === 'noise' || t.kind === 'stop' || roleOf(t) === 'generic-room';

/** Whether a token names a room or zone that a locative after it can qualify. */
function namesSomething(t: Token): boolean {
  if (t.kind === 'unknown') return t.roomLike;
  const family = termOf(t)?.family;
  if (!family) return false;
  if (family.role === 'ambiguous' || family.role === 'generic-room') return true;
  return family.zone !== undefined && family.role !== 'object' && family.role !== 'preposition';
}

/** Whether the segment has a room word besides this bare `room`, which is then part of that room's name. */
function partOfAnotherRoom(items: readonly Item[], i: number): boolean {
  const me = items[i] as Item;
  return items.some((other, k) => {
    if (k === i || other.segmentIndex !== me.segmentIndex) return false;
    if (other.token.kind === 'unknown') return other.token.roomLike;
    const family = termOf(other.token)?.family;
    const role = family?.role ?? 'place';
    return family?.level === 'room' && (role === 'ambiguous' || (role === 'place' && family.zone !== undefined));
  });
}

/** The next token that is not filler, in this segment or the ones after it. */
function next(items: readonly Item[], i: number): Item | undefined {
  for (let k = i + 1; k < items.length; k++) if (!skipped((items[k] as Item).token)) return items[k];
  return undefined;
}

/** The token before that is not filler, in this segment or the ones before it (a bare room word counts here). */
function previous(items: readonly Item[], i: number): Item | undefined {
  for (let k = i - 1; k >= 0; k--) {
    const { token } = items[k] as Item;
    if (token.kind !== 'noise' && token.kind !== 'stop') return items[k];
  }
  return undefined;
}

/** Whether an English preposition, or a locative linked by to/of, stands right before item i in its segment. */
function qualifiedBefore(items: readonly Item[], i: number): boolean {
  const segment = (items[i] as Item).segmentIndex;
  let linked = false;
  for (let k = i - 1; k >= 0; k--) {
    const { token, segmentIndex } = items[k] as Item;
    if (segmentIndex !== segment) return false;
    if (token.kind === 'noise' || (token.kind === 'stop' && ARTICLES.has(token.text))) continue;
    if (token.kind === 'stop' && LINKS.has(token.text) && !linked) {
      linked = true;
      continue;
    }
    const role = roleOf(token);
    return token.kind === 'term' && (role === 'preposition' || (linked && role === 'locative'));
  }
  return false;
}

/** What a token names: a zone, an open (ambiguous or unknown) room, or nothing (filler, context words, locatives). */
function named(
  token: Token,
  standaloneRoom: boolean,
): { zone: ZoneId | undefined; inContext?: TermFamily['inContext']; level: Level } | undefined {
  if (token.kind === 'unknown') return token.roomLike ? { zone: undefined, inContext: {}, level: 'room' } : undefined;
  const family = termOf(token)?.family;
  if (!family) return undefined;
  if (family.role === 'ambiguous' || (family.role === 'generic-room' && standaloneRoom)) {
    return { zone: undefined, inContext: family.inContext ?? {}, level: 'room' };
  }
  if (family.role === 'generic-room' || family.zone === undefined) return undefined;
  return { zone: family.zone, level: family.level };
}

/** Shared by every tag that names nothing (most device names and placeholders); never written to. */
const NOTHING: Mention[] = [];
const NO_CONTEXTS: ContextKey[] = [];

function mentionsOf(tag: TagSegments): Mention[] {
  if (!tag.segments.some((s) => s.tokens.some((t) => t.kind === 'term' || (t.kind === 'unknown' && t.roomLike)))) {
    return NOTHING;
  }
  const items: Item[] = [];
  tag.segments.forEach((segment, segmentIndex) => {
    segment.tokens.forEach((token, position) => {
      items.push({ token, segmentIndex, position });
    });
  });
  const out: Mention[] = [];
  items.forEach((item, i) => {
    const { token } = item;
    const what = named(token, roleOf(token) === 'generic-room' && !partOfAnotherRoom(items, i));
    if (!what) return;
    const after = next(items, i);
    const afterFamily = termOf(after?.token)?.family;
    const sameSegment = after?.segmentIndex === item.segmentIndex;
    // "ladies wear", "浴室用品": the room word only describes the goods after it.
    if (afterFamily?.role === 'object' && sameSegment) return;
    const publicRoomAfter =
      sameSegment &&
      afterFamily?.level === 'room' &&
      afterFamily.zone !== undefined &&
      afterFamily.zone !== what.zone &&
      PUBLIC.has(afterFamily.zone);
    const before = previous(items, i);
    const mention: Mention = {
      zone: what.zone,
      level: what.level,
      segment: tag.segments[item.segmentIndex]?.text ?? '',
      segmentIndex: item.segmentIndex,
      position: item.position,
      words: token.text,
      qualified:
        afterFamily?.role === 'locative' ||
        afterFamily?.role === 'preposition' ||
        publicRoomAfter ||
        qualifiedBefore(items, i),
      qualifier: roleOf(token) === 'locative' && before !== undefined && namesSomething(before.token),
    };
    // Assigned rather than spread in: spreading optional fields was most of the evaluation's time (bench/policy.mjs).
    if (what.inContext !== undefined) mention.inContext = what.inContext;
    const spelling = termOf(token)?.text;
    if (spelling !== undefined) mention.spelling = spelling;
    out.push(mention);
  });
  return out;
}

/** Reads one tag: its segments, the kinds of site it names and what each of its terms says. */
export function readTag(tag: string): TagReading {
  const segments = tagSegments(tag);
  let contexts = NO_CONTEXTS;
  for (const segment of segments.segments) {
    for (const t of segment.tokens) {
      for (const c of termOf(t)?.family.contexts ?? []) {
        if (contexts === NO_CONTEXTS) contexts = [];
        if (!contexts.includes(c)) contexts.push(c);
      }
    }
  }
  const reading: TagReading = {
    tag: segments.tag,
    scope: segments.scope,
    path: segments.path,
    contexts,
    mentions: mentionsOf(segments),
  };
  if (segments.canonical) reading.canonical = segments.canonical;
  return reading;
}
