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
import { ONVIF_SCOPE_PREFIX } from '../discovery/constants.js';
import type { Action } from '../model/camera-records.js';
import type { PolicyPack } from '../profiles/pack-schema.js';
import { builtinPack } from './builtin-pack.js';
import { readTag, type TagReading } from './tag-mentions.js';
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
  /** Vendor quirk `placeholderLocations`: paths after `location/`, lower-case, without edge slashes (as loaded). */
  placeholders?: readonly string[];
  pack?: PolicyPack;
  /** Reads a tag; the evaluator passes one that reads each location tag once per evaluation (evaluate.ts). */
  read?: (tag: string) => TagReading;
}

/** ONVIF_SCOPE_PREFIX in any letter case (as inventory/ reads scopes). */
const SCOPE_PREFIX_ANY_CASE = /^onvif:\/\/www\.onvif\.org\//i;
const TAG_KIND = /^(?:location|name)(?:\/|$)/i;

/** Location (and name) tags of raw scopes; other scopes carry no location. */
export function tagsFromScopes(scopes: readonly string[]): string[] {
  const tags: string[] = [];
  for (const scope of scopes) {
    const s = scope.trim();
    if (s.length <= ONVIF_SCOPE_PREFIX.length || !SCOPE_PREFIX_ANY_CASE.test(s)) continue;
    const tag = s.slice(ONVIF_SCOPE_PREFIX.length);
    if (TAG_KIND.test(tag) && !/[\n\r]/.test(tag)) tags.push(tag);
  }
  return tags;
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

/** The action of a hit's zone, and whether a qualifier downgraded it. */
function actionOf(pack: PolicyPack, hit: ZoneHit): { action: Action; modified: boolean } {
  const action = rawAction(pack, hit.zone);
  if (action === 'block' && hit.qualified && pack.modifiers.enabled) {
    return { action: pack.modifiers.downgradeTo, modified: pack.modifiers.downgradeTo !== 'block' };
  }
  return { action, modified: false };
}

/**
 * Per zone other than the decided one, the most severe action any of its hits gets, when that is not allow; most
 * severe first. A camera has a handful of hits: a list searched in place, not a map per camera.
 */
function otherFindings(pack: PolicyPack, hits: readonly ZoneHit[], decided: string): ZoneFinding[] {
  const out: ZoneFinding[] = [];
  for (const hit of hits) {
    if (hit.zone === 'unknown' || hit.zone === decided) continue;
    const { action, modified } = actionOf(pack, hit);
    if (action === 'allow') continue;
    const prev = out.find((f) => f.zone === hit.zone);
    if (!prev) out.push({ zone: hit.zone, action, modified });
    else if (RANK[action] > RANK[prev.action]) {
      prev.action = action;
      prev.modified = modified;
    }
  }
  return out.length > 1 ? out.sort((a, b) => RANK[b.action] - RANK[a.action]) : out;
}

function decide(pack: PolicyPack, hits: readonly ZoneHit[]): { winner?: ZoneHit; zone: string } {
  // One pass: the most specific hit of each kind; a modified prohibited room comes first within its severity, as
  // the camera's field of view is what needs review.
  let block: ZoneHit | undefined;
  let flagModified: ZoneHit | undefined;
  let flag: ZoneHit | undefined;
  let allowed: ZoneHit | undefined;
  let unknownRoom: ZoneHit | undefined;
  let place: ZoneHit | undefined;
  // Within one severity, a location tag names the place better than a device name does, whatever their order.
  const better = (h: ZoneHit, best: ZoneHit | undefined) =>
    !best || (best.severityOnly && !h.severityOnly) || (best.severityOnly === h.severityOnly && moreSpecific(h, best));
  for (const h of hits) {
    const usable = !h.severityOnly && !h.qualifier;
    if (h.zone === 'unknown') {
      if (usable && better(h, unknownRoom)) unknownRoom = h;
      continue;
    }
    const { action, modified } = actionOf(pack, h);
    if (action === 'block' && better(h, block)) block = h;
    else if (action === 'flag' && modified && better(h, flagModified)) flagModified = h;
    else if (action === 'flag' && !modified && better(h, flag)) flag = h;
    else if (action === 'allow' && usable) {
      if (better(h, allowed)) allowed = h;
      if (PLACES.has(h.zone) && better(h, place)) place = h;
    }
  }
  const severe = block ?? flagModified ?? flag;
  if (severe) return { winner: severe, zone: severe.zone };
  if (unknownRoom && !(allowed && moreSpecific(allowed, unknownRoom))) return { winner: unknownRoom, zone: 'unknown' };
  if (!allowed) return { zone: 'unknown' };
  // A generic public room in an Art 7 place keeps the place's zone.
  if (allowed.zone === 'public-other' && allowed.level !== 'canonical' && place)
    return { winner: place, zone: place.zone };
  return { winner: allowed, zone: allowed.zone };
}

/** The same location given as a tag and as its raw scope counts once. */
function addReading(readings: TagReading[], reading: TagReading): void {
  for (const other of readings) if (other.path === reading.path && other.scope === reading.scope) return;
  readings.push(reading);
}

/** Full classification of tags and scopes. */
export function classifyZone(tags: readonly string[], opts: ClassifyOptions = {}): ZoneClassification {
  const pack = opts.pack ?? builtinPack();
  const read = opts.read ?? readTag;
  const readings: TagReading[] = [];
  for (const tag of tags) addReading(readings, read(tag));
  for (const tag of tagsFromScopes(opts.scopes ?? [])) addReading(readings, read(tag));
  const hits = zoneHits(readings, opts.placeholders).filter(
    (h) => !h.severityOnly || (h.zone !== 'unknown' && rawAction(pack, h.zone) !== 'allow'),
  );
  const { winner, zone } = decide(pack, hits);
  const { action, modified } =
    winner && zone !== 'unknown' ? actionOf(pack, winner) : { action: rawAction(pack, 'unknown'), modified: false };
  const classification: ZoneClassification = {
    zone,
    action,
    modified,
    others: otherFindings(pack, hits, zone),
    hits,
  };
  if (winner) classification.decidedBy = winner;
  return classification;
}
