/** What packs, site profiles, the hold store and legal-hold requests may say about retention (rules.ts reads it). */
import { z } from 'zod';
import { isoDate } from '../util/iso-date.js';

const days = z.number().int().nonnegative();

/** A policy pack's `retention:` block (device-profiles/packs/*.yaml). */
export const packRetentionSchema = z.strictObject({
  defaultDays: days,
  classMinimumDays: z.record(z.string(), days).default({}),
  overlayMinimumDays: z.record(z.string(), days).default({}),
  zoneDays: z.record(z.string(), days).optional(),
  /** The law behind an overlay's floor, cited next to the retention rule when that overlay sets the floor. */
  overlayArticles: z.record(z.string(), z.string().min(1)).default({}),
  /** Days a blocked camera's footage stays in quarantine once moved there; default: the longest floor, or defaultDays. */
  quarantineDays: days.optional(),
});
export type PackRetentionInput = z.input<typeof packRetentionSchema>;

/** A site profile's `retention:` block. */
export const siteRetentionSchema = z
  .strictObject({
    siteDays: days.optional(),
    zoneDays: z.record(z.string().min(1), days).default({}),
    siteOverlays: z.array(z.string().min(1)).default([]),
  })
  .default({ zoneDays: {}, siteOverlays: [] });

const SAFE_ID = /^[A-Za-z0-9_.:-]+$/;

/** The fields of a legal hold, for schemas that name them differently (the `legal-hold/add` request). */
export const legalHoldFields = {
  id: z.string().min(1).max(128).regex(SAFE_ID, 'letters, digits, "_", ".", ":" and "-" only'),
  /** Camera id, recording-directory name, or `*` for every camera. */
  camera: z.string().min(1).max(256),
  from: isoDate,
  to: isoDate,
  reason: z.string().max(2000).default(''),
};

/** `.refine(...holdRangeCheck)`: a hold's `to` is not before its `from`. */
export const holdRangeCheck: [(h: { from: string; to: string }) => boolean, { path: string[]; message: string }] = [
  (h) => Date.parse(h.from) <= Date.parse(h.to),
  { path: ['to'], message: 'must not be before from' },
];

/** One legal hold: footage of `camera` recorded in [from, to] is never deleted. Site profiles, the hold store and requests use it. */
export const legalHoldSchema = z.strictObject(legalHoldFields).refine(...holdRangeCheck);
export type LegalHold = z.infer<typeof legalHoldSchema>;
