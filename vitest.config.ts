import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { PACT_DO_NOT_TRACK: 'true', NO_COLOR: '1' },
    // Each file starts its own mock(s) on port 0; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
