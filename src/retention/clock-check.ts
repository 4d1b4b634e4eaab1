/**
 * Clock sanity before anything is deleted (docs/retention.md), from names alone. A camera with a recording dated
 * after now (a wrong clock, a planted name) is left alone this run; the whole site is refused when every camera is,
 * or when the system clock is far ahead of the newest recording. Only branches that could hold a recording dated
 * in the future are listed, and, newest first, older ones only until a recent enough recording turns up.
 */
import type { Dirent } from 'node:fs';
import type { DirHandle } from './dir-handle.js';
import { type CompiledLayout, latestTimestampBelow, matchSegment, type PathFields, pathTimestamp } from './layouts.js';
import { DAY_MS } from './rules.js';

/** A recording dated more than this after now makes its camera's clock implausible. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** The recordings tree as the walk (sweep-walk.ts) sees it: what it cannot list or open safely is not there. */
export interface Tree {
  readonly layout: CompiledLayout;
  readonly quarantineRel: string | undefined;
  list(dir: DirHandle, area: 'recordings', report: false): Dirent[];
  openDir(parent: DirHandle, name: string, area: 'recordings', report: false): DirHandle | undefined;
}

export interface ClockVerdict {
  /** Camera names with a recording dated in the future, and where (relative to the root). */
  future: Map<string, string>;
  newest: number | undefined;
  refusal?: { reason: 'clock-behind' | 'clock-ahead'; message: string };
}

export function checkClocks(root: DirHandle, tree: Tree, now: number, maxClockAheadDays: number): ClockVerdict {
  const { segments, cameraDepth } = tree.layout;
  const horizon = now + FUTURE_TOLERANCE_MS;
  const future = new Map<string, string>();
  const probed = new Set<string>(); // camera names seen
  let newest: number | undefined;

  /** Marks the cameras of this branch with future recordings; returns whether it had a recording that is not. */
  const probe = (dir: DirHandle, depth: number, fields: PathFields, camera: string | undefined): boolean => {
    const seg = segments[depth];
    if (!seg) return false;
    const last = depth === segments.length - 1;
    let found = false;
    const subdirs: Array<{ name: string; m: PathFields; cam: string | undefined; latest: number }> = [];
    for (const e of tree.list(dir, 'recordings', false)) {
      const m = matchSegment(seg, e.name, fields);
      if (!m || dir.relOf(e.name) === tree.quarantineRel) continue;
      const cam = camera ?? (depth === cameraDepth ? m.camera : undefined);
      const kind = dir.kindOf(e);
      if (cam !== undefined && kind === (last ? 'file' : 'dir')) probed.add(cam);
      const ts = pathTimestamp(m);
      if (ts !== undefined && ts > horizon && cam !== undefined && (kind === 'dir' || kind === 'file')) {
        if (!future.has(cam)) future.set(cam, dir.relOf(e.name)); // a future-dated directory: not looked into
      } else if (kind === 'dir' && !last) {
        subdirs.push({ name: e.name, m, cam, latest: latestTimestampBelow(m) ?? Number.POSITIVE_INFINITY });
      } else if (kind === 'file' && last && ts !== undefined) {
        found = true;
        newest = Math.max(newest ?? ts, ts);
      }
    }
    subdirs.sort((a, b) => b.latest - a.latest);
    for (const d of subdirs) {
      // newest first: past those that may reach the future, older siblings cannot hold a newer recording
      const recent = newest !== undefined && now - newest <= maxClockAheadDays * DAY_MS;
      if (d.latest <= horizon && (found || recent)) break;
      const child = tree.openDir(dir, d.name, 'recordings', false);
      if (!child) continue;
      found = probe(child, depth + 1, d.m, d.cam) || found;
      child.unref();
    }
    return found;
  };

  probe(root, 0, {}, undefined);
  const verdict: ClockVerdict = { future, newest };
  const clock = `system clock ${iso(now)}`;
  if (future.size > 0 && future.size === probed.size) {
    verdict.refusal = { reason: 'clock-behind', message: `${clock} is behind the newest recording of every camera` };
  } else if (newest !== undefined && now - newest > maxClockAheadDays * DAY_MS) {
    const message = `${clock} is more than ${maxClockAheadDays} days ahead of the newest recording ${iso(newest)}`;
    verdict.refusal = { reason: 'clock-ahead', message };
  }
  return verdict;
}

export function iso(ts: number): string {
  return new Date(ts).toISOString();
}
