import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order `npm run mutation` runs a mutant's test files in (vitest.mutation.config.ts, `sequence.sequencer`).
 * Stryker stops at the first failing test (bail), so a killed mutant costs the files run before the one that kills
 * it. Vitest's own order is made for whole runs: files that failed last time first, then the *longest* first. This
 * keeps the first rule (the file that killed the last mutant most likely kills its neighbour on the same line) and
 * turns the second around: the shortest first, files never timed before them all. A surviving mutant runs every
 * file either way.
 */
export class FastFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const results = new Map(files.map((spec) => [spec, this.ctx.cache.getTestSpecificationResult(spec)]));
    return [...files].sort((a, b) => {
      const ra = results.get(a);
      const rb = results.get(b);
      if (!ra || !rb) return ra ? 1 : rb ? -1 : 0;
      if (ra.failed !== rb.failed) return ra.failed ? -1 : 1;
      return ra.duration - rb.duration;
    });
  }
}
