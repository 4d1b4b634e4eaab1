import type { PolicyPackInput } from '../../profiles/pack-schema.js';
import { CN_2025_RETENTION } from '../../retention/rules.js';

// `article` names the article in the contract's form ("Article 8"); the paragraph and item go in the message.
// Art 8(1) lists the prohibited areas in items (i) to (iv); Art 8(2) is the operator's duty to inspect and report.
const art8 = (item: string, what: string) => ({
  action: 'block' as const,
  code: 'prohibited-zone',
  article: 'Article 8',
  message: `${what}: installing cameras inside is prohibited (Order 799 Article 8(1)(${item}))`,
});
const art10 = (what: string) => ({
  action: 'flag' as const,
  code: 'consent-required',
  article: 'Article 10',
  message: `camera around ${what}: the prior consent of that unit is required (Order 799 Article 10)`,
  clearedByConsent: true,
});
const allow = (
  article: string,
  what: string,
  systemClasses: Array<'art7-gov' | 'art7-operator' | 'art9-other-public' | 'art33-non-public'>,
) => ({
  action: 'allow' as const,
  code: 'permitted-zone',
  article,
  message: `${what}: permitted for the responsible unit`,
  systemClasses,
});

/**
 * Built-in copy of device-profiles/packs/cn-2025.yaml (a test keeps both equal), so decisions work without the
 * profiles loader or the profiles directory.
 */
export const cn2025Pack: PolicyPackInput = {
  schemaVersion: 1,
  id: 'cn-2025',
  description:
    'PRC Public Safety Video Image Information System Regulations (State Council Order 799), in force 2025-04-01: Arts 7, 8, 9, 10, 13, 14, 17; Anti-Terrorism Law Art 32 for key targets',
  effectiveDate: '2025-04-01',
  zones: {
    'hotel-room': art8('i', 'hotel guest room'),
    'homestay-room': art8('i', 'homestay room'),
    'private-dining-room': art8('i', 'private dining room'),
    'student-dormitory': art8('ii', 'student dormitory room'),
    'staff-dormitory': art8('ii', 'staff lodging room'),
    'staff-rest-room': art8('ii', 'staff rest room'),
    'bathing-room': art8('iii', 'public bathing room'),
    toilet: art8('iii', 'public toilet'),
    'changing-room': art8('iii', 'changing room'),
    'fitting-room': art8('iii', 'fitting room'),
    'lactation-room': art8('iii', 'lactation room'),
    'privacy-sensitive-other': {
      action: 'flag',
      code: 'privacy-sensitive',
      article: 'Article 8',
      message: 'area where a camera may film others’ privacy: review whether it is lawful (Order 799 Article 8(1)(iv))',
    },
    'military-restricted-adjacent': art10('a military restricted zone'),
    'military-management-adjacent': art10('a military management zone'),
    'state-organ-adjacent': art10('a state organ'),
    'confidential-unit-adjacent': art10('a confidential unit'),
    'public-infrastructure': allow('Article 7', 'public infrastructure (built by the government, Article 7(1))', [
      'art7-gov',
    ]),
    'crowded-place': allow('Article 7', 'crowded place (Article 7(2))', ['art7-operator', 'art7-gov']),
    'transport-hub': allow('Article 7', 'transport hub (Article 7(2))', ['art7-operator', 'art7-gov']),
    'public-vehicle': allow('Article 7', 'public vehicle (Article 7(2))', ['art7-operator', 'art7-gov']),
    'service-area': allow('Article 7', 'service area (Article 7(2))', ['art7-operator', 'art7-gov']),
    'public-other': allow('Article 9', 'other public place', ['art9-other-public', 'art7-operator', 'art7-gov']),
    'private-non-public': allow('Article 33', 'non-public place', ['art33-non-public', 'art9-other-public']),
    unknown: {
      action: 'flag',
      code: 'unclassified-zone',
      article: 'n/a',
      message:
        'no usable location: whether Articles 7 to 10 apply cannot be told; classify the camera (tag location/zone/<id> or assign it in the site profile)',
    },
  },
  modifiers: {
    enabled: true,
    downgradeTo: 'flag',
    code: 'prohibited-zone',
    message:
      'camera at the entrance or outside of a prohibited room: Article 8(1) bans cameras inside it; review the field of view',
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
      message: 'footage is kept for less than the legal minimum',
    },
    zoneTagMismatch: {
      enabled: true,
      code: 'zone-tag-mismatch',
      article: 'n/a',
      message:
        'the camera’s location scope contradicts the site profile, which decides (scopes may have been rewritten): check the camera',
    },
    systemClassMissing: {
      enabled: true,
      code: 'system-class-missing',
      message: 'no system class recorded for this camera (set systemClass in the site profile)',
    },
    systemClassMismatch: {
      enabled: true,
      code: 'system-class-mismatch',
      message: 'the recorded system class contradicts the zone',
    },
  },
};
