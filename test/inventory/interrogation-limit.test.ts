import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InterrogationLimit, START_LIMIT } from '../../src/inventory/interrogation-limit.js';

/** `count` tasks that each stay open until released; tracks how many run at once. */
function openTasks(limit: InterrogationLimit, count: number) {
  let running = 0;
  let most = 0;
  let finished = 0;
  const releases: Array<() => void> = [];
  const done = Array.from({ length: count }, () =>
    limit.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      finished++;
    }),
  );
  return {
    running: () => running,
    finished: () => finished,
    most: () => most,
    releaseAll: async () => {
      while (releases.length > 0 || running > 0) {
        for (const release of releases.splice(0)) release();
        await vi.advanceTimersByTimeAsync(0);
      }
      await Promise.all(done);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('InterrogationLimit', () => {
  it('starts at 32 devices at once and stays there while the event loop is busy', async () => {
    const limit = new InterrogationLimit({ max: 128, utilization: () => 0.95, intervalMs: 100 });
    const tasks = openTasks(limit, 200);
    await vi.advanceTimersByTimeAsync(1000);
    expect(tasks.running()).toBe(START_LIMIT);
    expect(limit.current).toBe(32);
    await tasks.releaseAll();
    expect(tasks.most()).toBe(32);
  });

  it('doubles, up to its max, while devices wait and the event loop is mostly idle', async () => {
    const limit = new InterrogationLimit({ max: 100, utilization: () => 0.3, intervalMs: 100 });
    const tasks = openTasks(limit, 200);
    await vi.advanceTimersByTimeAsync(0);
    expect(tasks.running()).toBe(32);
    await vi.advanceTimersByTimeAsync(100);
    expect(tasks.running()).toBe(64);
    await vi.advanceTimersByTimeAsync(100);
    expect(tasks.running()).toBe(100);
    await vi.advanceTimersByTimeAsync(1000);
    expect(tasks.running()).toBe(100);
    await tasks.releaseAll();
    expect(tasks.most()).toBe(100);
  });

  it('widens only on an idle interval: busy, idle, busy gives one step', async () => {
    const samples = [0.9, 0.5, 0.95, 0.9];
    const limit = new InterrogationLimit({ max: 512, utilization: () => samples.shift() ?? 1, intervalMs: 100 });
    const tasks = openTasks(limit, 300);
    await vi.advanceTimersByTimeAsync(400);
    expect(limit.current).toBe(64);
    expect(tasks.running()).toBe(64);
    await tasks.releaseAll();
  });

  it('with a max below 32, starts there and never widens', async () => {
    const limit = new InterrogationLimit({ max: 4, utilization: () => 0, intervalMs: 100 });
    const tasks = openTasks(limit, 20);
    await vi.advanceTimersByTimeAsync(1000);
    expect(tasks.running()).toBe(4);
    await tasks.releaseAll();
    expect(tasks.most()).toBe(4);
  });

  it('runs every task once, hands each freed slot to one waiter, and stops its timer when none wait', async () => {
    const limit = new InterrogationLimit({ max: 64, utilization: () => 1, intervalMs: 100 });
    const tasks = openTasks(limit, 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await tasks.releaseAll();
    expect(tasks.finished()).toBe(100);
    expect(tasks.most()).toBe(32);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new InterrogationLimit({ max: 1, utilization: () => 1 });
    await expect(limit.run(() => Promise.reject(new Error('device gone')))).rejects.toThrow('device gone');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
