/**
 * The tests that mutation testing runs (npm run test:mutation): the unit tests of the pure core,
 * the use cases on the fakes, and the redaction tests. No server is needed, so each mutant's run
 * takes seconds; the integration suites stay in `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts', 'test/app/**/*.test.ts', 'test/security/log-redaction.test.ts',
      // The runbook rules, params and matching (src/core/runbook/), read from Markdown in memory.
      'test/runbooks/{params,validate,catalogue,parse-markdown}.test.ts',
    ],
    testTimeout: 30_000,
    pool: 'forks',
    update: 'none',
    env: { PROPERTY_RUNS_SCALE: '0.1' },
  },
});
