// The order `npm run mutation` runs a mutant's test files in: files never timed, a file that failed last time, then
// the shortest first (scripts/mutation/fast-first-sequencer.ts).
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { FastFirstSequencer } from '../../scripts/mutation/fast-first-sequencer.ts';

type Result = { failed: boolean; duration: number } | undefined;

function sortedNames(results: Record<string, Result>): Promise<string[]> {
  const specs = Object.keys(results).map((name) => ({ moduleId: name }) as unknown as TestSpecification);
  const ctx = { cache: { getTestSpecificationResult: (spec: TestSpecification) => results[spec.moduleId] } } as unknown as Vitest;
  return new FastFirstSequencer(ctx).sort(specs).then((sorted) => sorted.map((spec) => spec.moduleId));
}

describe('FastFirstSequencer', () => {
  it('runs files never timed first, then one that failed for the last mutant, then the rest shortest first', async () => {
    expect(
      await sortedNames({
        'slow.test.ts': { failed: false, duration: 9000 },
        'quick.test.ts': { failed: false, duration: 100 },
        'killer.test.ts': { failed: true, duration: 5000 },
        'new.test.ts': undefined,
        'middle.test.ts': { failed: false, duration: 2000 },
      }),
    ).toEqual(['new.test.ts', 'killer.test.ts', 'quick.test.ts', 'middle.test.ts', 'slow.test.ts']);
  });
});
