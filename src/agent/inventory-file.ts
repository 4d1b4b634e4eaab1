import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanResult } from '../model/camera-records.js';
import { writeFileAtomic } from '../util/atomic-file.js';

/** `<dataDir>/inventory.json`: the last scan, read by `plan` and `sweep` and by `run` after a restart. */
function inventoryPath(dataDir: string): string {
  return join(dataDir, 'inventory.json');
}

export async function writeInventory(dataDir: string, result: ScanResult): Promise<void> {
  await writeFileAtomic(inventoryPath(dataDir), JSON.stringify(result));
}

export async function readInventory(dataDir: string): Promise<ScanResult | undefined> {
  try {
    const parsed = JSON.parse(await readFile(inventoryPath(dataDir), 'utf8')) as ScanResult;
    return Array.isArray(parsed.cameras) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
