import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/util/serial-queue.js';

describe('SerialQueue', () => {
  it('runs jobs one at a time in queue order, past a job that fails', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release: () => void = () => {};
    const first = queue.run(async () => {
      log.push('first starts');
      await new Promise<void>((r) => {
        release = r;
      });
      log.push('first ends');
      throw new Error('first failed');
    });
    const second = queue.run(async () => {
      log.push('second runs');
      return 2;
    });
    await new Promise((r) => setImmediate(r)); // both had their chance to start
    expect(log).toEqual(['first starts']); // the second waits for the first
    release();
    await expect(first).rejects.toThrow('first failed');
    await expect(second).resolves.toBe(2);
    expect(log).toEqual(['first starts', 'first ends', 'second runs']);
    const third = queue.run(() => Promise.reject(new Error('third failed')));
    await expect(third).rejects.toThrow('third failed');
    await expect(queue.idle()).resolves.toBeUndefined(); // after a failed job, too
  });
});
