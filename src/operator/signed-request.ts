import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { opSchemas, REQUEST_OPS, type RequestOp } from '../reporting/requests/schemas.js';
import { signRequest } from '../reporting/requests/signing.js';
import type { requestSchema } from '../reporting/schemas/index.js';
import { UsageError } from '../util/errors.js';

export type SignedRequest = z.input<typeof requestSchema>;

function isRequestOp(op: string): op is RequestOp {
  return Object.hasOwn(opSchemas, op);
}

/**
 * Refuses, before anything is sent, an op the agent does not accept or args its schema rejects, naming each
 * field at fault. Returns the args as given: what is signed is exactly what the operator wrote.
 */
export function checkRequest(op: string, args: unknown): { op: RequestOp; args: Record<string, unknown> } {
  if (!isRequestOp(op)) {
    throw new UsageError(`unknown op ${JSON.stringify(op)} (known: ${REQUEST_OPS.join(', ')})`);
  }
  const parsed = opSchemas[op].safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `args.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UsageError(`${op}: ${issues.join('; ')}`);
  }
  return { op, args: args as Record<string, unknown> };
}

/**
 * A request for `topic`, signed the way the agent verifies it: Ed25519 over topic + "\n" + RFC 8785 JSON of
 * the request without `signature` (docs/mqtt.md).
 */
export function buildSignedRequest(
  topic: string,
  args: Record<string, unknown>,
  key: KeyObject,
  opts: { now: Date; validForMs: number; transaction?: string },
): SignedRequest {
  return signRequest(
    topic,
    {
      transaction: opts.transaction ?? randomUUID(),
      issuedAt: opts.now.toISOString(),
      expiresAt: new Date(opts.now.getTime() + opts.validForMs).toISOString(),
      args,
    },
    key,
  );
}
