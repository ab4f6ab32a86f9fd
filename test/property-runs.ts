/**
 * How many random cases a property test runs: all of them in `npm test`; a tenth under mutation
 * testing (vitest.mutation.config.ts sets PROPERTY_RUNS_SCALE), where every mutant runs the tests
 * again and the seeds that matter come first anyway.
 */
export function propertyRuns(full: number): number {
  const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);
  return Math.max(1, Math.round(full * (Number.isFinite(scale) && scale > 0 ? Math.min(scale, 1) : 1)));
}
