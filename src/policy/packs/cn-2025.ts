import { CN_2025_RETENTION } from '../../retention/rules.js';
import type { PolicyPackInput } from '../pack-schema.js';

// `article` names the article (the contract's form, e.g. "Article 8"); the paragraph goes in the message.
const art8 = (paragraph: string, what: string) => ({
  action: 'block' as const,
  code: 'prohibited-zone',
  article: 'Article 8',
  message: `${what}: installing cameras is prohibited (Order 799 ${paragraph})`,
});
const art10 = (what: string) => ({
  action: 'flag' as const,
  code: 'consent-required',
  article: 'Article 10',
  message: `camera around ${what}: prior consent of the unit is required (Order 799 Article 10)`,
  clearedByConsent: true,
});
const allow = (article: string, what: string) => ({
  action: 'allow' as const,
  code: 'permitted-zone',
  article,
  message: `${what}: permitted for the responsible unit`,
});

/**
 * Built-in copy of device-profiles/packs/cn-2025.yaml (a test keeps both equal), so decisions work without the
 * profiles loader or the profiles directory.
 */
export const cn2025Pack: PolicyPackInput = {
  schemaVersion: 1,
  id: 'cn-2025',
  description:
    'PRC Public Safety Video Image Information System Regulations (State Council Order 799), in force 2025-04-01: Arts 7, 8, 9, 10, 13, 14, 17',
  effectiveDate: '2025-04-01',
  zones: {
    'hotel-room': art8('Article 8(1)', 'hotel guest room'),
    'homestay-room': art8('Article 8(1)', 'homestay room'),
    'private-dining-room': art8('Article 8(1)', 'private dining room'),
    'student-dormitory': art8('Article 8(2)', 'student dormitory'),
    'staff-dormitory': art8('Article 8(2)', 'staff dormitory'),
    'staff-rest-room': art8('Article 8(2)', 'staff rest room'),
    'bathing-room': art8('Article 8(3)', 'bathing room'),
    toilet: art8('Article 8(3)', 'toilet'),
    'changing-room': art8('Article 8(3)', 'changing room'),
    'fitting-room': art8('Article 8(3)', 'fitting room'),
    'lactation-room': art8('Article 8(3)', 'lactation room'),
    'privacy-sensitive-other': {
      action: 'flag',
      code: 'privacy-sensitive',
      article: 'Article 8',
      message: 'area that may reveal others’ privacy: review whether the camera is lawful (Order 799 Article 8(4))',
    },
    'military-restricted-adjacent': art10('a military restricted zone'),
    'military-management-adjacent': art10('a military management zone'),
    'state-organ-adjacent': art10('a state organ'),
    'confidential-unit-adjacent': art10('a confidential unit'),
    'public-infrastructure': allow('Article 7', 'public infrastructure'),
    'crowded-place': allow('Article 7', 'crowded place'),
    'transport-hub': allow('Article 7', 'transport hub'),
    'public-vehicle': allow('Article 7', 'public vehicle'),
    'service-area': allow('Article 7', 'service area'),
    'public-other': allow('Article 9', 'other public place'),
    'private-non-public': allow('Article 33', 'non-public place'),
    unknown: {
      action: 'flag',
      code: 'unclassified-zone',
      article: 'Article 8',
      message: 'no usable location tag: classify the camera (tag location/zone/<id> or assign it in the site profile)',
    },
  },
  modifiers: {
    enabled: true,
    downgradeTo: 'flag',
    code: 'prohibited-zone',
    message: 'camera at the entrance or outside of a prohibited zone: review its field of view (Order 799 Article 8)',
  },
  retention: CN_2025_RETENTION,
  rules: {
    filing: {
      enabled: true,
      daysAfterGoLive: 30,
      classes: ['art7-gov', 'art7-operator'],
      code: 'filing-missing',
      article: 'Article 14',
      message: 'Article 7 system not filed with the county-level PSB within 30 days of going live',
    },
    signage: {
      enabled: true,
      classes: ['art7-gov', 'art7-operator', 'art9-other-public'],
      code: 'signage-missing',
      article: 'Article 13',
      message: 'no record of a conspicuous sign for this camera',
    },
    retentionMinimum: {
      enabled: true,
      code: 'retention-below-minimum',
      article: 'Article 17',
      message: 'configured retention is below the legal minimum',
    },
    zoneTagMismatch: {
      enabled: true,
      code: 'zone-tag-mismatch',
      article: 'Article 8',
      message: 'the camera’s location scope contradicts the site profile (scopes may have been rewritten)',
    },
  },
};
