import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../../model/event-types.js';
import { isoTimestamp } from './common.js';

/**
 * `<base>/events`: a fixed envelope (`id` unique for ever, `seq` +1 per event within a `bootId`, `ts` when it
 * happened) and the type's own fields beside it, passed through as they are.
 */
export const eventSchema = z
  .looseObject({
    id: z.string().min(1).meta({ description: 'unique for ever; consumers de-duplicate on it' }),
    bootId: z.string().min(1),
    seq: z.int().min(1).meta({ description: 'increases by exactly one per event within a bootId' }),
    ts: isoTimestamp.meta({ description: 'when the event happened, not when it was sent' }),
    type: z
      .string()
      .min(1)
      .meta({ description: `known types: ${EVENT_TYPE_NAMES.join(', ')}` }),
    replayed: z
      .literal(true)
      .optional()
      .meta({ description: 'present when the event may have been delivered before (sent again after a reconnect)' }),
  })
  .meta({ title: 'camwarden event (<base>/events)' });

export type EventPayload = z.infer<typeof eventSchema>;
