import { z } from 'zod';
import { actionSchema, reasonSchema } from '../../model/decision-schema.js';
import { codedError, isoTimestamp, safeCameraId } from './common.js';

const nullableText = z.string().nullable();

export const decisionSchema = z.object({
  action: actionSchema,
  reasons: z.array(reasonSchema),
});

export const geoSchema = z.object({
  lat: z.number(),
  lon: z.number(),
  elevation: z.number().nullable(),
});

export const locationSchema = z.object({
  zone: z.string().min(1).meta({ description: 'zone id from the policy pack; "unknown" when unclassified' }),
  source: z.enum(['scope', 'profile', 'geofence', 'none']),
  tags: z.array(z.string()),
  geo: geoSchema.nullable(),
});

/**
 * One camera, NVR channel or recorder as published (scan --json, `inventory`, `cameras/<id>`). Every field is
 * always present; a value that is unknown or does not apply is `null`.
 */
export const cameraRecordSchema = z
  .object({
    id: safeCameraId.meta({
      description: 'EndpointReference UUID, else derived; NVR channels: <recorder id>:<source token>',
    }),
    kind: z.enum(['camera', 'recorder']),
    endpoint: nullableText.meta({ description: 'EndpointReference verbatim (untrusted)' }),
    address: z.string().min(1).meta({ description: 'IPv4 address the device answered from' }),
    xaddr: nullableText.meta({ description: 'device service URL used for interrogation' }),
    manufacturer: nullableText,
    model: nullableText,
    firmware: nullableText,
    serial: nullableText,
    hardwareId: nullableText,
    mac: nullableText,
    scopes: z.array(z.string()),
    location: locationSchema,
    decision: decisionSchema,
    errors: z.array(codedError),
    parent: nullableText.meta({ description: 'NVR channels: the recorder id' }),
    channel: nullableText.meta({ description: 'NVR channels: the video/recording source token' }),
    maximumRetentionTime: nullableText.meta({
      description: 'recorder-reported MaximumRetentionTime (ISO-8601 duration, PT0S = unlimited)',
    }),
    earliestRecording: nullableText.meta({
      description: 'start of the oldest footage the recorder still holds (ONVIF search service), ISO-8601 UTC',
    }),
    vendorProfile: nullableText.meta({ description: 'id of the matched vendor profile' }),
    systemClass: nullableText.meta({
      description: "Art 7/9/33 system class the checks ran with: the site profile's, else the one the zone implies",
    }),
    missedScans: z
      .int()
      .min(0)
      .meta({ description: 'consecutive scans the device did not answer; its last record is kept meanwhile' }),
    unverified: z.boolean().meta({ description: 'answered discovery but its identity was not confirmed' }),
  })
  .meta({ title: 'camwarden camera record' });

export type CameraPayload = z.infer<typeof cameraRecordSchema>;

/** `camwarden scan --json`: one document per pass. */
export const scanResultSchema = z
  .object({
    site: z.string(),
    gateway: z.string(),
    scannedAt: isoTimestamp,
    policyRevision: z.string(),
    cameras: z.array(cameraRecordSchema),
    errors: z.array(z.object({ source: z.string(), code: z.string().min(1), message: z.string() })),
  })
  .meta({ title: 'camwarden scan result' });

export type ScanPayload = z.infer<typeof scanResultSchema>;
