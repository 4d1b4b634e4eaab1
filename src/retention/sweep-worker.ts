/** The retention worker thread: runs one job synchronously and reports batches as it goes (see sweep.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { closeAllDirs } from './dir-handle.js';
import { runRelease } from './quarantine.js';
import type { WorkerJob, WorkerMessage } from './sweep.js';
import { sweepError } from './sweep-plan.js';
import { SweepWalk } from './sweep-walk.js';

const { job, abort } = workerData as { job: WorkerJob; abort: Int32Array };
const post = (m: WorkerMessage) => parentPort?.postMessage(m);
try {
  const outcome =
    job.op === 'sweep'
      ? new SweepWalk(job.plan, {
          onBatch: (batch) => post({ type: 'batch', batch }),
          aborted: () => Atomics.load(abort, 0) === 1,
        }).run()
      : runRelease(job.plan);
  post({ type: 'done', outcome });
} catch (err) {
  post({ type: 'failed', ...sweepError('', err) });
} finally {
  closeAllDirs(); // the thread ends, the process and its descriptors do not
}
