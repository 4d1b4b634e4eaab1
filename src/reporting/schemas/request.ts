import { z } from 'zod';
import { envelopeSchema, opSchemas } from '../requests/schemas.js';
import { codedError } from './common.js';

/** `<base>/request/<op>`: the signed envelope; `args` is checked against the op's own schema (requestArgsSchemas). */
export const requestSchema = envelopeSchema.meta({ title: 'camwarden signed request (<base>/request/<op>)' });

/** Arguments of every op the agent accepts, by op (the op is the topic level after `request/`). */
export const requestArgsSchemas = opSchemas;

const okResponse = z.object({
  transaction: z.string().nullable(),
  status: z.literal('ok'),
  data: z.unknown().optional().meta({ description: 'the op’s result, when it has one' }),
});

const errorResponse = z.object({
  transaction: z.string().nullable().meta({ description: 'null when the request was too broken to carry one' }),
  status: z.literal('error'),
  error: codedError.meta({ description: 'code: unauthorized, expired, replayed, invalid-request, unknown-op, …' }),
});

/** `<base>/response/<op>`: the outcome of one request, matched by `transaction`. */
export const responseSchema = z
  .discriminatedUnion('status', [okResponse, errorResponse])
  .meta({ title: 'camwarden response (<base>/response/<op>)' });

export type ResponsePayload = z.infer<typeof responseSchema>;
