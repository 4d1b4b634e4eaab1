import { readFileSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * Nanoseconds this thread has spent runnable but waiting for a CPU (Linux schedstat, second field), or undefined
 * where the kernel does not say.
 */
function runQueueWaitNs(): number | undefined {
  try {
    const wait = Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : undefined;
  } catch {
    return undefined;
  }
}

if (runQueueWaitNs() === undefined) {
  console.warn(`notice: no ${SCHEDSTAT}: event-loop stalls include scheduler delays, which a loaded machine adds`);
}

/**
 * The longest time, in ms, that this thread's event loop was held while `work` ran: how late a timer due every
 * `periodMs` came, less the time the thread waited for a CPU meanwhile. On a loaded machine the kernel makes
 * timers late by tens or hundreds of ms; that is not our code holding the loop, and it is left out here.
 * Code that computes (or waits in a synchronous call) for 150 ms still shows 150 ms, however loaded the machine.
 */
export async function longestStallMs(work: () => Promise<unknown>, periodMs = 5): Promise<number> {
  let worst = 0;
  let lastAt = performance.now();
  let lastWait = runQueueWaitNs() ?? 0;
  const sample = () => {
    const at = performance.now();
    const wait = runQueueWaitNs() ?? 0;
    worst = Math.max(worst, at - lastAt - periodMs - (wait - lastWait) / 1e6);
    lastAt = at;
    lastWait = wait;
  };
  const timer = setInterval(sample, periodMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample(); // a block at the very end of `work` counts too
  }
  return worst;
}
