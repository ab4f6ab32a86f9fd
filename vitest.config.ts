import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A missing or different golden file fails the run, in CI and locally alike: rewriting golden
    // files is the explicit `npm run golden:update`.
    update: 'none',
  },
});
