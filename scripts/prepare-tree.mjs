// Makes a fresh clone runnable: installs locked dependencies and builds dist/ (tsc, then the bundled bin in dist/bin/)
// when they are missing or stale.
// Used by `npm test`, `npm run demo` and `npm run bench`, so the README quick start is two commands.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  run('npm ci --no-audit --no-fund');
}
// The bundled bin (scripts/bundle.mjs) is made last from tsc's output: it is the stamp of the whole build.
const stamp = join(root, 'dist', 'bin', 'camwarden.js');
const newest = Math.max(
  newestMtime(join(root, 'src')),
  ...['bundle.mjs', 'code-cache.mjs'].map((f) => statSync(join(root, 'scripts', f)).mtimeMs),
);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < newest) {
  run('npx tsc -p tsconfig.build.json');
  run('node scripts/bundle.mjs');
}
