import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RecordingLayout } from '../../src/retention/layout-schema.js';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { DEFAULT_RETENTION_POLICY } from '../../src/retention/rules.js';
import type { SweepOptions } from '../../src/retention/sweep.js';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

export function tmp(prefix = 'cw-ret-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function ymd(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** generic-layout path of a segment at `ts`. */
export function genericPath(root: string, camera: string, ts: number, suffix = '.mp4'): string {
  const iso = new Date(ts).toISOString();
  return join(
    root,
    camera,
    iso.slice(0, 10),
    `${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}${suffix}`,
  );
}

export function writeFile(path: string, bytes = 10, mtime = NOW - DAY): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.alloc(bytes, 1));
  utimesSync(path, mtime / 1000, mtime / 1000);
}

/** path → "type:size:ino" for every entry below root (symlinks not followed). */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      out.set(
        p,
        `${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o'}:${st.size}:${st.ino}:${st.mode}:${st.mtimeMs}`,
      );
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/** The compiled retention worker: tests that sweep through the worker thread need `ensureDist()` first. */
export const WORKER = join(import.meta.dirname, '..', '..', 'dist', 'retention', 'sweep-worker.js');

/** Sweep options over a generic tree at NOW, walking on the test's thread (hooks work there). */
export function sweepOptions(root: string, extra: Partial<SweepOptions> = {}): SweepOptions {
  return {
    root,
    layout: BUILTIN_LAYOUTS.generic as RecordingLayout,
    policy: DEFAULT_RETENTION_POLICY,
    cameras: [],
    dataDir: join(root, '..', 'data'),
    now: () => NOW,
    inline: true,
    ...extra,
  };
}

/** Every path the audit log records as deleted (absolute), and the entries themselves. */
export function auditedDeletions(file: string): { paths: Set<string>; entries: Array<Record<string, unknown>> } {
  const entries = readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const paths = new Set<string>();
  for (const e of entries) {
    const data = e.data as { root?: string; paths?: string[]; recovered?: boolean };
    if (e.kind !== 'deletion') continue;
    for (const p of data.paths ?? []) paths.add(data.recovered ? p : join(data.root ?? '', p));
  }
  return { paths, entries };
}

/** A scratch site: `<dir>/rec` for the recordings and `<dir>/data` for the data dir. */
export function scratchSite(prefix?: string): { dir: string; root: string; data: string } {
  const dir = tmp(prefix);
  return { dir, root: join(dir, 'rec'), data: join(dir, 'data') };
}

/** One segment of `camera` per entry of `daysAgo` (relative to `now`), settled a day ago; returns their paths. */
export function footage(root: string, camera: string, daysAgo: number[], bytes: number, now: number): string[] {
  const paths = daysAgo.map((d) => genericPath(root, camera, now - d * DAY));
  for (const p of paths) writeFile(p, bytes, now - DAY);
  return paths;
}
