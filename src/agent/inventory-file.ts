import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ScanResult } from '../inventory/types.js';

/** `<dataDir>/inventory.json`: the last scan, read by `plan` and `sweep` and by `run` after a restart. */
export function inventoryPath(dataDir: string): string {
  return join(dataDir, 'inventory.json');
}

export async function writeInventory(dataDir: string, result: ScanResult): Promise<void> {
  const path = inventoryPath(dataDir);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', 0o640);
  try {
    await handle.writeFile(JSON.stringify(result));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

export async function readInventory(dataDir: string): Promise<ScanResult | undefined> {
  try {
    const parsed = JSON.parse(await readFile(inventoryPath(dataDir), 'utf8')) as ScanResult;
    return Array.isArray(parsed.cameras) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
