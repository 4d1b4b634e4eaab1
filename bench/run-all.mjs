// Runs every bench/<name>.mjs in its own process (so RSS figures are not mixed) and collects the JSON each
// prints as its last stdout line into bench/out/results.json. `npm run bench` builds dist/ first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs')
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const results = {};
let failed = 0;
for (const file of benches) {
  process.stderr.write(`\n== bench/${file}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(dir, file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: 20 * 60 * 1000,
  });
  const lines = (run.stdout ?? '').trim().split('\n');
  process.stdout.write(run.stdout ?? '');
  try {
    results[file.replace(/\.mjs$/, '')] = JSON.parse(lines.at(-1) ?? '');
  } catch {
    results[file.replace(/\.mjs$/, '')] = { error: `exit ${run.status}, no JSON result` };
    failed++;
  }
  if (run.status !== 0) failed++;
}
mkdirSync(join(dir, 'out'), { recursive: true });
writeFileSync(join(dir, 'out', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`\nresults: bench/out/results.json\n`);
process.exitCode = failed > 0 ? 1 : 0;
