// The daemon's sweep walks in a worker thread: its event loop keeps turning while thousands of files are deleted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSweepOptions } from '../../src/agent/sweep-options.js';
import { loadConfig } from '../../src/config/load-config.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { HoldStore } from '../../src/retention/hold-store.js';
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

/** An audit sink that notes, when the first deletion is audited, how many of `paths` are still on disk. */
function firstAuditProbe(paths: string[]) {
  const sink = new MemoryAuditSink();
  const probe = { leftAtFirstEntry: -1, sink };
  const append = sink.append.bind(sink);
  sink.append = async (kind, data) => {
    if (kind === 'deletion' && probe.leftAtFirstEntry < 0) probe.leftAtFirstEntry = paths.filter(existsSync).length;
    return append(kind, data);
  };
  return probe;
}

describe('the sweep worker', () => {
  it('walks in a worker: its first batch is audited by the caller while the walk goes on; inline it is not', async () => {
    const a = expiredTree(10_000); // ten journal batches
    const worker = firstAuditProbe(a.paths);
    await sweep(sweepOptions(a.root, { inline: false, workerScript: WORKER, audit: worker.sink }));
    expect(a.paths.some((p) => existsSync(p))).toBe(false);
    // every batch crossed back from the worker into the audit log
    const audited = worker.sink.entries.filter((e) => e.kind === 'deletion').flatMap((e) => e.data.paths as string[]);
    expect(audited).toHaveLength(10_000);
    expect(worker.leftAtFirstEntry).toBeGreaterThan(0); // the caller's event loop ran while files were still going
    const b = expiredTree(3000);
    const inline = firstAuditProbe(b.paths);
    await sweep(sweepOptions(b.root, { inline: true, audit: inline.sink }));
    expect(inline.leftAtFirstEntry).toBe(0); // the synchronous walk had finished before the loop could turn
  }, 120_000);

  it('an abort stops the walk at the next entry; what it did is still reported', async () => {
    const t = expiredTree(3000);
    const controller = new AbortController();
    controller.abort();
    const r = await sweep(sweepOptions(t.root, { inline: false, workerScript: WORKER, signal: controller.signal }));
    expect(r.deleted).toBe(0);
    expect(t.paths.every((p) => existsSync(p))).toBe(true);
  });
});

describe('a legal hold added while the daemon sweeps', () => {
  /** The daemon's options (buildSweepOptions over a hold store), walking in the worker. */
  async function daemonSweep(root: string, dataDir: string, holds: HoldStore, audit: MemoryAuditSink) {
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_RECORDINGS_DIR: root }, dataDir);
    const options = await buildSweepOptions({ config, profiles: undefined, inventory: undefined, holds, audit });
    return { ...options, now: () => NOW, workerScript: WORKER };
  }
  const hold = { camera: 'cam3', from: '2000-01-01', to: '2030-01-01', reason: 'police' };

  it('is in force once its add returns: the running sweep deletes nothing it covers after that', async () => {
    const t = expiredTree(20_000);
    const dataDir = join(t.root, '..', 'data');
    const holds = new HoldStore(dataDir);
    const audit = new MemoryAuditSink();
    let firstBatch!: () => void;
    const started = new Promise<void>((resolve) => {
      firstBatch = resolve;
    });
    const append = audit.append.bind(audit);
    audit.append = async (kind, data) => {
      firstBatch();
      return append(kind, data);
    };
    const running = sweep(await daemonSweep(t.root, dataDir, holds, audit));
    await started; // the walk is under way in its worker
    await holds.addHold(hold);
    const covered = t.paths.filter((p) => p.includes('/cam3/') && existsSync(p));
    await running;
    expect(covered.filter((p) => !existsSync(p))).toEqual([]);
  }, 120_000);

  it('is seen by a sweep whose options were read before it was added', async () => {
    const t = expiredTree(200);
    const dataDir = join(t.root, '..', 'data');
    const holds = new HoldStore(dataDir);
    const options = await daemonSweep(t.root, dataDir, holds, new MemoryAuditSink());
    await holds.addHold(hold);
    await sweep(options);
    const cam3 = t.paths.filter((p) => p.includes('/cam3/'));
    expect(cam3.length).toBeGreaterThan(0);
    expect(cam3.filter((p) => !existsSync(p))).toEqual([]);
    expect(t.paths.filter((p) => p.includes('/cam4/')).some(existsSync)).toBe(false);
  });
});
