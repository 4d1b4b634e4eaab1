import { z } from 'zod';
import { isoTimestamp } from './common.js';

const counts = z.object({
  total: z.int().min(0),
  allow: z.int().min(0),
  flag: z.int().min(0),
  block: z.int().min(0),
});

/** The running agent's retained status (`online`, republished periodically) or its last word (`stopped`). */
export const liveStatusSchema = z.object({
  state: z.enum(['online', 'stopped']),
  bootId: z.string().min(1),
  ts: isoTimestamp,
  version: z.string(),
  policyRevision: z.string(),
  cameras: counts,
  outbox: z.object({ depth: z.int().min(0), oldestAgeS: z.number().min(0) }),
  audit: z
    .object({
      head: z.string().regex(/^[0-9a-f]+$/, 'lowercase hex'),
      seq: z.int().min(0),
    })
    .optional()
    .meta({ description: 'head of the audit hash chain and its entry count; absent from older agents' }),
});

/** The MQTT last will: what the broker publishes when the agent vanished without a clean stop. */
export const lastWillSchema = z.object({ state: z.literal('offline'), bootId: z.string().min(1) });

export const statusSchema = z
  .discriminatedUnion('state', [liveStatusSchema, lastWillSchema])
  .meta({ title: 'camwarden status (retained <base>/status)' });

export type StatusPayload = z.infer<typeof liveStatusSchema>;
