// A meeting point for tests running in different Playwright workers: each marks its arrival with a file in
// WAM_RENDEZVOUS_DIR and waits for the others', so the tests' faults are provably armed at the same time.
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Marks `me` as arrived at `point` and waits until every one of `others` has too; throws after `timeoutMs`
 * (e.g. when the tests were not run in parallel).
 */
export async function meet(point: string, me: string, others: readonly string[], timeoutMs = 15_000): Promise<void> {
  const dir = process.env.WAM_RENDEZVOUS_DIR;
  if (!dir) throw new Error('WAM_RENDEZVOUS_DIR is not set: run these tests through test/playwright/fixture.test.ts');
  await writeFile(join(dir, `${point}.${me}`), '');
  const deadline = Date.now() + timeoutMs;
  for (const other of others) {
    for (;;) {
      try {
        await access(join(dir, `${point}.${other}`));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`"${other}" did not reach "${point}" within ${timeoutMs} ms: are the tests running in parallel?`);
        await sleep(20);
      }
    }
  }
}
