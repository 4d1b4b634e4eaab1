// Device-profiles load and signed-bundle verification time for the bundled set and for a site profile with
// 10,000 camera assignments. Run against dist/: `npx tsc -p tsconfig.build.json && node bench/profiles.mjs`.
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfileSet, signBundle } from '../dist/profiles/index.js';

const bundled = new URL('../device-profiles', import.meta.url).pathname;

async function time(fn, runs = 5) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return Number(ms[Math.floor(ms.length / 2)].toFixed(1));
}

const dir = await mkdtemp(join(tmpdir(), 'cw-bench-prof-'));
try {
  await cp(bundled, dir, { recursive: true });
  const bundledMs = await time(() => loadProfileSet(bundled));
  const lines = ['schemaVersion: 1', 'cameras:'];
  for (let i = 0; i < 10_000; i++) {
    lines.push(
      `  - match: { serial: "SN${i}" }`,
      `    zone: ${i % 2 ? 'public-other' : 'toilet'}`,
      '    systemClass: art9-other-public',
    );
  }
  await writeFile(join(dir, 'site/site.yaml'), `${lines.join('\n')}\n`);
  const bigMs = await time(() => loadProfileSet(dir), 3);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  await signBundle(dir, privateKey);
  const keysFile = join(dir, '..', `${Date.now()}-keys.pem`);
  await writeFile(keysFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const signedMs = await time(() => loadProfileSet(dir, { keysFile }), 3);
  await rm(keysFile, { force: true });
  const result = { bundledLoadMs: bundledMs, site10kLoadMs: bigMs, site10kSignedLoadMs: signedMs };
  process.stderr.write(`profiles: ${JSON.stringify(result)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
