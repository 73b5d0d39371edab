import { it } from 'vitest';

/**
 * What changes when a test runs under `npm run mutation` (StrykerJS; `vitest.mutation.config.ts` sets
 * `MUTATION=1`). A mutant that survives runs every test that covers it, the whole suite for code that starts the
 * mock, so the suite's slowest parts set the run's length (docs/testing.md, "How long a run takes").
 */
export const underMutation = process.env.MUTATION === '1';

/**
 * The number of cases a property test generates: `full` under `npm test`; under mutation half of it, never
 * fewer than 50 (same seeds: the first half of the cases `npm test` runs). Only for properties that assert each
 * case alone: a property that must also reach every documented status keeps its full count.
 */
export function propertyRuns(full: number): number {
  return underMutation ? Math.max(50, Math.ceil(full / 2)) : full;
}

/**
 * `it`, skipped under mutation: for a test that waits out a wall-clock bound of the HTTP layer (a header or body
 * timeout, ~10 s). No module under mutation decides it; it runs in every `npm test`.
 */
export const itWaitsOutHttpTimer: typeof it = underMutation ? (it.skip as typeof it) : it;
