/**
 * Schema of one policy pack file, `device-profiles/packs/<id>.yaml`. profiles/ parses packs with it into
 * `ProfileSet.packs[id]`; policy/ interprets them. Rules are data, so a new jurisdiction is a new YAML file.
 */
import { z } from 'zod';
import { packRetentionSchema } from '../retention/rules.js';

const actionSchema = z.enum(['allow', 'flag', 'block']);
const systemClassSchema = z.enum(['art7-gov', 'art7-operator', 'art9-other-public', 'art33-non-public']);
const days = z.number().int().nonnegative();

/** A finding the pack emits: the reason fields of a Decision. */
const findingSchema = z.strictObject({
  code: z.string().min(1),
  article: z.string().min(1),
  message: z.string().min(1),
});

export const zoneRuleSchema = z.strictObject({
  action: actionSchema,
  code: z.string().min(1),
  article: z.string().min(1),
  message: z.string().min(1),
  /** A valid, unexpired consent record for the camera clears this reason (Art 10). */
  clearedByConsent: z.boolean().default(false),
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
    })
    .default({}),
});

export type PolicyPack = z.infer<typeof policyPackSchema>;
export type PolicyPackInput = z.input<typeof policyPackSchema>;
export type ZoneRule = z.infer<typeof zoneRuleSchema>;
