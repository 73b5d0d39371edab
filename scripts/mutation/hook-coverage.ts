import { afterAll, beforeAll, inject } from 'vitest';

/**
 * Stryker's vitest runner records which test covers which mutant by the test running when the mutant's code runs
 * (`currentTestId`, set in a beforeEach). Code a test file runs in its own beforeAll/afterAll — here that is starting
 * and closing the mock, issuing tokens, seeding users — runs with no current test, so Stryker counts it as *static*
 * (as if it ran when the module was imported): such a mutant either runs every test of the whole set with the
 * module reloaded (slow: ~2.5 minutes a mutant here) or, with `ignoreStatic`, only the tests that also ran that code
 * in their own body, which leaves out every test that depends on what the hook did.
 *
 * This setup file (dry run only) attributes a file's hook code to the file instead: while a file runs, a coverage
 * hit outside any test goes to a placeholder id, and after the file's own afterAll the placeholder's mutants are
 * added to every test of the file that ran. Such a mutant is then an ordinary (runtime) mutant covered by those
 * tests: Stryker activates it in its beforeAll, before this file's, so the hooks run mutated too. Only what runs
 * while a module is imported stays static. See docs/testing.md, "Mutation testing".
 */
type Coverage = Record<string, number>;
type Namespace = { currentTestId?: string; mutantCoverage?: { static: Coverage; perTest: Record<string, Coverage> } };
type TaskLike = { type: string; name: string; mode?: string; result?: { state?: string }; suite?: TaskLike; tasks?: TaskLike[]; file?: { filepath: string } };

const provided = inject as unknown as (key: string) => unknown;
const mode = provided('mode');
const namespace = provided('globalNamespace');
const separator = (provided('testNameSeparator') as string | undefined) ?? ' > ';

// MUTATION_HOOK_COVERAGE=off leaves Stryker's own attribution (to compare the two).
if (mode === 'dry-run' && typeof namespace === 'string' && process.env.MUTATION_HOOK_COVERAGE !== 'off') {
  const global = globalThis as unknown as Record<string, Namespace>;
  const ns = (global[namespace] ??= {});
  const placeholder = '#file-hooks';
  let current: string | undefined = ns.currentTestId;
  let inFile = false;
  Object.defineProperty(ns, 'currentTestId', {
    configurable: true,
    enumerable: true,
    get: () => current ?? (inFile ? placeholder : undefined),
    set: (id: string | undefined) => {
      current = id;
    },
  });

  beforeAll(() => {
    inFile = true;
  });

  // Registered before the test file's own hooks, so (after-hooks run in reverse) this runs after its afterAll.
  // biome-ignore lint/correctness/noEmptyPattern: vitest requires the context destructured to pass the suite second.
  afterAll(({}, suite) => {
    inFile = false;
    const coverage = ns.mutantCoverage;
    const hooks = coverage?.perTest[placeholder];
    if (!coverage || !hooks) return;
    delete coverage.perTest[placeholder];
    const ran = tests(suite as unknown as TaskLike).filter((test) => test.result?.state === 'pass' || test.result?.state === 'fail');
    ran.forEach((test, index) => {
      const covered = (coverage.perTest[rawId(test)] ??= {});
      // Hit counts only set Stryker's hit limit (endless-loop detection): count the hook's hits once, not per test.
      for (const [mutant, hits] of Object.entries(hooks)) covered[mutant] = (covered[mutant] ?? 0) + (index === 0 ? hits : 1);
    });
    // A file with no test that ran: its hook code stays static, as Stryker would have counted it.
    if (ran.length === 0) for (const [mutant, hits] of Object.entries(hooks)) coverage.static[mutant] = (coverage.static[mutant] ?? 0) + hits;
  });

  function tests(task: TaskLike): TaskLike[] {
    return task.type === 'test' ? [task] : (task.tasks ?? []).flatMap(tests);
  }

  // The id Stryker's own setup file gives a test (stryker-setup.js, toRawTestId).
  function rawId(test: TaskLike): string {
    const parts = [test.name];
    for (let suite = test.suite; suite; suite = suite.suite) parts.unshift(suite.name);
    return `${test.file?.filepath ?? 'unknown.js'}#${parts.join(separator).trim()}`;
  }
}
