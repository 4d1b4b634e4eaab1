// The daemon's sweep walks in a worker thread: its event loop keeps turning while thousands of files are deleted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/audit-sink.js';
import { sweep } from '../../src/retention/sweep.js';
import { ensureDist } from '../helpers/dist.js';
import { DAY, genericPath, NOW, sweepOptions, tmp, WORKER, writeFile } from './helpers.js';

beforeAll(() => ensureDist(), 180_000);

function expiredTree(files: number) {
  const root = join(tmp('cw-worker-'), 'rec');
  const paths = Array.from({ length: files }, (_, i) => genericPath(root, `cam${i % 10}`, NOW - 40 * DAY - i * 1000));
  for (const p of paths) writeFile(p, 10);
  for (let c = 0; c < 10; c++) writeFile(genericPath(root, `cam${c}`, NOW - DAY), 10);
  return { root, paths };
}

/** Event-loop turns that happen while `run` is pending. */
async function turnsDuring(run: () => Promise<unknown>): Promise<number> {
  let done = false;
  let turns = 0;
  const p = run().finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    turns++;
  }
  await p;
  return turns;
}

describe('the sweep worker', () => {
  it("keeps the caller's event loop free while it deletes; inline, the loop waits for the whole walk", async () => {
    const a = expiredTree(3000);
    const audit = new MemoryAuditSink();
    const inWorker = await turnsDuring(() =>
      sweep(sweepOptions(a.root, { inline: false, workerScript: WORKER, audit })),
    );
    expect(a.paths.some((p) => existsSync(p))).toBe(false);
    // the batches crossed back from the worker into the audit log, all of them
    const audited = audit.entries.filter((e) => e.kind === 'deletion').flatMap((e) => e.data.paths as string[]);
    expect(audited).toHaveLength(3000);
    const b = expiredTree(3000);
    const inline = await turnsDuring(() => sweep(sweepOptions(b.root, { inline: true })));
    expect(inline).toBeLessThan(5); // only the awaits around the synchronous walk
    expect(inWorker).toBeGreaterThan(50);
  });

  it('an abort stops the walk at the next entry; what it did is still reported', async () => {
    const t = expiredTree(3000);
    const controller = new AbortController();
    controller.abort();
    const r = await sweep(sweepOptions(t.root, { inline: false, workerScript: WORKER, signal: controller.signal }));
    expect(r.deleted).toBe(0);
    expect(t.paths.every((p) => existsSync(p))).toBe(true);
  });
});
