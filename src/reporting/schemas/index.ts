import { z } from 'zod';
import { EVENT_TYPE_NAMES, EVENT_TYPES } from '../../model/event-types.js';
import { cameraRecordSchema, scanResultSchema } from './camera-record.js';
import { eventSchema } from './event.js';
import { inventorySchema } from './inventory.js';
import { requestArgsSchemas, requestSchema, responseSchema } from './request.js';
import { statusSchema } from './status.js';

export * from './camera-record.js';
export * from './common.js';
export * from './event.js';
export * from './inventory.js';
export * from './request.js';
export * from './status.js';

/** Every payload camwarden publishes or accepts, by the name `camwarden schema <name>` takes. */
export const PAYLOAD_SCHEMAS = {
  scan: scanResultSchema,
  status: statusSchema,
  inventory: inventorySchema,
  camera: cameraRecordSchema,
  event: eventSchema,
  request: requestSchema,
  response: responseSchema,
} as const;

export type PayloadName = keyof typeof PAYLOAD_SCHEMAS;
export const PAYLOAD_NAMES = Object.keys(PAYLOAD_SCHEMAS) as PayloadName[];

export function isPayloadName(name: string): name is PayloadName {
  return Object.hasOwn(PAYLOAD_SCHEMAS, name);
}

/**
 * JSON Schema (draft 2020-12) of one payload. Payloads the agent publishes are described as it writes them;
 * the request as the agent accepts it, with each op's `args` schema under `$defs`; the event with each type's
 * fields under `$defs`.
 */
export function payloadJsonSchema(name: PayloadName): Record<string, unknown> {
  if (name === 'request') {
    const envelope = z.toJSONSchema(requestSchema, { io: 'input' }) as Record<string, unknown>;
    return withDefs(
      envelope,
      Object.entries(requestArgsSchemas).map(([op, schema]) => ({ name: op, schema })),
    );
  }
  if (name === 'event') return eventJsonSchema();
  return z.toJSONSchema(PAYLOAD_SCHEMAS[name]) as Record<string, unknown>;
}

/**
 * The event envelope, with what each known type carries beside it under `$defs` (by type). The per-type schemas
 * are open (input mode): the envelope's fields sit beside the type's own in one object.
 */
function eventJsonSchema(): Record<string, unknown> {
  const envelope = z.toJSONSchema(eventSchema) as Record<string, unknown>;
  return withDefs(
    envelope,
    EVENT_TYPE_NAMES.map((type) => {
      const { critical, description, data } = EVENT_TYPES[type];
      return {
        name: type,
        schema: data,
        description: critical ? `${description} (critical: never dropped)` : description,
      };
    }),
  );
}

/**
 * `envelope` with each entry's JSON Schema (input mode, without its own `$schema`) added under `$defs` by name,
 * after the envelope's own definitions; `description`, when given, replaces the entry's.
 */
function withDefs(
  envelope: Record<string, unknown>,
  entries: ReadonlyArray<{ name: string; schema: z.ZodType; description?: string }>,
): Record<string, unknown> {
  const defs: Record<string, unknown> = { ...((envelope.$defs as Record<string, unknown> | undefined) ?? {}) };
  for (const { name, schema, description } of entries) {
    const { $schema: _drop, ...def } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
    defs[name] = description === undefined ? def : { ...def, description };
  }
  return { ...envelope, $defs: defs };
}
