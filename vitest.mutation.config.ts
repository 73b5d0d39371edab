import { defineConfig } from 'vitest/config';
import { FastFirstSequencer } from './scripts/mutation/fast-first-sequencer.ts';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutation` (StrykerJS) runs against each mutant of src/operations, src/tokens and src/faults:
 * the suites that drive those modules in this process. Left out are suites whose mock runs in another process
 * (a child `bin/worth-auth-mock.js`, the pact verifier, a container) — a mutant is only active in the process
 * Stryker controls, so they can never kill one — and the browser, replica and docs suites, which are slow and
 * reach the same code through the same answers. See docs/testing.md, "Mutation testing".
 *
 * Not mergeConfig: it concatenates arrays, so `include` would keep the base's test/**.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/operations/**/*.test.ts',
      'test/tokens/**/*.test.ts',
      'test/faults/**/*.test.ts',
      'test/contract/**/*.test.ts',
      'test/http/**/*.test.ts',
      'test/control/**/*.test.ts',
      'test/cli/**/*.test.ts',
      // The bearer gate over mounted documents (listing and refusals run the bin as a child: left out).
      'test/apis/{answers,check,decisions,gate,story}.test.ts',
      'test/state/journal.test.ts',
      'test/state/store-interface.test.ts',
      'test/config/**/*.test.ts',
      'test/secrets.test.ts',
      'test/pact/provider-proxy.test.ts',
      'test/pact/redact.test.ts',
      'test/pact/token-command.test.ts',
      'test/playwright/session-faults.test.ts',
    ],
    // heap.test.ts measures V8 flags in child processes, of a module outside the mutated folders.
    exclude: ['**/node_modules/**', '**/*browser*.test.ts', '**/*replicas*.test.ts', 'test/control/panel.test.ts', 'test/cli/heap.test.ts'],
    // hook-coverage.ts does something only in Stryker's dry run.
    setupFiles: ['scripts/mutation/hook-coverage.ts'],
    // MUTATION=1: the fuzz and answer properties generate half their cases and the two tests that wait out a ~10 s HTTP
    // timer are skipped (test/support/mutation.ts); a killed mutant's files run shortest first.
    env: { ...base.test?.env, MUTATION: '1' },
    // A mutant that leaves a request or a promise waiting fails its test here, at its first wait, instead of holding
    // Stryker's worker idle until Stryker's own timeout (minutes for code most tests cover). The slowest test of this
    // set takes ~5 s under MUTATION=1 on a busy machine; tests that set their own timeout keep it.
    testTimeout: 15_000,
    hookTimeout: 30_000,
    sequence: { sequencer: FastFirstSequencer },
  },
});
