import { z } from 'zod';

/**
 * A decision's action and reasons, as camera records (reporting/schemas/camera-record.ts) and events
 * (event-types.ts) both carry them: one schema, so the two can never describe a reason differently.
 */
export const actionSchema = z.enum(['allow', 'flag', 'block']);

export const reasonSchema = z.object({
  code: z.string().min(1).meta({ description: 'e.g. prohibited-zone, consent-required, unclassified-zone' }),
  rule: z.string().meta({ description: 'policy pack id, e.g. cn-2025' }),
  article: z.string().meta({ description: 'the article the decision rests on, e.g. "Article 8"' }),
  message: z.string(),
});
