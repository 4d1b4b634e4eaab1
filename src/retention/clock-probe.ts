/**
 * Finds the newest recording's path timestamp by names alone: at levels that carry time it descends only into the
 * newest matching entries (falling back to older ones if a branch is empty), at camera/wildcard levels into all.
 * Cheap (a few readdirs per camera), so the clock can be checked before anything is deleted.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CompiledLayout, latestTimestampBelow, matchSegment, type PathFields, pathTimestamp } from './layouts.js';

export async function newestRecordingTimestamp(
  root: string,
  layout: CompiledLayout,
  skipNames: ReadonlySet<string> = new Set(),
): Promise<number | undefined> {
  return probe(root, 0, {}, layout, skipNames);
}

async function probe(
  dir: string,
  depth: number,
  fields: PathFields,
  layout: CompiledLayout,
  skipNames: ReadonlySet<string>,
): Promise<number | undefined> {
  const seg = layout.segments[depth];
  if (!seg) return undefined;
  const last = depth === layout.segments.length - 1;
  const timed = seg.fields.some(
    (f) => f === 'YYYY' || f === 'MM' || f === 'DD' || f === 'hh' || f === 'mm' || f === 'ss',
  );
  let newest: number | undefined;
  const timedDirs: Array<{ name: string; fields: PathFields; latest: number }> = [];
  let handle: Awaited<ReturnType<typeof opendir>>;
  try {
    handle = await opendir(dir, { bufferSize: 256 });
  } catch {
    return undefined;
  }
  for await (const d of handle) {
    if (depth === 0 && skipNames.has(d.name)) continue;
    const m = matchSegment(seg, d.name, fields);
    if (!m) continue;
    if (last) {
      if (!d.isFile()) continue; // symlinks, FIFOs and directories never date the tree
      const ts = pathTimestamp(m);
      if (ts !== undefined && (newest === undefined || ts > newest)) newest = ts;
      continue;
    }
    if (!d.isDirectory()) continue;
    if (!timed) {
      const ts = await probe(join(dir, d.name), depth + 1, m, layout, skipNames);
      if (ts !== undefined && (newest === undefined || ts > newest)) newest = ts;
    } else {
      timedDirs.push({ name: d.name, fields: m, latest: latestTimestampBelow(m) ?? Number.POSITIVE_INFINITY });
    }
  }
  timedDirs.sort((a, b) => b.latest - a.latest);
  for (const t of timedDirs) {
    if (newest !== undefined && t.latest <= newest) break;
    const ts = await probe(join(dir, t.name), depth + 1, t.fields, layout, skipNames);
    if (ts !== undefined && (newest === undefined || ts > newest)) newest = ts;
    if (ts !== undefined) break; // older siblings cannot beat the newest one that had recordings
  }
  return newest;
}
