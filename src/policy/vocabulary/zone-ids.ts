/** The zone ids of the contract (docs/classification.md lists what each means). */

/** Zones where cameras are allowed (or, for private-non-public, outside the regulation's public duties). */
export const PUBLIC_ZONE_IDS = [
  'public-infrastructure',
  'crowded-place',
  'transport-hub',
  'public-vehicle',
  'service-area',
  'public-other',
  'private-non-public',
] as const;

/** Rooms the PRC Art 8 list names (interiors where cameras are prohibited). */
export const PROHIBITED_ROOM_IDS = [
  'hotel-room',
  'homestay-room',
  'private-dining-room',
  'student-dormitory',
  'staff-dormitory',
  'staff-rest-room',
  'bathing-room',
  'toilet',
  'changing-room',
  'fitting-room',
  'lactation-room',
] as const;

export const ZONE_IDS = [
  ...PROHIBITED_ROOM_IDS,
  'privacy-sensitive-other',
  'military-restricted-adjacent',
  'military-management-adjacent',
  'state-organ-adjacent',
  'confidential-unit-adjacent',
  ...PUBLIC_ZONE_IDS,
  'unknown',
] as const;

export type ZoneId = (typeof ZONE_IDS)[number];
