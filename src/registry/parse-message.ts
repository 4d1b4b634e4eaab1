import type { z } from 'zod';
import {
  cameraRecordSchema,
  eventSchema,
  inventorySchema,
  requestSchema,
  responseSchema,
  safeCameraId as safeId,
  statusSchema,
} from '../reporting/schemas/index.js';
import type { IngestItem, RejectReason } from './ingest-item.js';
import { parseTopic } from './topics.js';

export type Parsed = { item: IngestItem } | { reject: RejectReason; detail: string };

/** Deeper than any payload camwarden writes (about 6 levels); bounds every walk over untrusted JSON. */
const MAX_DEPTH = 32;
const EVENT_TYPE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
// NUL and unpaired surrogates: text PostgreSQL cannot hold
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * PostgreSQL refuses NUL and unpaired surrogates in text and jsonb, and JSON.stringify recurses: a payload
 * carrying either would fail at store time. Checked here, iteratively, so it is refused and counted instead.
 */
function storageProblem(value: unknown): 'too-deep' | 'unstorable-text' | undefined {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return 'unstorable-text';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) return 'too-deep';
      if (Array.isArray(v)) {
        for (const x of v) stack.push({ v: x, depth: depth + 1 });
      } else {
        for (const [k, x] of Object.entries(v)) {
          if (UNSTORABLE.test(k)) return 'unstorable-text';
          stack.push({ v: x, depth: depth + 1 });
        }
      }
    }
  }
  return undefined;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

/**
 * One MQTT message → a validated IngestItem, or why it is refused. Pure: never throws on any input.
 * The topic names the sender (site, gateway); it is what broker ACLs authenticate, so it wins over the payload.
 */
export function parseMessage(
  prefix: string,
  topic: string,
  payload: Buffer,
  retained: boolean,
  opts: { maxBytes: number; receivedAt: Date; delivery?: string | undefined },
): Parsed {
  if (payload.length > opts.maxBytes) {
    return { reject: 'too-large', detail: `${payload.length} bytes (cap ${opts.maxBytes})` };
  }
  const route = parseTopic(prefix, topic);
  if (typeof route === 'string') return { reject: route, detail: 'topic' };
  const from = { site: route.site, gateway: route.gateway, receivedAt: opts.receivedAt };
  if (payload.length === 0) {
    // an empty retained record is how the agent says a camera is gone
    if (route.kind === 'camera') return { item: { ...from, kind: 'camera', cameraId: route.cameraId, record: null } };
    return { reject: 'empty-payload', detail: route.kind };
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch {
    return { reject: 'malformed-json', detail: route.kind };
  }
  const problem = storageProblem(value);
  if (problem) return { reject: problem, detail: route.kind };

  switch (route.kind) {
    case 'status': {
      const r = statusSchema.safeParse(value);
      if (!r.success) return { reject: 'invalid-status', detail: firstIssue(r.error) };
      if (r.data.state === 'offline') return { item: { ...from, kind: 'will', bootId: r.data.bootId } };
      return { item: { ...from, kind: 'status', status: r.data } };
    }
    case 'inventory': {
      const r = inventorySchema.safeParse(value);
      if (!r.success) return { reject: 'invalid-inventory', detail: firstIssue(r.error) };
      return { item: { ...from, kind: 'inventory', inventory: r.data } };
    }
    case 'camera': {
      const r = cameraRecordSchema.safeParse(value);
      if (!r.success) return { reject: 'invalid-camera', detail: firstIssue(r.error) };
      if (r.data.id !== route.cameraId) return { reject: 'id-mismatch', detail: 'record id differs from topic' };
      return { item: { ...from, kind: 'camera', cameraId: route.cameraId, record: r.data } };
    }
    case 'events': {
      const r = eventSchema.safeParse(value);
      if (!r.success) return { reject: 'invalid-event', detail: firstIssue(r.error) };
      // the agent's ids are `<uuid>-<seq>` and a uuid: anything else (quotes, spaces, `;`) is refused and counted
      if (!safeId.safeParse(r.data.id).success || !safeId.safeParse(r.data.bootId).success) {
        return { reject: 'invalid-event', detail: 'id or bootId: only [A-Za-z0-9._:-], 1-128 characters' };
      }
      if (r.data.type.length > 64 || !EVENT_TYPE.test(r.data.type))
        return { reject: 'invalid-event', detail: 'type: not a dotted name' };
      return { item: { ...from, kind: 'event', event: r.data } };
    }
    case 'request': {
      const r = requestSchema.safeParse(value);
      if (!r.success) return { reject: 'invalid-request', detail: firstIssue(r.error) };
      return { item: { ...from, kind: 'request', op: route.op, request: r.data, retained, delivery: opts.delivery } };
    }
    case 'response': {
      const r = responseSchema.safeParse(value);
      if (!r.success) return { reject: 'invalid-response', detail: firstIssue(r.error) };
      return { item: { ...from, kind: 'response', op: route.op, response: r.data, delivery: opts.delivery } };
    }
  }
}
