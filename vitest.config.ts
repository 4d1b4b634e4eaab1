import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Network-namespace and broker tests own global resources (netns names, ports); keep files isolated.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
