import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Tests that spawn the CLI run `dist/`. `npm test` has built it already (pretest), so this only rebuilds when
 * dist/ is missing or older than src/ — never while other test files may be running it.
 */
export function ensureDist(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'prepare-tree.mjs')], { cwd: ROOT, stdio: 'ignore' });
}
