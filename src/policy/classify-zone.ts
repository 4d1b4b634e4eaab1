/**
 * A camera's zone from its location tags and scopes, under one pack. Fail closed, by specificity:
 * 1. a prohibited room (pack action block) anywhere in any tag wins: block, or the pack's downgrade when every
 *    such mention is qualified as outside the room (toilet entrance, 更衣室外走廊);
 * 2. else a zone the pack flags (Art 10 surroundings, privacy-sensitive rooms) wins;
 * 3. else the most specific term decides: canonical tags, then room-level terms, then sites, the deeper path level
 *    first. A room the vocabulary does not know (or cannot resolve) is `unknown` and never loses to a broader allow
 *    term: an unknown room beats a site, and any allow term not strictly more specific. A generic public room in an
 *    Art 7 place keeps that place's zone (an airport's VIP lounge is the airport's).
 */
import type { Action } from '../inventory/types.js';
import { builtinPack } from './builtin-pack.js';
import type { PolicyPack } from './pack-schema.js';
import { tagSegments } from './tag-segments.js';
import { type HitLevel, type ZoneHit, zoneHits } from './zone-hits.js';
import { RANK, rawAction } from './zone-rule.js';

export interface ZoneFinding {
  zone: string;
  action: Action;
  /** Every mention of this prohibited zone was qualified as outside it. */
  modified: boolean;
}

export interface ZoneClassification {
  /** Winning zone id; `unknown` when no tag is usable or the most specific room is not known. */
  zone: string;
  /** Action the pack gives the zone, after a modifier downgrade. */
  action: Action;
  /** A modifier (entrance, 门口, …) qualified the winning prohibited zone. */
  modified: boolean;
  /** The term that decided, when one did. */
  decidedBy?: ZoneHit;
  /** Every other zone the tags name that the pack does not allow, most severe first. */
  others: ZoneFinding[];
  /** Every term that counted, in tag order. */
  hits: ZoneHit[];
}

export interface ClassifyOptions {
  /** Raw scopes: location/ and name/ scopes are decoded defensively and matched too. */
  scopes?: readonly string[];
  /** Vendor quirk `placeholderLocations`: paths after `location/`, lower-case. */
  placeholders?: readonly string[];
  pack?: PolicyPack;
}

const SCOPE_TAG = /^onvif:\/\/www\.onvif\.org\/((?:location|name)(?:\/.*)?)$/i;

/** Location (and name) tags of raw scopes; other scopes carry no location. */
export function tagsFromScopes(scopes: readonly string[]): string[] {
  return scopes.flatMap((s) => {
    const tag = SCOPE_TAG.exec(s.trim())?.[1];
    return tag === undefined ? [] : [tag];
  });
}

const LEVEL_RANK: Record<HitLevel, number> = { site: 0, room: 1, canonical: 2 };
/** Zones of Art 7 places: a generic public room inside one belongs to it. */
const PLACES = new Set(['public-infrastructure', 'crowded-place', 'transport-hub', 'public-vehicle', 'service-area']);

/** Whether hit a is more specific than b: a higher level, or a deeper (later) position in the same tag. */
function moreSpecific(a: ZoneHit, b: ZoneHit): boolean {
  if (LEVEL_RANK[a.level] !== LEVEL_RANK[b.level]) return LEVEL_RANK[a.level] > LEVEL_RANK[b.level];
  if (a.tagIndex !== b.tagIndex) return false;
  return a.segmentIndex !== b.segmentIndex ? a.segmentIndex > b.segmentIndex : a.position > b.position;
}

function mostSpecific(hits: readonly ZoneHit[]): ZoneHit | undefined {
  let best: ZoneHit | undefined;
  for (const h of hits) if (!best || moreSpecific(h, best)) best = h;
  return best;
}

/** The action of a hit's zone, and whether a qualifier downgraded it. */
function actionOf(pack: PolicyPack, hit: ZoneHit): { action: Action; modified: boolean } {
  const action = rawAction(pack, hit.zone);
  if (action === 'block' && hit.qualified && pack.modifiers.enabled) {
    return { action: pack.modifiers.downgradeTo, modified: pack.modifiers.downgradeTo !== 'block' };
  }
  return { action, modified: false };
}

/** Per zone the most severe action any of its hits gets. */
function findings(pack: PolicyPack, hits: readonly ZoneHit[]): ZoneFinding[] {
  const byZone = new Map<string, ZoneFinding>();
  for (const hit of hits) {
    if (hit.zone === 'unknown') continue;
    const { action, modified } = actionOf(pack, hit);
    const prev = byZone.get(hit.zone);
    if (!prev || RANK[action] > RANK[prev.action]) byZone.set(hit.zone, { zone: hit.zone, action, modified });
  }
  return [...byZone.values()].sort((a, b) => RANK[b.action] - RANK[a.action]);
}

function decide(pack: PolicyPack, hits: readonly ZoneHit[]): { winner?: ZoneHit; zone: string } {
  const severe = (a: Action) => hits.filter((h) => h.zone !== 'unknown' && actionOf(pack, h).action === a);
  for (const action of ['block', 'flag'] as const) {
    const found = severe(action);
    // Within a severity, a modified prohibited room first: the camera's field of view is what needs review.
    const winner = mostSpecific(found.filter((h) => actionOf(pack, h).modified)) ?? mostSpecific(found);
    if (winner) return { winner, zone: winner.zone };
  }
  const usable = hits.filter((h) => !h.severityOnly && !h.qualifier);
  const allowed = mostSpecific(usable.filter((h) => h.zone !== 'unknown'));
  const unknownRoom = mostSpecific(usable.filter((h) => h.zone === 'unknown'));
  if (unknownRoom && !(allowed && moreSpecific(allowed, unknownRoom))) return { winner: unknownRoom, zone: 'unknown' };
  if (!allowed) return { zone: 'unknown' };
  if (allowed.zone === 'public-other' && allowed.level !== 'canonical') {
    const place = mostSpecific(usable.filter((h) => PLACES.has(h.zone)));
    if (place) return { winner: place, zone: place.zone };
  }
  return { winner: allowed, zone: allowed.zone };
}

/** Full classification of tags and scopes. */
export function classifyZone(tags: readonly string[], opts: ClassifyOptions = {}): ZoneClassification {
  const pack = opts.pack ?? builtinPack;
  const placeholders = (opts.placeholders ?? []).map((p) => p.toLowerCase().replace(/^\/+|\/+$/g, ''));
  const segments = [...tags, ...tagsFromScopes(opts.scopes ?? [])].map(tagSegments);
  // The same location given as a tag and as its raw scope counts once.
  const unique = segments.filter((s, i) => segments.findIndex((o) => o.path === s.path && o.scope === s.scope) === i);
  const hits = zoneHits(unique, placeholders).filter(
    (h) => !h.severityOnly || (h.zone !== 'unknown' && rawAction(pack, h.zone) !== 'allow'),
  );
  const { winner, zone } = decide(pack, hits);
  const { action, modified } =
    winner && zone !== 'unknown' ? actionOf(pack, winner) : { action: rawAction(pack, 'unknown'), modified: false };
  return {
    zone,
    action,
    modified,
    ...(winner ? { decidedBy: winner } : {}),
    others: findings(pack, hits).filter((f) => f.zone !== zone && f.action !== 'allow'),
    hits,
  };
}
