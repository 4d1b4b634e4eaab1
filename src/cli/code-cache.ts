import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Loads the bundled CLI (dist/bin/, CommonJS) with V8 code caches: the bytecode of every function a training scan
 * compiled, written at build time by scripts/code-cache.mjs. A command then skips most of V8's parsing and lazy
 * compiling (docs/architecture.md, "Code cache"; bench/scan.mjs).
 *
 * A cache file is `<file>.code-cache`: a SHA-256 over the source it was made from and V8's data, then that data. V8
 * checks its own version and flags but, of the source, only the length (given a cache of other code of the same
 * length it runs the cached code), and in release builds it does not checksum the data (a damaged cache crashes the
 * process). So a cache is used only with the exact source it was made from and intact; any other is refused and the
 * file is compiled from source, as it would be without a cache.
 *
 * A vm script cannot `import()` (on Node 20 that needs a flag), so the bundle has none: scripts/bundle.mjs refuses
 * to make one that does. Packages load through `require`.
 */
export interface CodeCacheStats {
  /** Files compiled through the loader. */
  files: number;
  /** Of these, compiled from their cache. */
  fromCache: number;
  /** Caches present but not used: made from other source, or refused by V8 (another version or flags). */
  refused: number;
}

interface Loaded {
  module: { exports: unknown };
  script: vm.Script;
  source: Buffer;
}

const DIGEST_BYTES = 32;

/** Binds a cache to one source: the source's length, the source, V8's data. */
function digest(source: Buffer, data: Buffer): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(source.length));
  return createHash('sha256').update(length).update(source).update(data).digest();
}

/** V8's data from a cache file, when the file is intact and was made from `source`. */
function cachedDataFor(source: Buffer, cache: Buffer): Buffer | undefined {
  if (cache.length <= DIGEST_BYTES) return undefined;
  const data = cache.subarray(DIGEST_BYTES);
  return digest(source, data).equals(cache.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

export function codeCachePath(file: string): string {
  return join(dirname(file), `${basename(file)}.code-cache`);
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Node's own CommonJS wrapper; the shebang becomes a comment so line and column numbers stay those of the file. */
function wrap(source: string): string {
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  return `(function (exports, require, module, __filename, __dirname) {${body}\n})`;
}

export class BundleLoader {
  readonly stats: CodeCacheStats = { files: 0, fromCache: 0, refused: 0 };
  private readonly loaded = new Map<string, Loaded>();

  /**
   * Runs a CommonJS file of the bundle and returns its exports. Its `require('./chunk.js')` loads the chunk through
   * this loader too (with its cache); packages and Node's modules go to Node's own `require`.
   */
  load(file: string): unknown {
    const hit = this.loaded.get(file);
    if (hit) return hit.module.exports;
    const source = readFileSync(file);
    const cache = readIfPresent(codeCachePath(file));
    const cachedData = cache === undefined ? undefined : cachedDataFor(source, cache);
    const script = new vm.Script(wrap(source.toString('utf8')), {
      filename: file,
      ...(cachedData === undefined ? {} : { cachedData }),
    });
    this.stats.files++;
    if (cachedData !== undefined && script.cachedDataRejected !== true) this.stats.fromCache++;
    else if (cache !== undefined) this.stats.refused++;

    const module = { exports: {} as unknown };
    this.loaded.set(file, { module, script, source });
    const nodeRequire = createRequire(file);
    const chunkRequire = Object.assign(
      (id: string): unknown => (id.startsWith('./') ? this.load(join(dirname(file), id)) : nodeRequire(id)),
      { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: nodeRequire.main },
    );
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    try {
      run.call(module.exports, module.exports, chunkRequire, module, file, dirname(file));
    } catch (err) {
      // As Node's require: a file that threw is not kept half-run; the next require runs it again.
      this.loaded.delete(file);
      throw err;
    }
    return module.exports;
  }

  /**
   * Writes the cache of every file loaded so far, with the bytecode of every function compiled until now (build time
   * only: scripts/code-cache.mjs calls it after a training scan). Returns the bytes written.
   */
  writeCaches(): number {
    let bytes = 0;
    for (const [file, { script, source }] of this.loaded) {
      const data = script.createCachedData();
      const cache = Buffer.concat([digest(source, data), data]);
      writeFileSync(codeCachePath(file), cache);
      bytes += cache.length;
    }
    return bytes;
  }
}
