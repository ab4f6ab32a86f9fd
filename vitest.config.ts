import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // toThrow('message') fails when undefined or null was thrown (test/throw-matchers.ts).
    setupFiles: ['test/throw-matchers.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Three files at a time: most of the suite waits on servers, processes and timers, not on the
    // CPU (vitest's default on 2 cores is one file at a time). Measured on 2 cores, side by side:
    // 453 s with two, 369 s with three, both green.
    maxWorkers: 3,
    // A missing or different golden file fails the run, in CI and locally alike: rewriting golden
    // files is the explicit `npm run golden:update`.
    update: 'none',
  },
});
