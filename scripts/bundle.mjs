// Bundles the compiled CLI (dist/, from tsc) into dist/bin/: the package's `bin` (camwarden.js), the command line it
// runs (cli.js), the two workers it starts (sweep-worker.js, scan-worker.js), with their shared code in chunks next to
// them. Why: a command starts faster from a few files than from ~300 (zod alone is 95); `camwarden scan` enters its
// run() ~50-100 ms sooner (bench/scan.mjs; figures in the commit that added this). Code splitting keeps lazy imports
// lazy, so a command loads only its own chunks.
// The bundle is CommonJS (dist/bin/package.json says so) because V8 code caches can be given to a CommonJS file (as a
// vm.Script) but, on Node 20, not to an ES module: scripts/code-cache.mjs makes them, src/cli/code-cache.ts uses them.
// Layout contract: everything sits in one directory two levels under the package root, like dist/<folder>/*.js, so
// the paths the code resolves from import.meta.url hold for both trees (config/load-config.ts PACKAGE_ROOT,
// ./sweep-worker.js in retention/sweep.ts, ./scan-worker.js in inventory/isolated-scan.ts).
// Run by `npm run build` after tsc, and by scripts/prepare-tree.mjs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

/**
 * Dependencies bundled in: the ones a scan loads at start-up (their file count is the cost). The others stay
 * ordinary imports from node_modules: they load only in the commands that need them, and some find files of their
 * own next to their modules (PGlite's wasm), which a bundle would move.
 */
const BUNDLED = new Set(['zod', 'pino', 'saxes', 'onvif']);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});

/** `pg/lib/x` → `pg`, `@electric-sql/pglite/worker` → `@electric-sql/pglite`. */
function packageOf(id) {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function external(id) {
  const name = packageOf(id);
  return dependencies.includes(name) && !BUNDLED.has(name);
}

await build({
  input: {
    camwarden: join(dist, 'cli', 'bin.js'),
    cli: join(dist, 'cli', 'main.js'),
    'sweep-worker': join(dist, 'retention', 'sweep-worker.js'),
    'scan-worker': join(dist, 'inventory', 'scan-worker.js'),
  },
  platform: 'node',
  external,
  logLevel: 'warn',
  output: {
    dir: join(dist, 'bin'),
    format: 'cjs',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    cleanDir: true,
  },
});
// The bin runs these files as vm scripts (src/cli/code-cache.ts), where `import()` fails on Node 20: a package must
// come in through `require` (src/util/lazy-yaml.ts shows how).
for (const file of readdirSync(join(dist, 'bin')).filter((f) => f.endsWith('.js'))) {
  const text = readFileSync(join(dist, 'bin', file), 'utf8');
  const found = /\bimport\(\s*["'`][^"'`]*["'`]\s*\)/.exec(text);
  if (found) throw new Error(`scripts/bundle.mjs: dist/bin/${file} keeps ${found[0]}; load it with require instead`);
}
writeFileSync(join(dist, 'bin', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
execFileSync(process.execPath, [join(root, 'scripts', 'code-cache.mjs')], { cwd: root, stdio: 'inherit' });
