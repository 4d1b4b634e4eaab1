import type { RecordingSourceInfo } from '../model/camera-records.js';
import { safeDecode } from './identity.js';

const LOCATION_SCOPE = /^onvif:\/\/www\.onvif\.org\/(location(?:\/.*)?)$/i;

/**
 * Location tags from scopes: the percent-decoded path of each location scope, e.g. `location/zone/toilet` or
 * `location/building/A/floor/2/更衣室`. An empty `location/` (factory placeholder) gives no tag.
 */
export function locationTagsFromScopes(scopes: readonly string[]): string[] {
  const tags: string[] = [];
  for (const scope of scopes) {
    const m = LOCATION_SCOPE.exec(scope.trim());
    if (!m?.[1]) continue;
    const segments = m[1]
      .split('/')
      .map(safeDecode)
      .filter((s, i) => i === 0 || s.length > 0);
    if (segments.length < 2) continue;
    const tag = segments.join('/');
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/**
 * NVR channel tags from the recording source: `channel/location/<v>`, `channel/name/<v>`, `channel/description/<v>`.
 * The location comes first: between rooms of one severity the first tag names the zone, and the field meant for the
 * place names it better than a channel's name ("Dormitory" at location "staff dormitory" is a staff dormitory).
 */
export function channelTags(source: RecordingSourceInfo | undefined): string[] {
  if (!source) return [];
  const tags: string[] = [];
  if (source.location) tags.push(`channel/location/${source.location}`);
  if (source.name) tags.push(`channel/name/${source.name}`);
  if (source.description) tags.push(`channel/description/${source.description}`);
  return tags;
}
