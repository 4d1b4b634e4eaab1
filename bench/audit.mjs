// Audit log: fsync'd append rate, resume time, and verify throughput. Run: node bench/audit.mjs (after
// `npx tsc -p tsconfig.build.json`). Last stdout line is the JSON result.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GENESIS_HASH, sealEntry } from '../dist/audit/audit-entry.js';
import { AuditLog } from '../dist/audit/audit-log.js';
import { verifyAuditLog } from '../dist/audit/verify.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-bench-audit-'));
try {
  const file = join(dir, 'audit.jsonl');
  const appends = Number(process.env.AUDIT_APPENDS ?? 2000);
  const log = new AuditLog({ file });
  await log.start();
  let t = performance.now();
  for (let i = 0; i < appends; i++)
    await log.append('enforcement', {
      event: 'enforcement.applied',
      key: `isolate:10.0.${i >> 8}.${i & 255}`,
      cameras: [`cam-${i}`],
    });
  const sequentialMs = performance.now() - t;
  t = performance.now();
  await Promise.all(
    Array.from({ length: appends }, (_, i) =>
      log.append('decision', { camera: `cam-${i}`, previous: 'allow', action: 'block' }),
    ),
  );
  const concurrentMs = performance.now() - t;
  await log.stop();

  // A large log for verify and resume: written directly (no fsync) with the same sealing.
  const big = join(dir, 'big.jsonl');
  const n = Number(process.env.AUDIT_VERIFY_ENTRIES ?? 200_000);
  const lines = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = sealEntry({
      seq,
      ts: new Date(1_764_000_000_000 + seq).toISOString(),
      kind: 'enforcement',
      data: { key: `isolate:10.0.0.${seq & 255}`, cameras: [`cam-${seq}`], op: 'apply' },
      prev,
    });
    prev = e.hash;
    lines.push(JSON.stringify(e));
  }
  writeFileSync(big, `${lines.join('\n')}\n`);
  const bytes = statSync(big).size;
  t = performance.now();
  const result = await verifyAuditLog(big);
  const verifyMs = performance.now() - t;
  if (!result.ok) throw new Error('bench log did not verify');
  t = performance.now();
  const resumed = new AuditLog({ file: big });
  await resumed.start();
  const resumeMs = performance.now() - t;
  await resumed.stop();
  const out = {
    appendsPerSecSequentialFsync: Math.round((appends / sequentialMs) * 1000),
    appendsPerSecConcurrentFsync: Math.round((appends / concurrentMs) * 1000),
    verifyEntries: n,
    verifyMB: +(bytes / 1e6).toFixed(1),
    verifyMs: Math.round(verifyMs),
    verifyEntriesPerSec: Math.round((n / verifyMs) * 1000),
    resumeMsOnBigLog: +resumeMs.toFixed(1),
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  };
  console.log(JSON.stringify(out));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
