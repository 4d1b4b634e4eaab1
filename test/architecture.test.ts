/**
 * The layer order of src/ (docs/architecture.md). Data flows one way: devices → inventory → decisions → actions
 * and reports; a folder imports only from layers below its own, never from a peer in its layer.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycleEdges, type FolderEdge, folderEdges, layerViolations, relativeImports } from './helpers/folder-graph.js';

/** Lowest first. Keep in step with the table in docs/architecture.md. */
const LAYERS: readonly (readonly string[])[] = [
  ['model', 'util'],
  ['config', 'xml'],
  ['audit', 'discovery', 'retention', 'simulator'],
  ['onvif'],
  ['inventory'],
  ['profiles'],
  ['policy'],
  ['enforce', 'reporting'],
  ['agent', 'operator', 'registry'],
  ['cli'],
];

const SRC = join(import.meta.dirname, '..', 'src');

describe('folder layers of src/', () => {
  const edges = folderEdges(SRC);

  it('sees the imports between folders', () => {
    // Guards the parser: if it stopped matching imports, the rules below would pass on an empty graph.
    expect(edges.length).toBeGreaterThan(50);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'cli', to: 'agent', file: join('cli', 'commands', 'run.ts') }),
    );
  });

  it('has no cycle between top-level folders', () => {
    expect(cycleEdges(edges)).toEqual([]);
  });

  it('imports only downward in the declared layer order', () => {
    expect(layerViolations(edges, LAYERS)).toEqual([]);
  });

  it('places every top-level folder in exactly one layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const declared = LAYERS.flat();
    expect([...declared].sort()).toEqual(folders);
    expect(new Set(declared).size).toBe(declared.length);
  });
});

describe('the checker itself', () => {
  const edge = (from: string, to: string): FolderEdge => ({
    from,
    to,
    file: `${from}/x.ts`,
    specifier: `../${to}/y.js`,
  });

  it('finds every edge of a cycle and none outside it', () => {
    const graph = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd'), edge('e', 'a')];
    expect(cycleEdges(graph)).toEqual(['a -> b', 'b -> c', 'c -> a']);
    expect(cycleEdges([edge('a', 'b'), edge('b', 'c')])).toEqual([]);
  });

  it('flags upward imports, imports between peers and folders no layer names', () => {
    const layers = [['low'], ['mid', 'peer'], ['top']];
    expect(layerViolations([edge('top', 'mid'), edge('mid', 'low')], layers)).toEqual([]);
    expect(layerViolations([edge('low', 'top')], layers)).toEqual(["low/x.ts: low -> top (upward: '../top/y.js')"]);
    expect(layerViolations([edge('mid', 'peer')], layers)).toEqual([
      "mid/x.ts: mid -> peer (same layer: '../peer/y.js')",
    ]);
    expect(layerViolations([edge('new', 'low')], layers)).toEqual(['new/x.ts: new -> low (new is in no layer)']);
  });

  it('reads static, re-exported, side-effect and dynamic imports, and skips packages', () => {
    const source = [
      "import { a } from '../x/a.js';",
      "import type { B } from '../y/b.js';",
      "export { c } from './c.js';",
      "import '../z/side-effect.js';",
      "const d = await import('../w/d.js');",
      "import { z } from 'zod';",
      "import {\n  e,\n  f,\n} from '../v/multi-line.js';",
    ].join('\n');
    expect(relativeImports(source)).toEqual([
      '../x/a.js',
      '../y/b.js',
      './c.js',
      '../z/side-effect.js',
      '../w/d.js',
      '../v/multi-line.js',
    ]);
  });
});
