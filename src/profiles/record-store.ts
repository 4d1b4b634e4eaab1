import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-file.js';
import { ErrorCode, UsageError } from '../util/errors.js';
import { isoDate } from '../util/iso-date.js';
import { readIfPresent } from '../util/read-if-present.js';
import { consentCameras, consentUnitKindSchema } from './schemas.js';
import type { ConsentRecord, ProfileSet } from './types.js';

const CONSENTS_FILE = 'consents.json';

const consentRequestSchema = z.strictObject({
  cameraId: z
    .string()
    .min(1)
    .max(256)
    .refine((c) => c.trim() !== '*', 'a consent names the camera it covers; "*" is not allowed'),
  reference: z.string().min(1).max(256),
  grantedBy: z.string().min(1).max(256).optional(),
  /** military | state-organ | confidential-unit: the consent clears only the Art 10 flags of its kind. */
  unitKind: consentUnitKindSchema,
  /** The geofence the consent is about, when the flag comes from one. */
  geofence: z.string().min(1).max(256).optional(),
  validUntil: isoDate.optional(),
});
export type ConsentRequest = z.input<typeof consentRequestSchema>;

const fileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  consents: z.array(
    z.strictObject({
      id: z.string().min(1),
      issuingUnit: z.string().min(1),
      // Optional for records written before consents were bound to a unit kind: those clear nothing.
      unitKind: consentUnitKindSchema.optional(),
      geofence: z.string().min(1).optional(),
      date: isoDate,
      expires: isoDate.optional(),
      cameras: consentCameras,
    }),
  ),
});

export class ConsentRecordStore {
  private records: ConsentRecord[] = [];
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, CONSENTS_FILE);
  }

  /** Reads the persisted records; a corrupt file is an error (records are never silently dropped). */
  async load(): Promise<void> {
    const text = await readIfPresent(this.file);
    if (text === undefined) return;
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new UsageError(`${this.file}: ${parsed.error.message}`, ErrorCode.InvalidProfile);
    this.records = parsed.data.consents.map((c) => {
      const { expires, unitKind, geofence, ...rest } = c;
      return {
        ...rest,
        ...(unitKind === undefined ? {} : { unitKind }),
        ...(geofence === undefined ? {} : { geofence }),
        ...(expires === undefined ? {} : { expires }),
      };
    });
  }

  list(): ConsentRecord[] {
    return [...this.records];
  }

  /** Validates and persists one consent record (atomic write). Same reference + camera replaces the old one. */
  async add(request: unknown, now: Date = new Date()): Promise<ConsentRecord> {
    const r = consentRequestSchema.safeParse(request);
    if (!r.success) {
      const msg = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new UsageError(`consent/record: ${msg}`, ErrorCode.InvalidRequest);
    }
    const { cameraId, reference, grantedBy, unitKind, geofence, validUntil } = r.data;
    const record: ConsentRecord = {
      id: reference,
      issuingUnit: grantedBy ?? 'remote request',
      unitKind,
      ...(geofence === undefined ? {} : { geofence }),
      date: now.toISOString().slice(0, 10),
      cameras: [cameraId],
      ...(validUntil === undefined ? {} : { expires: validUntil }),
    };
    const next = this.records.filter((c) => !(c.id === reference && c.cameras.includes(cameraId)));
    next.push(record);
    await this.persist(next);
    this.records = next;
    return record;
  }

  private async persist(consents: ConsentRecord[]): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ schemaVersion: 1, consents }, null, 2)}\n`);
  }
}

/** A copy of set with the runtime consents appended to the site profile's own. */
export function mergeConsents(set: ProfileSet, consents: readonly ConsentRecord[]): ProfileSet {
  if (consents.length === 0) return set;
  return { ...set, site: { ...set.site, consents: [...set.site.consents, ...consents] } };
}
