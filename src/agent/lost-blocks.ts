import { enforcementStatePath, loadEnforcementState } from '../enforce/state-file.js';
import type { ScanResult } from '../model/camera-records.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';

/**
 * The cameras (and NVR channels) whose block the enforcement state keeps in force but no inventory record
 * accounts for: inventory.json was lost (deleted, a disk swap), or the one written since has no record of them
 * (they have not answered since). Their blocks hold until re-verified or released (docs/identity.md, Sticky blocks).
 * Without an inventory an unreadable state is an error naming it: nothing would say which cameras are blocked.
 */
export async function blocksWithoutRecord(dataDir: string, inventory: ScanResult | undefined): Promise<Set<string>> {
  const file = enforcementStatePath(dataDir);
  let actions: Awaited<ReturnType<typeof loadEnforcementState>>;
  try {
    actions = await loadEnforcementState(file);
  } catch (err) {
    // The inventory's records say which cameras are blocked; the enforcer reports the state it cannot read.
    if (inventory) return new Set();
    if (err instanceof CamwardenError) throw err;
    throw new CamwardenError(ErrorCode.InvalidConfig, `${file}: cannot be read: ${errorMessage(err)}`);
  }
  const recorded = new Set(inventory?.cameras.map((c) => c.id));
  const ids = new Set<string>();
  for (const { spec } of actions.values()) {
    const owners: unknown[] = [...(Array.isArray(spec.cameras) ? spec.cameras : []), spec.cameraId];
    for (const id of owners) if (typeof id === 'string' && id !== '' && !recorded.has(id)) ids.add(id);
  }
  return ids;
}
