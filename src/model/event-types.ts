import { z } from 'zod';
import { actionSchema, reasonSchema } from './decision-schema.js';

/**
 * Every event type this version emits: what it means, what it carries besides the envelope (`id`, `bootId`,
 * `seq`, `ts`, `type`: docs/mqtt.md) and whether it is critical. This table is the one place criticality is
 * decided: a critical event is never dropped by the outbox's depth limit (config mqtt.outboxMaxEvents); the others
 * may be dropped, counted, once the outbox is that deep. Critical: anything that records a decision, an action on
 * a device or the network, an operator's act, footage kept or deleted, or the audit trail. Not critical: what the
 * retained inventory and status already say (camera lists, scan summaries, starts and stops).
 *
 * Consumers must accept types not listed here: new ones are added without a schema change.
 */

/** What enforcement does for a blocked camera (docs/enforcement.md). */
const actionKindSchema = z.enum([
  'isolate',
  'rtsp-off',
  'privacy-mask',
  'recording-job-idle',
  'recorder-hook',
  'quarantine',
]);
export type ActionKind = z.infer<typeof actionKindSchema>;

/** The action an enforcement event is about. */
const enforcementAction = z.object({
  key: z.string(),
  action: actionKindSchema,
  cameras: z.array(z.string()),
  cameraId: z.string().optional(),
  address: z.string().optional(),
  channel: z.string().optional(),
});

/** Retention events come from the sweeper (docs/retention.md): these fields are always there, more may be. */
const retentionRun = z.looseObject({ dryRun: z.boolean(), root: z.string(), run: z.string() });
const quarantineFacts = retentionRun.extend({
  camera: z.string(),
  quarantineDir: z.string().optional(),
  quarantineDays: z.number().optional(),
  now: z.string(),
});

function event<S extends z.ZodType>(critical: boolean, description: string, data: S) {
  return { critical, description, data };
}

export const EVENT_TYPES = {
  'camera.added': event(
    false,
    'a camera or recorder appeared',
    z.object({
      cameraId: z.string(),
      kind: z.enum(['camera', 'recorder']),
      address: z.string(),
      zone: z.string(),
      action: actionSchema,
    }),
  ),
  'camera.removed': event(
    false,
    'a camera or recorder is gone from the inventory',
    z.object({
      cameraId: z.string(),
      kind: z.enum(['camera', 'recorder']),
      address: z.string(),
      lastAction: actionSchema,
    }),
  ),
  'camera.changed': event(
    false,
    'a camera changed; cameraId and what changed',
    z.looseObject({ cameraId: z.string() }),
  ),
  'decision.changed': event(
    true,
    'a camera’s decision changed',
    z.object({
      cameraId: z.string(),
      previousAction: actionSchema,
      action: actionSchema,
      reasons: z.array(reasonSchema),
      zone: z.string(),
    }),
  ),
  'identity.conflict': event(
    true,
    'a device claims a camera’s EndpointReference without its pinned facts',
    z.object({
      endpoint: z.string(),
      cameraId: z.string(),
      /** Where the camera of that id is pinned or held (null: nothing owns the id yet). */
      address: z.string().nullable(),
      claimantId: z.string(),
      claimantAddress: z.string(),
      /** Every address involved, the camera's first. */
      addresses: z.array(z.string()),
      reason: z.string(),
    }),
  ),
  'identity.moved': event(
    true,
    'a pinned camera proved its identity at a new address',
    z.object({ cameraId: z.string(), endpoint: z.string(), previousAddress: z.string(), address: z.string() }),
  ),
  'block.released': event(
    true,
    'an operator lifted a sticky block by a signed request',
    z.object({
      cameraId: z.string(),
      address: z.string(),
      keyId: z.string(),
      transaction: z.string(),
      reason: z.string(),
      unit: z.string(),
      name: z.string(),
      previousAction: actionSchema,
    }),
  ),
  'enforcement.planned': event(
    true,
    'dry-run: the action that would have been taken',
    enforcementAction.extend({ op: z.enum(['apply', 'revert']), dryRun: z.literal(true) }),
  ),
  'enforcement.applied': event(
    true,
    'an isolation, lever or hook took effect',
    enforcementAction.extend({ op: z.literal('apply'), prior: z.record(z.string(), z.unknown()).optional() }),
  ),
  'enforcement.reverted': event(
    true,
    'an action was undone',
    enforcementAction.extend({ op: z.literal('revert'), prior: z.record(z.string(), z.unknown()).optional() }),
  ),
  'enforcement.failed': event(
    true,
    'an action or undo failed (retried with backoff), a block cannot be fully enforced, or the state is unreadable',
    z.union([
      enforcementAction.extend({
        op: z.enum(['apply', 'revert']),
        attempt: z.int(),
        code: z.string(),
        error: z.string(),
        nextRetryMs: z.number(),
      }),
      z.object({
        op: z.literal('apply'),
        action: actionKindSchema,
        cameraId: z.string(),
        cameras: z.array(z.string()),
        code: z.string(),
        error: z.string(),
        retry: z.literal(false),
      }),
      z.object({ key: z.literal('state'), op: z.literal('load'), code: z.string(), error: z.string() }),
    ]),
  ),
  'retention.swept': event(true, 'summary of one retention pass', retentionRun),
  'retention.shortfall': event(true, 'footage kept for less than the required days', retentionRun),
  'retention.refused': event(
    true,
    'a sweep refused to delete (e.g. implausible clock)',
    retentionRun.extend({ reason: z.string(), now: z.string(), message: z.string() }),
  ),
  'retention.quarantined': event(true, 'footage of a blocked camera moved to quarantine', quarantineFacts),
  'retention.mismatch': event(
    true,
    'recorder retention differs from the site’s',
    z.object({
      camera: z.string(),
      kind: z.enum(['device-below-floor', 'device-keeps-longer', 'invalid-duration']),
      deviceRetention: z.string(),
      deviceDays: z.number().nullable(),
      floorDays: z.number(),
      policyDays: z.number(),
      message: z.string(),
    }),
  ),
  'quarantine.expired': event(true, 'quarantined footage reached the end of its keeping period', quarantineFacts),
  'profiles.applied': event(
    true,
    'a new device-profiles set is active',
    z.object({ revision: z.string(), previous: z.string().nullable(), source: z.string(), dir: z.string() }),
  ),
  'profiles.rejected': event(
    true,
    'a device-profiles set was refused',
    z.object({
      problems: z.array(z.string()),
      source: z.string(),
      keeping: z.string().nullable().optional(),
      dir: z.string().optional(),
    }),
  ),
  'request.handled': event(
    true,
    'a signed request ran (status ok) or its handler failed (status error, with code)',
    z.object({
      op: z.string(),
      transaction: z.string().nullable(),
      keyId: z.string(),
      status: z.enum(['ok', 'error']),
      code: z.string().optional(),
    }),
  ),
  'request.refused': event(
    true,
    'a request was refused: code (unauthorized, expired, replayed, …) and message; `suppressed`: refusals only counted since the last one recorded (more than 60 a minute)',
    z.object({
      op: z.string(),
      transaction: z.string().nullable(),
      code: z.string(),
      message: z.string(),
      suppressed: z.number().int().positive().optional(),
    }),
  ),
  'hello.dropped': event(false, 'WS-Discovery Hello messages dropped past a rate bound', z.looseObject({})),
  'audit.appended': event(
    true,
    // the entry's own seq and ts are overwritten by the envelope's: kind, data, prev, hash and sig identify it
    'an audit entry was written: kind, data, prev, hash, sig',
    z.object({
      seq: z.int(),
      ts: z.string(),
      kind: z.string(),
      data: z.record(z.string(), z.unknown()),
      prev: z.string(),
      hash: z.string(),
      sig: z.string().optional(),
    }),
  ),
  'outbox.alarm': event(
    true,
    'the outbox depth reached its alarm threshold',
    z.object({ depth: z.int(), alarmEvents: z.int(), maxEvents: z.int() }),
  ),
  'scan.completed': event(
    false,
    'summary of one scan',
    z.object({ cameras: z.int(), errors: z.int(), policyRevision: z.string() }),
  ),
  'agent.started': event(false, 'the agent started', z.object({ policyRevision: z.string() })),
  'agent.stopping': event(false, 'the agent is stopping', z.object({})),
} as const;

export type EventType = keyof typeof EVENT_TYPES;

/** What an event of type T carries besides the envelope. */
export type EventData<T extends EventType> = z.infer<(typeof EVENT_TYPES)[T]['data']>;

/** Any event as a module raises it: a union discriminated by `type`. */
export type AgentEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

/** Never dropped by the outbox's depth limit (see the table above). */
export function isCriticalEvent(type: EventType): boolean {
  return EVENT_TYPES[type].critical;
}
