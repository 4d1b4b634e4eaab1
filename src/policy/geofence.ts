/** Geofence proximity (Art 10 "周边"): haversine distance to a circle or to a polygon's edges. */
import type { GeoPoint } from '../model/camera-records.js';
import type { Geofence } from '../profiles/types.js';

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

function haversineMeters(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function insidePolygon(p: GeoPoint, poly: readonly GeoPoint[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i] as GeoPoint;
    const b = poly[j] as GeoPoint;
    if (a.lat > p.lat !== b.lat > p.lat && p.lon < ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon) {
      inside = !inside;
    }
  }
  return inside;
}

/** Distance from p to segment ab: project on a local equirectangular plane, then haversine to the foot. */
function segmentDistance(p: GeoPoint, a: GeoPoint, b: GeoPoint): number {
  const k = Math.cos(rad(p.lat));
  const ax = (a.lon - p.lon) * k;
  const ay = a.lat - p.lat;
  const bx = (b.lon - p.lon) * k;
  const by = b.lat - p.lat;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  const foot = { lat: a.lat + t * (b.lat - a.lat), lon: a.lon + t * (b.lon - a.lon) };
  return haversineMeters(p, foot);
}

/** Metres from p to the fence (0 inside); Infinity for a fence without usable geometry. */
export function distanceToFence(p: GeoPoint, fence: Geofence): number {
  if (fence.polygon && fence.polygon.length >= 3) {
    if (insidePolygon(p, fence.polygon)) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < fence.polygon.length; i++) {
      const a = fence.polygon[i] as GeoPoint;
      const b = fence.polygon[(i + 1) % fence.polygon.length] as GeoPoint;
      min = Math.min(min, segmentDistance(p, a, b));
    }
    return min;
  }
  if (fence.center) return Math.max(0, haversineMeters(p, fence.center) - (fence.radiusMeters ?? 0));
  return Number.POSITIVE_INFINITY;
}

export function isValidGeo(p: GeoPoint | undefined): p is GeoPoint {
  return (
    p !== undefined &&
    Number.isFinite(p.lat) &&
    Number.isFinite(p.lon) &&
    Math.abs(p.lat) <= 90 &&
    Math.abs(p.lon) <= 180
  );
}

/** Whether p lies within the fence's (non-negative) buffer. */
export function isNearFence(p: GeoPoint, f: Geofence): boolean {
  return distanceToFence(p, f) <= Math.max(0, f.bufferMeters);
}

/** Fences whose buffer contains p. */
export function fencesNear(p: GeoPoint, fences: readonly Geofence[]): Geofence[] {
  if (!isValidGeo(p)) return [];
  return fences.filter((f) => isNearFence(p, f));
}
