import { z } from 'zod';
import { holdRangeCheck, legalHoldFields } from '../../retention/rules.js';

const isoUtc = z.iso.datetime({ offset: false });
const cameraId = z.string().min(1).max(256);
const { camera: _camera, ...holdFields } = legalHoldFields;

/** The allow-list: an op not named here is refused with `unknown-op`. */
export const opSchemas = {
  scan: z.strictObject({}),
  sweep: z.strictObject({ dryRun: z.boolean().optional() }),
  status: z.strictObject({}),
  'reload-profiles': z.strictObject({}),
  /** A legal hold (the fields of the one hold schema) whose camera is `cameraId`; the agent picks a missing id. */
  'legal-hold/add': z.strictObject({ ...holdFields, id: holdFields.id.optional(), cameraId }).refine(...holdRangeCheck),
  'legal-hold/remove': z.strictObject({ id: z.string().min(1).max(128) }),
  'consent/record': z.strictObject({
    cameraId,
    reference: z.string().min(1).max(500),
    grantedBy: z.string().max(500).optional(),
    validUntil: isoUtc.optional(),
  }),
  'profiles/apply': z.strictObject({
    /** Profile files by relative path, as text. */
    files: z.record(z.string().min(1).max(256), z.string().max(1024 * 1024)),
    revision: z.string().min(1).max(128).optional(),
    dryRun: z.boolean().optional(),
  }),
} as const;

export type RequestOp = keyof typeof opSchemas;
export const REQUEST_OPS = Object.keys(opSchemas) as RequestOp[];
export type RequestArgs<O extends RequestOp> = z.infer<(typeof opSchemas)[O]>;
export type RequestHandlers = { [O in RequestOp]?: (args: RequestArgs<O>) => Promise<unknown> };

export const envelopeSchema = z.object({
  transaction: z.string().min(1).max(128),
  issuedAt: isoUtc,
  expiresAt: isoUtc,
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  args: z.record(z.string(), z.unknown()).default({}),
  signature: z.string().min(1),
});
