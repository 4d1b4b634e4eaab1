/**
 * Legal holds added or removed by signed remote requests, kept in `<dataDir>/legal-holds.json` (atomic write:
 * tmp + fsync + rename + dir fsync) with the schema every hold uses (rules.ts). Profile holds live in the
 * profiles; they cannot be removed here.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-file.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { readIfPresent } from '../util/read-if-present.js';
import { SerialQueue } from '../util/serial-queue.js';
import { type LegalHold, legalHoldSchema } from './schemas.js';
import { changeHolds } from './sweep.js';

const fileSchema = z.strictObject({ schemaVersion: z.literal(1), holds: z.array(legalHoldSchema) });

export class HoldStore {
  private holds: LegalHold[] | undefined;
  private readonly writes = new SerialQueue();
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'legal-holds.json');
  }

  /** Current holds; a missing file is an empty store, a corrupt one is an error (never silently no holds). */
  async list(): Promise<LegalHold[]> {
    if (!this.holds) this.holds = await this.read();
    return [...this.holds];
  }

  /** Adds a hold; one without an id gets `hold-<random>`. */
  async addHold(input: Record<string, unknown>): Promise<LegalHold> {
    const parsed = legalHoldSchema.safeParse({ ...input, id: input.id ?? `hold-${randomUUID().slice(0, 8)}` });
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new CamwardenError(ErrorCode.InvalidRequest, `legal hold: ${msg}`);
    }
    // between sweeps: once this returns, no sweep deletes what the hold covers
    return changeHolds(() =>
      this.writes.run(async () => {
        const holds = await this.list();
        if (holds.some((h) => h.id === parsed.data.id)) {
          throw new CamwardenError(ErrorCode.InvalidRequest, `legal hold ${parsed.data.id}: already exists`);
        }
        await this.write([...holds, parsed.data]);
        return parsed.data;
      }),
    );
  }

  /** Returns whether a hold was removed. */
  async removeHold(id: string): Promise<boolean> {
    return this.writes.run(async () => {
      const holds = await this.list();
      const next = holds.filter((h) => h.id !== id);
      if (next.length === holds.length) return false;
      await this.write(next);
      return true;
    });
  }

  private async read(): Promise<LegalHold[]> {
    const text = await readIfPresent(this.file);
    if (text === undefined) return [];
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new CamwardenError(ErrorCode.InvalidConfig, `${this.file}: ${parsed.error.message}`);
    }
    return parsed.data.holds;
  }

  private async write(holds: LegalHold[]): Promise<void> {
    const text = `${JSON.stringify({ schemaVersion: 1, holds }, null, 2)}\n`;
    await writeFileAtomic(this.file, text, 0o600);
    this.holds = holds;
  }
}
