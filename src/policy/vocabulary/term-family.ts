/**
 * The shape of the matcher's vocabulary. A family is a list of spellings that mean the same thing, with what they
 * mean: a zone, how specific it is (a site or a room within one) and the part the words play in a location name.
 * docs/classification.md explains how the matcher reads them.
 */
import type { ZoneId } from './zone-ids.js';

/** `site`: a place (mall, airport, road, hotel); `room`: an area within one (toilet, lobby, office). */
export type Level = 'site' | 'room';

/**
 * - `place` names its zone (or, without a zone, only sets a context: "hotel").
 * - `locative` names where around something the camera is (entrance, corridor, 门口, 外): after a room term, and in
 *   English also before one with "to"/"of" ("entrance to the toilets"), it qualifies that room as outside it.
 * - `preposition` (English) qualifies the room term right before or after it ("outside the changing rooms").
 * - `object` names goods or fittings, not a room: a room term right before it only describes it ("ladies wear",
 *   "浴室用品"), so that room term claims nothing.
 * - `ambiguous` names a room that may or may not be prohibited ("VIP room", "locker", "公寓"): unknown unless a
 *   context of the camera's other tags resolves it (`inContext`).
 * - `generic-room` is a bare room word ("room", "房间"): part of another room term in its segment, else ambiguous.
 */
export type Role = 'place' | 'locative' | 'preposition' | 'object' | 'ambiguous' | 'generic-room';

/** What kind of site a camera's tags name, for resolving ambiguous rooms. */
export type ContextKey = 'lodging' | 'dining' | 'campus' | 'workplace' | 'sports';

export interface TermFamily {
  zone?: ZoneId;
  level: Level;
  role?: Role;
  /** The terms tell what kind of site this is (a hotel: `lodging`). */
  contexts?: readonly ContextKey[];
  /** Zone of an ambiguous or generic room term within such a site. */
  inContext?: Partial<Record<ContextKey, ZoneId>>;
  /** Single-character CJK terms that count only as a whole CJK run (家 is a home, 家具 is furniture). */
  whole?: boolean;
  /** English (singular; plurals are matched), Chinese (simplified or traditional) and pinyin spellings. */
  terms: readonly string[];
}
