import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { sweep } from '../../src/retention/sweep.js';
import { ensureDist } from '../helpers/dist.js';
import { auditedDeletions, DAY, genericPath, sweepOptions, tmp, writeFile } from './helpers.js';

const child = new URL('./fixtures/sweep-child.mjs', import.meta.url).pathname;

beforeAll(() => {
  // The child runs the built code; other areas' unfinished files may fail typecheck, dist is still emitted.
  ensureDist();
}, 120_000);

describe('crash injection', () => {
  it('SIGKILL mid-sweep, restart: journal reconciled, counts exact, every deletion audited, nothing extra deleted', async () => {
    const dir = tmp('cw-ret-crash-');
    const root = join(dir, 'rec');
    const dataDir = join(dir, 'data');
    const now = Date.now();
    const expired: string[] = [];
    const young: string[] = [];
    for (let i = 0; i < 300; i++) {
      const p = genericPath(root, `cam${i % 3}`, now - 40 * DAY + i * 60_000);
      writeFile(p, 100, now - DAY);
      expired.push(p);
    }
    for (let i = 0; i < 30; i++) {
      const p = genericPath(root, `cam${i % 3}`, now - 5 * DAY + i * 60_000);
      writeFile(p, 100, now - DAY);
      young.push(p);
    }
    const proc = spawn(process.execPath, [child, root, dataDir, '120'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('PAUSED')) resolve();
        if (b.toString().includes('DONE')) reject(new Error('child finished before the pause'));
      });
      proc.on('error', reject);
    });
    proc.kill('SIGKILL');
    await new Promise((r) => proc.on('exit', r));
    const goneAfterCrash = expired.filter((p) => !existsSync(p)).length;
    expect(goneAfterCrash).toBeGreaterThanOrEqual(120);
    expect(goneAfterCrash).toBeLessThan(300);
    const journal = readFileSync(join(dataDir, 'retention-journal.jsonl'), 'utf8');
    expect(journal).toContain('"t":"i"');
    expect(journal).not.toContain('"t":"e"');

    const audit = new AuditLog({ file: join(dataDir, 'audit.jsonl') });
    await audit.start();
    const r = await sweep(sweepOptions(root, { dataDir, now: () => now, audit }));
    expect(r.recovered.deleted).toBe(goneAfterCrash);
    expect(r.deleted).toBe(300); // crashed run's unreported deletions + this run's, each once
    expect(r.bytesFreed).toBe(300 * 100);
    expect(expired.filter((p) => existsSync(p))).toEqual([]);
    expect(young.every((p) => existsSync(p))).toBe(true);
    expect(readFileSync(join(dataDir, 'retention-journal.jsonl'), 'utf8')).toBe('');
    // the crashed run's deletions whose audit entry the kill may have prevented are audited now, marked recovered
    const audited = auditedDeletions(join(dataDir, 'audit.jsonl'));
    expect(expired.filter((p) => !audited.paths.has(p))).toEqual([]);
    expect(young.some((p) => audited.paths.has(p))).toBe(false);
    await audit.stop();
    expect((await verifyAuditLog(join(dataDir, 'audit.jsonl'))).ok).toBe(true);
    const again = await sweep(sweepOptions(root, { dataDir, now: () => now }));
    expect(again.deleted).toBe(0);
    expect(again.recovered.deleted).toBe(0);
  });
});
