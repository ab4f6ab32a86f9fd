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
    // Test files share a worker's module cache instead of importing everything again each (about
    // 0.6 s per file, 200 files): measured on 2 cores, one run each, 583 s isolated and 492 s
    // shared. No test mocks a module, and a test that changes process-wide state (HOME, timers)
    // restores it; a file that needs a fresh module state must spawn a process of its own.
    isolate: false,
    // Three files at a time: most of the suite waits on servers, processes and timers, not on the
    // CPU (vitest's default on 2 cores is one file at a time). Measured on 2 cores, side by side:
    // 453 s with two, 369 s with three, both green.
    maxWorkers: 3,
    // A missing or different golden file fails the run, in CI and locally alike: rewriting golden
    // files is the explicit `npm run golden:update`.
    update: 'none',
  },
});
