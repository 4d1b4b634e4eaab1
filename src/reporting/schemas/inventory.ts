import { z } from 'zod';
import { cameraRecordSchema } from './camera-record.js';
import { isoTimestamp } from './common.js';

/** Retained `<base>/inventory`: every record of the last scan plus the Art 14 filing facts. */
export const inventorySchema = z
  .object({
    ts: isoTimestamp,
    bootId: z.string().min(1),
    site: z.string(),
    gateway: z.string(),
    scannedAt: isoTimestamp,
    policyRevision: z.string(),
    unit: z.string().nullable().meta({ description: 'management unit (Art 14 filing)' }),
    location: z.string().nullable().meta({ description: 'system location (Art 14 filing)' }),
    cameraCount: z.int().min(0).meta({ description: 'records of kind camera (NVR channels included)' }),
    recorderCount: z.int().min(0),
    cameraTypes: z
      .record(z.string(), z.int().min(0))
      .meta({ description: '"<manufacturer> <model>" (or "unknown") → number of records' }),
    retentionDays: z.number().min(0).meta({ description: 'the shortest retention the site keeps, in days' }),
    filingNumber: z.string().nullable().meta({ description: 'police filing number from the site profile' }),
    filingDate: z.string().nullable(),
    goLiveDate: z.string().nullable(),
    cameras: z.array(cameraRecordSchema),
  })
  .meta({ title: 'camwarden inventory (retained <base>/inventory)' });

export type InventoryPayload = z.infer<typeof inventorySchema>;
