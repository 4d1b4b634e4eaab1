/**
 * What a camera's tags say together, before any pack applies: every mention of every tag (tag-mentions.ts), with
 * ambiguous rooms resolved by the kinds of site the camera's location tags name (a `room` in a hotel is a hotel
 * room; without such a site it stays an unknown room), and device names and vendor placeholder values marked as
 * only ever adding severity.
 */
import type { Placed, TagReading } from './tag-mentions.js';
import type { ContextKey, Level } from './vocabulary/term-family.js';
import type { ZoneId } from './vocabulary/zone-ids.js';

export type HitLevel = 'canonical' | Level;

/** A mention of one of the camera's tags, resolved (the segment of a canonical tag is its zone). */
export interface ZoneHit extends Placed {
  /** `unknown` for a room the vocabulary does not know (XX室) or an ambiguous one no context resolves. */
  zone: ZoneId;
  level: HitLevel;
  tag: string;
  tagIndex: number;
  /** From a device name or a vendor placeholder: counts only where it adds severity. */
  severityOnly: boolean;
  /** The site kind that resolved an ambiguous room. */
  context?: ContextKey;
}

export function zoneHits(tags: readonly TagReading[], placeholders: readonly string[] = []): ZoneHit[] {
  // Device names do not say what kind of site a camera is in (a name "Hotel-Cam" turns no room into a hotel room).
  const contexts: ContextKey[] = [];
  for (const t of tags) if (t.scope !== 'name') contexts.push(...t.contexts);
  const hits: ZoneHit[] = [];
  tags.forEach((tag, tagIndex) => {
    const severityOnly = tag.scope === 'name' || placeholders.includes(tag.path);
    if (tag.canonical) {
      hits.push({
        zone: tag.canonical,
        level: 'canonical',
        tag: tag.tag,
        tagIndex,
        segment: tag.canonical,
        segmentIndex: -1,
        position: 0,
        words: tag.canonical,
        qualified: false,
        qualifier: false,
        severityOnly,
      });
    }
    for (const m of tag.mentions) {
      let zone: ZoneId = m.zone ?? 'unknown';
      let context: ContextKey | undefined;
      if (m.inContext && contexts.length > 0) {
        for (const [key, resolved] of Object.entries(m.inContext) as Array<[ContextKey, ZoneId]>) {
          if (contexts.includes(key)) {
            zone = resolved;
            context = key;
            break;
          }
        }
      }
      const hit: ZoneHit = {
        zone,
        level: m.level,
        tag: tag.tag,
        tagIndex,
        segment: m.segment,
        segmentIndex: m.segmentIndex,
        position: m.position,
        words: m.words,
        qualified: m.qualified,
        qualifier: m.qualifier,
        severityOnly,
      };
      if (m.spelling !== undefined) hit.spelling = m.spelling;
      if (context !== undefined) hit.context = context;
      hits.push(hit);
    }
  });
  return hits;
}
