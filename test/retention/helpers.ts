import { lstatSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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
