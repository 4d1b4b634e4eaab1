import { z } from 'zod';
import { consentUnitKindSchema } from '../../profiles/schemas.js';
import { holdRangeCheck, legalHoldFields } from '../../retention/schemas.js';
import { SAFE_ID } from '../../util/safe-id.js';

const isoUtc = z.iso.datetime({ offset: false });
const cameraId = z.string().min(1).max(256);
const { camera: _camera, ...holdFields } = legalHoldFields;
/** A camera id as the agent makes them (docs/identity.md): what a sink may use as a path, topic or argument. */
const safeCameraId = z.string().regex(SAFE_ID, 'not a camera id (A-Z a-z 0-9 . _ : -, at most 128)');
const who = z.string().trim().min(1).max(200);

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
    /** The kind of unit that consented: the consent clears only the Art 10 flags of that kind. */
    unitKind: consentUnitKindSchema,
    /** The geofence the consent is about, when the flag comes from one. */
    geofence: z.string().min(1).max(256).optional(),
    validUntil: isoUtc.optional(),
  }),
  'profiles/apply': z.strictObject({
    /** Profile files by relative path, as text. */
    files: z.record(z.string().min(1).max(256), z.string().max(1024 * 1024)),
    revision: z.string().min(1).max(128).optional(),
    dryRun: z.boolean().optional(),
  }),
  /** Lifts the sticky block of one camera; the audit entry names the key, reason, unit and name. */
  'block/release': z.strictObject({
    cameraId: safeCameraId,
    reason: z.string().trim().min(1).max(1000),
    unit: who,
    name: who,
  }),
} as const;

export type RequestOp = keyof typeof opSchemas;
export const REQUEST_OPS = Object.keys(opSchemas) as RequestOp[];
export type RequestArgs<O extends RequestOp> = z.infer<(typeof opSchemas)[O]>;
/** Who sent a request: handlers that must record it (audit) get it with the arguments. */
export interface RequestContext {
  keyId: string;
  transaction: string;
}
export type RequestHandlers = {
  [O in RequestOp]?: (args: RequestArgs<O>, request: RequestContext) => Promise<unknown>;
};

export const envelopeSchema = z.object({
  transaction: z.string().min(1).max(128),
  issuedAt: isoUtc,
  expiresAt: isoUtc,
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  args: z.record(z.string(), z.unknown()).default({}),
  signature: z.string().min(1),
});
