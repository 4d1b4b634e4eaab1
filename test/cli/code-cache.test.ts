import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleLoader, codeCachePath } from '../../src/cli/code-cache.js';

// Two CommonJS files like the bundle's: an entry that requires a chunk next to it and a package.
const ENTRY = [
  '#!/usr/bin/env node',
  '"use strict";',
  'const chunk = require("./chunk.js");',
  'const { basename } = require("node:path");',
  'exports.answer = () => chunk.value() + 1;',
  'exports.where = () => [basename(__filename), basename(__dirname)];',
  'exports.line = () => new Error("here").stack.split("\\n")[1];',
].join('\n');
const chunkSource = (value: number): string => `exports.value = function value() { return ${value}; };\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-code-cache-'));
  writeFileSync(join(dir, 'entry.js'), ENTRY);
  writeFileSync(join(dir, 'chunk.js'), chunkSource(111));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Entry {
  answer(): number;
  where(): string[];
  line(): string;
}

/** Loads the entry and calls into it, so its functions are compiled; then writes their caches. */
function train(): void {
  const loader = new BundleLoader();
  (loader.load(join(dir, 'entry.js')) as Entry).answer();
  loader.writeCaches();
}

describe('BundleLoader', () => {
  it('runs CommonJS files: relative requires load the chunk next to it, others go to Node', () => {
    const loader = new BundleLoader();
    const entry = loader.load(join(dir, 'entry.js')) as Entry;
    expect(entry.answer()).toBe(112);
    expect(entry.where()).toEqual(['entry.js', dir.split('/').at(-1)]);
    expect(loader.load(join(dir, 'chunk.js'))).toBe(loader.load(join(dir, 'chunk.js'))); // one instance per file
    expect(loader.stats).toEqual({ files: 2, fromCache: 0, refused: 0 });
  });

  it('does not keep a file that threw: the next require runs it again', () => {
    writeFileSync(
      join(dir, 'flaky.js'),
      'globalThis.__cwFlakyRuns = (globalThis.__cwFlakyRuns ?? 0) + 1;\n' +
        'if (globalThis.__cwFlakyRuns === 1) throw new Error("first run fails");\nexports.ok = true;\n',
    );
    const loader = new BundleLoader();
    expect(() => loader.load(join(dir, 'flaky.js'))).toThrow('first run fails');
    expect(loader.load(join(dir, 'flaky.js'))).toEqual({ ok: true });
    Reflect.deleteProperty(globalThis, '__cwFlakyRuns');
  });

  it('keeps line numbers: the shebang line stays a line', () => {
    const entry = new BundleLoader().load(join(dir, 'entry.js')) as Entry;
    expect(entry.line()).toContain(`${join(dir, 'entry.js')}:7:`);
  });

  it('compiles from the caches it wrote', () => {
    train();
    expect(readFileSync(codeCachePath(join(dir, 'entry.js'))).length).toBeGreaterThan(32);
    const loader = new BundleLoader();
    expect((loader.load(join(dir, 'entry.js')) as Entry).answer()).toBe(112);
    expect(loader.stats).toEqual({ files: 2, fromCache: 2, refused: 0 });
  });

  it('refuses a cache made from other source of the same length, which V8 alone would run', () => {
    train();
    writeFileSync(join(dir, 'chunk.js'), chunkSource(222));
    const loader = new BundleLoader();
    expect((loader.load(join(dir, 'entry.js')) as Entry).answer()).toBe(223);
    expect(loader.stats).toEqual({ files: 2, fromCache: 1, refused: 1 });
  });

  it('refuses a damaged cache instead of handing it to V8 (which would crash)', () => {
    train();
    const file = codeCachePath(join(dir, 'chunk.js'));
    const cache = readFileSync(file);
    for (let i = 40; i < cache.length; i += 17) cache[i] = (cache[i] ?? 0) ^ 0x5a;
    writeFileSync(file, cache);
    writeFileSync(codeCachePath(join(dir, 'entry.js')), 'short');
    const loader = new BundleLoader();
    expect((loader.load(join(dir, 'entry.js')) as Entry).answer()).toBe(112);
    expect(loader.stats).toEqual({ files: 2, fromCache: 0, refused: 2 });
  });
});
