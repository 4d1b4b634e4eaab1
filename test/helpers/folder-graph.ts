/**
 * The import graph between the top-level folders of src/, and the two rules docs/architecture.md sets for it:
 * no cycle, and every import goes down the declared layer order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import of one file into another top-level folder. */
export interface FolderEdge {
  from: string;
  to: string;
  /** The importing file, relative to the root. */
  file: string;
  specifier: string;
}

// Static imports and re-exports (`import … from`, `export … from`, bare `import '…'`) and dynamic `import('…')`.
const IMPORT_SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative import specifiers of one source text (package imports are not the folders' business). */
export function relativeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) out.push(spec);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every import under `root` that crosses from one top-level folder into another. */
export function folderEdges(root: string): FolderEdge[] {
  const edges: FolderEdge[] = [];
  for (const path of sourceFiles(root)) {
    const file = relative(root, path);
    const from = file.split(sep)[0] ?? '';
    for (const specifier of relativeImports(readFileSync(path, 'utf8'))) {
      const target = relative(root, resolve(dirname(path), specifier));
      const to = target.split(sep)[0] ?? '';
      // Files directly under src/ (none today) and imports leaving src/ are not folder edges.
      if (to === from || to.startsWith('..') || !target.includes(sep) || !file.includes(sep)) continue;
      edges.push({ from, to, file, specifier });
    }
  }
  return edges;
}

/** Folder edges that lie on a cycle (b reaches a again), as `a -> b`, sorted. */
export function cycleEdges(edges: readonly Pick<FolderEdge, 'from' | 'to'>[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const set = next.get(from) ?? new Set<string>();
    set.add(to);
    next.set(from, set);
  }
  const reaches = (start: string, goal: string): boolean => {
    const seen = new Set([start]);
    const stack = [start];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node === goal) return true;
      for (const n of next.get(node) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return false;
  };
  const out = new Set<string>();
  for (const { from, to } of edges) if (reaches(to, from)) out.add(`${from} -> ${to}`);
  return [...out].sort();
}

/**
 * Imports that break the layer order (lowest layer first): into the same layer or one above, or from or into a
 * folder no layer names. Each as `file: from -> to`.
 */
export function layerViolations(edges: readonly FolderEdge[], layers: readonly (readonly string[])[]): string[] {
  const rank = new Map<string, number>();
  layers.forEach((folders, i) => {
    for (const f of folders) rank.set(f, i);
  });
  const out: string[] = [];
  for (const e of edges) {
    const from = rank.get(e.from);
    const to = rank.get(e.to);
    if (from === undefined || to === undefined) {
      out.push(`${e.file}: ${e.from} -> ${e.to} (${from === undefined ? e.from : e.to} is in no layer)`);
    } else if (to >= from) {
      out.push(`${e.file}: ${e.from} -> ${e.to} (${to === from ? 'same layer' : 'upward'}: '${e.specifier}')`);
    }
  }
  return out.sort();
}
