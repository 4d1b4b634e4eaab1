import type { CameraRecord } from '../model/camera-records.js';
import { compareAddresses, compareText } from '../util/compare.js';

/** The inventory's stable order: by address (IPv4 numerically), then id. Sorts in place. */
export function orderRecords(records: CameraRecord[]): CameraRecord[] {
  return records.sort((a, b) => compareAddresses(a.address, b.address) || compareText(a.id, b.id));
}
