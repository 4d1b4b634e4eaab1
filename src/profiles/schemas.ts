/**
 * zod schemas of the site and vendor profile files. Strict objects: a misspelt key names itself instead of being
 * silently ignored. Packs use pack-schema.ts, layouts retention/layout-schema.ts.
 */
import { z } from 'zod';
import { legalHoldSchema, siteRetentionSchema } from '../retention/schemas.js';
import { isoDate } from '../util/iso-date.js';
import { consentUnitKind } from './consent-unit.js';

const systemClass = z.enum(['art7-gov', 'art7-operator', 'art9-other-public', 'art33-non-public']);

const regex = z.string().refine((s) => {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const geoPoint = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  elevation: z.number().optional(),
});

const levers = z.strictObject({
  rtspOff: z.boolean().default(false),
  privacyMask: z.boolean().default(false),
  recordingJobIdle: z.boolean().default(false),
});

export const vendorProfileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case kebab-case id'),
  priority: z.number().int(),
  description: z.string().default(''),
  /** Case-insensitive regexes; every given one must match. An empty match matches everything (the fallback). */
  match: z
    .strictObject({
      manufacturer: regex.optional(),
      model: regex.optional(),
      firmware: regex.optional(),
      hardwareId: regex.optional(),
    })
    .default({}),
  quirks: z
    .strictObject({
      placeholderLocations: z.array(z.string().transform((s) => s.toLowerCase().replace(/^\/+|\/+$/g, ''))).default([]),
      digestOnly: z.boolean().default(false),
      brokenMedia2: z.boolean().default(false),
      utcIsLocalTime: z.boolean().default(false),
    })
    .default({ placeholderLocations: [], digestOnly: false, brokenMedia2: false, utcIsLocalTime: false }),
  levers: levers.default({ rtspOff: false, privacyMask: false, recordingJobIdle: false }),
});

const recorderHook = z
  .strictObject({
    kind: z.enum(['command', 'http']),
    command: z.array(z.string().min(1)).min(1).optional(),
    url: z.url().optional(),
    method: z.enum(['POST', 'PUT', 'GET']).optional(),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .superRefine((h, ctx) => {
    if (h.kind === 'command' && !h.command)
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'required for kind: command' });
    if (h.kind === 'http' && !h.url)
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'required for kind: http' });
  });

const cameraAssignment = z.strictObject({
  match: z
    .strictObject({
      endpoint: z.string().min(1).optional(),
      serial: z.string().min(1).optional(),
      mac: z.string().min(1).optional(),
      address: z.string().min(1).optional(),
      id: z.string().min(1).optional(),
    })
    .refine((m) => Object.keys(m).length > 0, 'name at least one of endpoint, serial, mac, address, id'),
  zone: z.string().min(1).optional(),
  systemClass: systemClass.optional(),
  geo: geoPoint.optional(),
  overlays: z.array(z.string().min(1)).default([]),
  retentionDays: z.number().int().nonnegative().optional(),
  recordingName: z.string().min(1).optional(),
  name: z.string().optional(),
});

export const consentUnitKindSchema = z.enum(['military', 'state-organ', 'confidential-unit']);

/** The cameras a consent covers, each named: a wildcard would let one unit's consent clear every camera. */
export const consentCameras = z
  .array(
    z
      .string()
      .min(1)
      .refine((c) => c.trim() !== '*', 'a consent names the cameras it covers; "*" is not allowed'),
  )
  .min(1, 'name at least one camera the consent covers');

const consent = z.strictObject({
  id: z.string().min(1),
  issuingUnit: z.string().min(1),
  /** military | state-organ | confidential-unit: the consent clears only the Art 10 flags of its kind. */
  unitKind: consentUnitKindSchema,
  /** Id of the geofence the consent is about (required to clear a geofence's flag). */
  geofence: z.string().min(1).optional(),
  date: isoDate,
  expires: isoDate.optional(),
  cameras: consentCameras,
});

const filing = z.strictObject({
  number: z.string().min(1),
  date: isoDate,
  goLiveDate: isoDate,
  cameras: z.array(z.string().min(1)).default([]),
});

const signage = z.strictObject({
  id: z.string().min(1),
  cameras: z.array(z.string().min(1)).default([]),
  evidence: z.string().optional(),
});

const geofence = z
  .strictObject({
    id: z.string().min(1),
    kind: z.enum(['military-restricted', 'military-management', 'state-organ', 'confidential-unit']),
    bufferMeters: z.number().nonnegative(),
    polygon: z.array(geoPoint).min(3).optional(),
    center: geoPoint.optional(),
    radiusMeters: z.number().nonnegative().optional(),
  })
  .superRefine((g, ctx) => {
    if (!g.polygon && !g.center) ctx.addIssue({ code: 'custom', message: 'needs polygon or center + radiusMeters' });
    if (g.center && g.radiusMeters === undefined) {
      ctx.addIssue({ code: 'custom', path: ['radiusMeters'], message: 'required with center' });
    }
  });

export const siteProfileSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    /** Pack id under packs/; the CLI/agent may override it. */
    policyPack: z.string().min(1).optional(),
    defaultSystemClass: systemClass.optional(),
    retention: siteRetentionSchema,
    cameras: z.array(cameraAssignment).default([]),
    consents: z.array(consent).default([]),
    filings: z.array(filing).default([]),
    signage: z.array(signage).default([]),
    geofences: z.array(geofence).default([]),
    legalHolds: z.array(legalHoldSchema).default([]),
    recorderHooks: z.strictObject({ stop: recorderHook.optional(), start: recorderHook.optional() }).default({}),
    levers: z
      .strictObject({
        rtspOff: z.boolean().optional(),
        privacyMask: z.boolean().optional(),
        recordingJobIdle: z.boolean().optional(),
      })
      .default({}),
  })
  .superRefine((site, ctx) => {
    // A consent bound to a geofence must name a fence of this site, of its own unit's kind.
    site.consents.forEach((c, i) => {
      if (c.geofence === undefined) return;
      const fence = site.geofences.find((g) => g.id === c.geofence);
      if (!fence) {
        ctx.addIssue({
          code: 'custom',
          path: ['consents', i, 'geofence'],
          message: `no geofence "${c.geofence}" in this site profile`,
        });
      } else if (consentUnitKind(fence.kind) !== c.unitKind) {
        ctx.addIssue({
          code: 'custom',
          path: ['consents', i, 'unitKind'],
          message: `geofence "${fence.id}" is ${fence.kind}: its consent comes from a ${consentUnitKind(fence.kind)} unit, not ${c.unitKind}`,
        });
      }
    });
  });

export const legalHoldsFileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  legalHolds: z.array(legalHoldSchema).default([]),
});

export type SiteProfileFile = z.infer<typeof siteProfileSchema>;
export type VendorProfileFile = z.infer<typeof vendorProfileSchema>;
