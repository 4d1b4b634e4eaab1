/**
 * What a camera's tags say, before any pack applies: every zone a term names, unknown rooms, and how the words
 * around each term qualify it. Rules (docs/classification.md):
 * - a locative right after a room term, or an English preposition next to it, puts the camera at or outside that
 *   room (`qualified`): 卫生间门口, toilet entrance, 更衣室外走廊, outside the changing rooms;
 * - a room term right before an object only describes the object and claims nothing: ladies wear, 浴室用品;
 * - ambiguous and bare room words take their zone from the kind of site the camera's tags name (a `room` in a
 *   hotel is a hotel room), else they are unknown rooms;
 * - device names and vendor placeholder values only ever add severity (`severityOnly`).
 */
import type { Term } from './lexicon.js';
import type { TagSegments } from './tag-segments.js';
import type { Token } from './token.js';
import type { ContextKey, Level } from './vocabulary/term-family.js';
import { PUBLIC_ZONE_IDS, type ZoneId } from './vocabulary/zone-ids.js';

export type HitLevel = 'canonical' | Level;

export interface ZoneHit {
  /** `unknown` for a room the vocabulary does not know (XX室) or an ambiguous one no context resolves. */
  zone: ZoneId;
  level: HitLevel;
  tag: string;
  tagIndex: number;
  /** The path level the term is in (the canonical tag's own zone for canonical hits). */
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
  /** From a device name or a vendor placeholder: counts only where it adds severity. */
  severityOnly: boolean;
  /** The site kind that resolved an ambiguous room. */
  context?: ContextKey;
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

/** The site kinds every tag of the camera names (a hotel, a school …). */
function contextsOf(tags: readonly TagSegments[]): Set<ContextKey> {
  const out = new Set<ContextKey>();
  for (const tag of tags) {
    for (const segment of tag.segments) {
      for (const t of segment.tokens) for (const c of termOf(t)?.family.contexts ?? []) out.add(c);
    }
  }
  return out;
}

function itemsOf(tag: TagSegments): Item[] {
  return tag.segments.flatMap((segment, segmentIndex) =>
    segment.tokens.map((token, position) => ({ token, segmentIndex, position })),
  );
}

/** Whether the segment has a room word besides this bare `room`, which is then part of that room's name. */
function partOfAnotherRoom(items: readonly Item[], i: number): boolean {
  const me = items[i] as Item;
  return items.some((other, k) => {
    if (k === i || other.segmentIndex !== me.segmentIndex) return false;
    if (other.token.kind === 'unknown') return other.token.roomLike;
    const family = termOf(other.token)?.family;
    return (
      family !== undefined && family.level === 'room' && family.role !== 'generic-room' && namesSomething(other.token)
    );
  });
}

/** The next token that is not filler, in this segment or the ones after it. */
function next(items: readonly Item[], i: number): Item | undefined {
  for (let k = i + 1; k < items.length; k++) if (!skipped((items[k] as Item).token)) return items[k];
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

/** The zone a token names, or undefined when it names none (filler, context words, pure locatives). */
function zoneOf(
  token: Token,
  contexts: ReadonlySet<ContextKey>,
  standaloneRoom: boolean,
): { zone: ZoneId; level: Level; context?: ContextKey } | undefined {
  if (token.kind === 'unknown') return token.roomLike ? { zone: 'unknown', level: 'room' } : undefined;
  const family = termOf(token)?.family;
  if (!family) return undefined;
  if (family.role === 'ambiguous' || (family.role === 'generic-room' && standaloneRoom)) {
    for (const [context, zone] of Object.entries(family.inContext ?? {}) as Array<[ContextKey, ZoneId]>) {
      if (contexts.has(context)) return { zone, level: 'room', context };
    }
    return { zone: 'unknown', level: 'room' };
  }
  if (family.role === 'generic-room' || family.zone === undefined) return undefined;
  return { zone: family.zone, level: family.level };
}

export function zoneHits(tags: readonly TagSegments[], placeholders: readonly string[] = []): ZoneHit[] {
  const contexts = contextsOf(tags);
  const hits: ZoneHit[] = [];
  tags.forEach((tag, tagIndex) => {
    const severityOnly = tag.scope === 'name' || placeholders.includes(tag.path);
    const base = { tag: tag.tag, tagIndex, severityOnly };
    if (tag.canonical) {
      hits.push({
        ...base,
        zone: tag.canonical,
        level: 'canonical',
        segment: tag.canonical,
        segmentIndex: -1,
        position: 0,
        words: tag.canonical,
        qualified: false,
        qualifier: false,
      });
    }
    const items = itemsOf(tag);
    items.forEach((item, i) => {
      const { token } = item;
      const named = zoneOf(token, contexts, roleOf(token) === 'generic-room' && !partOfAnotherRoom(items, i));
      if (!named) return;
      const after = next(items, i);
      const afterFamily = termOf(after?.token)?.family;
      // "ladies wear", "浴室用品": the room word only describes the goods after it.
      if (afterFamily?.role === 'object' && after?.segmentIndex === item.segmentIndex) return;
      const publicRoomAfter =
        after?.segmentIndex === item.segmentIndex &&
        afterFamily?.level === 'room' &&
        afterFamily.zone !== undefined &&
        afterFamily.zone !== named.zone &&
        PUBLIC.has(afterFamily.zone);
      const qualified =
        afterFamily?.role === 'locative' ||
        afterFamily?.role === 'preposition' ||
        publicRoomAfter ||
        qualifiedBefore(items, i);
      let before: Item | undefined;
      for (let k = i - 1; k >= 0 && !before; k--) if (!skipped((items[k] as Item).token)) before = items[k];
      const spelling = termOf(token)?.text;
      hits.push({
        ...base,
        zone: named.zone,
        level: named.level,
        segment: tag.segments[item.segmentIndex]?.text ?? '',
        segmentIndex: item.segmentIndex,
        position: item.position,
        words: token.text,
        ...(spelling === undefined ? {} : { spelling }),
        qualified,
        qualifier: roleOf(token) === 'locative' && before !== undefined && namesSomething(before.token),
        ...(named.context === undefined ? {} : { context: named.context }),
      });
    });
  });
  return hits;
}
