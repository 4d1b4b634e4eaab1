import { createHash } from 'node:crypto';
import { ErrorCode } from '../util/errors.js';
import type { CameraRecord } from './types.js';

/** An id of its own for one claimant of a shared EndpointReference: a hash of the id it claimed and its address. */
export function claimantId(claimedId: string, address: string): string {
  return createHash('sha256').update(`claim|${claimedId}|${address}`).digest('hex').slice(0, 32);
}

/**
 * One EndpointReference that answered from several addresses in one scan (a host with several addresses, or a
 * second device claiming it) is ambiguous: nothing a device says without authenticating may decide which claimant
 * is the real one. So no claimant takes the plain id; each is listed under an id of its own (claimantId), with a
 * `duplicate-endpoint` error naming the other addresses, and is decided on its own answers. The plain id's last
 * record is then missing from this scan, which keeps its decision and enforcement in force (agent/carry-over.ts).
 * NVR channels follow their recorder (`<recorder id>:<token>`, `parent`).
 */
export function separateSharedEndpoints(records: CameraRecord[]): CameraRecord[] {
  const addressesById = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.parent !== undefined) continue;
    const set = addressesById.get(r.id);
    if (set) set.add(r.address);
    else addressesById.set(r.id, new Set([r.address]));
  }
  const shared = new Set([...addressesById].filter(([, addresses]) => addresses.size > 1).map(([id]) => id));
  if (shared.size === 0) return records;
  return records.map((r) => {
    const claimed = r.parent ?? r.id;
    if (!shared.has(claimed)) return r;
    const own = claimantId(claimed, r.address);
    if (r.parent !== undefined) {
      return { ...r, id: `${own}${r.id.slice(claimed.length)}`, parent: own };
    }
    const others = [...(addressesById.get(claimed) ?? [])].filter((a) => a !== r.address).sort();
    return {
      ...r,
      id: own,
      errors: [
        ...r.errors,
        {
          code: ErrorCode.DuplicateEndpoint,
          message: `EndpointReference ${r.endpoint.slice(0, 256)} also answered from ${others.join(', ')}; listed under an id of its own`,
        },
      ],
    };
  });
}
