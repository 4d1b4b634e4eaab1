import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GeoPoint } from '../../src/model/camera-records.js';
import { distanceToFence, fencesNear, isNearFence } from '../../src/policy/geofence.js';
import type { Geofence } from '../../src/profiles/types.js';

// Uniform decimals (fc.double favours tiny magnitudes, which would rarely reach the band's edge).
const decimal = (min: number, max: number, step: number) =>
  fc.integer({ min: Math.round(min / step), max: Math.round(max / step) }).map((n) => n * step);
const lat = decimal(-89.9, 89.9, 1e-6);
const lon = decimal(-179.9, 179.9, 1e-6);
const offset = fc.oneof(decimal(-0.02, 0.02, 1e-7), fc.constantFrom(0, 1e-9, -1e-9));

const fenceArb: fc.Arbitrary<Geofence> = fc.oneof(
  fc.record({
    id: fc.constant('c'),
    kind: fc.constant<Geofence['kind']>('military-restricted'),
    bufferMeters: fc.oneof(decimal(-10, 3000, 0.5), fc.constant(Number.NaN)),
    center: fc.record({ lat, lon }),
    radiusMeters: decimal(-100, 2000, 0.5),
  }),
  fc
    .record({
      id: fc.constant('p'),
      kind: fc.constant<Geofence['kind']>('state-organ'),
      bufferMeters: decimal(0, 3000, 0.5),
      origin: fc.record({ lat, lon }),
      corners: fc.array(fc.tuple(offset, offset), { minLength: 1, maxLength: 6 }),
    })
    .map(({ origin, corners, ...f }) => ({
      ...f,
      polygon: corners.map(([a, b]) => ({ lat: origin.lat + a, lon: origin.lon + b })),
    })),
);

describe('isNearFence', () => {
  it('is exactly the buffer test of distanceToFence, also at the edge of its latitude band (fast-check)', () => {
    fc.assert(
      fc.property(fenceArb, offset, offset, (f, dLat, dLon) => {
        const anchor = f.center ?? f.polygon?.[0] ?? { lat: 0, lon: 0 };
        const p: GeoPoint = { lat: anchor.lat + dLat, lon: anchor.lon + dLon };
        expect(isNearFence(p, f)).toBe(distanceToFence(p, f) <= Math.max(0, f.bufferMeters));
      }),
      { numRuns: 5000 },
    );
  });

  it('finds a point just inside the buffer north of a circle and skips one just outside', () => {
    const fence: Geofence = {
      id: 'g',
      kind: 'state-organ',
      bufferMeters: 100,
      center: { lat: 30, lon: 120 },
      radiusMeters: 300,
    };
    const metre = 1 / 111_195; // degrees of latitude per metre, roughly
    expect(fencesNear({ lat: 30 + 399 * metre, lon: 120 }, [fence])).toEqual([fence]);
    expect(fencesNear({ lat: 30 + 401 * metre, lon: 120 }, [fence])).toEqual([]);
  });
});
