// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: ['src/operations/**/*.ts', 'src/tokens/**/*.ts', 'src/faults/**/*.ts'],
  coverageAnalysis: 'perTest',
  // What stays static once scripts/mutation/hook-coverage.ts gives hook code to its file's tests is code run while a
  // module is imported (an operation's name, its list of statuses): testing one means every test with a reload, ~3
  // minutes a mutant. They are reported Ignored and left out of the score (docs/testing.md, "Mutation testing").
  ignoreStatic: true,
  concurrency: 2,
  // A mutant whose covering tests run longer than timeoutFactor × their dry-run time + timeoutMS counts as Timeout,
  // which scores as killed. With the defaults (1.5, 5 s) a survivor covered by the property and fuzz suites timed out
  // on a busy 2-core machine (all its tests passed by hand): generous margins, endless loops are caught by the hit limit.
  timeoutFactor: 3,
  timeoutMS: 30000,
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
