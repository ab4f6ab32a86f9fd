/**
 * The tests that mutation testing runs (npm run test:mutation): the unit tests of the pure core,
 * the use cases on the fakes, the redaction and signature tests, and the reminders' claims on the
 * real PostgreSQL (the only server needed). Each mutant's run takes seconds; the integration suites
 * stay in `npm test`.
 */
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:mutation:file` narrows the set to the test files importing the one source file it
 * mutates (a JSON list in MUTATION_TESTS), so that each static mutant runs those only.
 */
const narrowed = process.env.MUTATION_TESTS ? (JSON.parse(process.env.MUTATION_TESTS) as string[]) : undefined;

export default defineConfig({
  test: {
    include: narrowed ?? [
      'test/core/**/*.test.ts', 'test/app/**/*.test.ts', 'test/security/log-redaction.test.ts',
      // The runbook rules, params and matching (src/core/runbook/), read from Markdown in memory.
      'test/runbooks/{params,validate,catalogue,parse-markdown}.test.ts',
      // Slack's request signature, checked on its own (no server).
      'test/security/signature-check.test.ts',
      // The reminders' claims across replicas and the schedule contract: the real PostgreSQL (127.0.0.1:5432).
      'test/store/postgres-schedule.test.ts', 'test/store/postgres-schedule-edges.test.ts', 'test/store/postgres-store.test.ts',
    ],
    setupFiles: ['test/throw-matchers.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    update: 'none',
    env: { PROPERTY_RUNS_SCALE: '0.1' },
  },
});
