/**
 * Schema of one policy pack file, `device-profiles/packs/<id>.yaml`. profiles/ parses packs with it into
 * `ProfileSet.packs[id]`; policy/ interprets them. Rules are data, so a new jurisdiction is a new YAML file.
 */
import { z } from 'zod';
import { packRetentionSchema } from '../retention/schemas.js';

const actionSchema = z.enum(['allow', 'flag', 'block']);
const systemClassSchema = z.enum(['art7-gov', 'art7-operator', 'art9-other-public', 'art33-non-public']);
const days = z.number().int().nonnegative();

/** A finding the pack emits: the reason fields of a Decision. */
const findingSchema = z.strictObject({
  code: z.string().min(1),
  article: z.string().min(1),
  message: z.string().min(1),
});

/** A finding about a camera's system class; its article defaults to the zone's own (Art 7, 9 or 33). */
const classRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  code: z.string().min(1),
  message: z.string().min(1),
  article: z.string().min(1).optional(),
});

const zoneRuleSchema = z.strictObject({
  action: actionSchema,
  code: z.string().min(1),
  article: z.string().min(1),
  message: z.string().min(1),
  /**
   * A valid, unexpired consent record for the camera clears this reason (Art 10), when the unit that gave it is of
   * the zone's kind (military for military-*, state organ, confidential unit) and, for a geofence, names that fence.
   */
  clearedByConsent: z.boolean().default(false),
  /**
   * System classes a camera in this zone may have; the first is the class the zone implies when the site profile
   * records none. A class not listed contradicts the zone. Absent: the zone implies no class.
   */
  systemClasses: z.array(systemClassSchema).min(1).optional(),
});

export const policyPackSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case kebab-case id'),
  description: z.string().min(1),
  /** ISO date the rules apply from (informational). */
  effectiveDate: z.string().optional(),
  /** zone id → what a camera in that zone gets. Zones not listed are treated as `unknown`. */
  zones: z.record(z.string().min(1), zoneRuleSchema),
  /** Qualifiers such as "entrance", "门口" next to a blocked term: the block becomes a review flag. */
  modifiers: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Action a blocked zone gets when qualified by a modifier; never `allow`. */
      downgradeTo: z.enum(['flag', 'block']).default('flag'),
      code: z.string().min(1).default('prohibited-zone'),
      message: z.string().min(1).default('camera near a prohibited zone: review its field of view'),
    })
    .default({
      enabled: true,
      downgradeTo: 'flag',
      code: 'prohibited-zone',
      message: 'camera near a prohibited zone: review its field of view',
    }),
  retention: packRetentionSchema,
  rules: z
    .strictObject({
      filing: z
        .strictObject({
          enabled: z.boolean().default(true),
          daysAfterGoLive: days.default(30),
          classes: z.array(systemClassSchema).default(['art7-gov', 'art7-operator']),
          ...findingSchema.shape,
        })
        .optional(),
      signage: z
        .strictObject({
          enabled: z.boolean().default(true),
          classes: z.array(systemClassSchema).default(['art7-gov', 'art7-operator', 'art9-other-public']),
          ...findingSchema.shape,
        })
        .optional(),
      retentionMinimum: z
        .strictObject({
          enabled: z.boolean().default(true),
          ...findingSchema.shape,
        })
        .optional(),
      zoneTagMismatch: z
        .strictObject({
          enabled: z.boolean().default(true),
          ...findingSchema.shape,
        })
        .optional(),
      /** No system class recorded where the zone needs one. */
      systemClassMissing: classRuleSchema.optional(),
      /** A recorded system class the zone does not admit. */
      systemClassMismatch: classRuleSchema.optional(),
    })
    .default({}),
});

export type PolicyPack = z.infer<typeof policyPackSchema>;
export type PolicyPackInput = z.input<typeof policyPackSchema>;
export type ZoneRule = z.infer<typeof zoneRuleSchema>;
