import { join } from 'node:path';
import type { ScanResult } from '../model/camera-records.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { readIfPresent } from '../util/read-if-present.js';

/** `<dataDir>/inventory.json`: the last scan, read by `plan` and `sweep` and by `run` after a restart. */
function inventoryPath(dataDir: string): string {
  return join(dataDir, 'inventory.json');
}

export async function writeInventory(dataDir: string, result: ScanResult): Promise<void> {
  await writeFileAtomic(inventoryPath(dataDir), JSON.stringify(result));
}

/**
 * The last scan, or undefined when there is none yet. A file that cannot be read or is not a scan result is an
 * error naming it, never read as "no scan": that would forget which cameras are blocked (docs/identity.md).
 */
export async function readInventory(dataDir: string): Promise<ScanResult | undefined> {
  const path = inventoryPath(dataDir);
  let text: string | undefined;
  try {
    text = await readIfPresent(path);
  } catch (err) {
    throw new CamwardenError(ErrorCode.InvalidConfig, `${path}: cannot be read: ${errorMessage(err)}`);
  }
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CamwardenError(ErrorCode.InvalidConfig, `${path}: not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as Partial<ScanResult>).cameras)) {
    throw new CamwardenError(ErrorCode.InvalidConfig, `${path}: not a scan result (no cameras list)`);
  }
  return parsed as ScanResult;
}
