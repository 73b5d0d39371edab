// The Playwright fixture (`worth-auth-mock/playwright`) as a test author uses it: a real `npx playwright test` run
// (Debian's Chromium, two workers, fully parallel) against one mock this file starts, read back from its JSON report.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { JOURNAL_ATTACHMENT, startSharedMock } from '../../src/playwright/fixture.ts';
import type { JournalEntry } from '../../src/state/journal.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { mockOn } from '../support/mock.ts';
import { serveApp } from './app-page.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = 'test/playwright/playwright.config.ts';
const ADMIN_TOKEN = 'playwright-admin-secret';

/** The parts of Playwright's JSON report read here. */
type Report = { suites: Suite[]; stats: { expected: number; unexpected: number; skipped: number } };
type Suite = { suites?: Suite[]; specs: { title: string; tests: { annotations: { type: string; description?: string }[]; results: Result[] }[] }[] };
type Result = {
  status: string;
  workerIndex: number;
  startTime: string;
  duration: number;
  attachments: { name: string; contentType: string; body?: string }[];
};
type Run = { code: number; output: string; report: Report };

let mock: Mock;
let app: Awaited<ReturnType<typeof serveApp>>;
let dir: string;

beforeAll(async () => {
  mock = await mockOn({ adminToken: ADMIN_TOKEN });
  app = await serveApp(mock.baseUrl);
  dir = await mkdtemp(join(tmpdir(), 'wam-playwright-'));
});
afterAll(async () => {
  await Promise.all([mock?.close(), app?.close(), dir && rm(dir, { recursive: true, force: true })]);
});

/** `npx playwright test --config … <args>` against this file's mock and app; resolves its exit code, output and report. */
async function playwright(name: string, args: string[]): Promise<Run> {
  const rendezvous = join(dir, `${name}-rendezvous`);
  await mkdir(rendezvous);
  const reportFile = join(dir, `${name}.json`);
  const env = {
    ...process.env,
    WORTH_MOCK_URL: mock.url,
    WORTH_MOCK_ADMIN_TOKEN: ADMIN_TOKEN,
    WAM_APP_URL: app.url,
    WAM_RENDEZVOUS_DIR: rendezvous,
    PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile,
  };
  // Async on purpose: the mock runs in this process and must keep answering while Playwright runs.
  const code = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      'npx',
      ['playwright', 'test', '--config', CONFIG, '--output', join(dir, `${name}-results`), ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
  return { ...code, report };
}

/** Every test of the report by title, with its one result. */
function byTitle(report: Report): Map<string, { annotations: { type: string; description?: string }[]; result: Result }> {
  const tests = new Map<string, { annotations: { type: string; description?: string }[]; result: Result }>();
  const walk = (suite: Suite) => {
    for (const spec of suite.specs) for (const test of spec.tests) tests.set(spec.title, { annotations: test.annotations, result: test.results[0]! });
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites) walk(suite);
  return tests;
}

describe('worth-auth-mock/playwright in a real Playwright run', () => {
  it('two tests in parallel arm conflicting faults on one mock and neither sees the other’s; signIn’s tokens log out; faults and added users are gone after', async () => {
    const run = await playwright('isolation', ['--grep-invert', '@fails-on-purpose']);
    expect(run.code, run.output).toBe(0);
    expect(run.report.stats).toMatchObject({ expected: 4, unexpected: 0, skipped: 0 });
    const tests = byTitle(run.report);
    const down = tests.get('sign-in and logout are down for this test: both answer 500 from its own faults')!.result;
    const up = tests.get('sign-in works for this test meanwhile, and its logout answers its own 403')!.result;
    expect([down.status, up.status]).toEqual(['passed', 'passed']);
    // In two workers, at the same time: each started before the other ended.
    expect(down.workerIndex).not.toBe(up.workerIndex);
    const span = (r: Result) => [Date.parse(r.startTime), Date.parse(r.startTime) + r.duration] as const;
    const [[downStart, downEnd], [upStart, upEnd]] = [span(down), span(up)];
    expect(downStart < upEnd && upStart < downEnd).toBe(true);
    // Each test's requests carried its own session, and each met only its own faults.
    const journal = await mock.requests({});
    const sessions = [...new Set(journal.map((e) => e.session))];
    expect(sessions).toHaveLength(4);
    const seenBy = (prefix: string) => {
      const session = sessions.find((s) => s?.startsWith(prefix));
      return journal.filter((e) => e.session === session).map((e) => `${e.operation} ${e.status}${e.faultId ? ' fault' : ''}`);
    };
    expect(seenBy('pw-sign-in-and-logout-are-down-for-')).toEqual(['sign-in 200', 'sign-in 500 fault', 'logout 500 fault', 'sign-in 500 fault']);
    expect(seenBy('pw-sign-in-works-for-this-test-mea')).toEqual(['sign-in 200', 'logout 403 fault', 'sign-in 200']);
    // Faults are cleared when their test ends, and users a test added are removed.
    expect(await mock.faults.list()).toEqual([]);
    expect((await mock.users.list()).map((u) => u.email)).toEqual(['customer@example.com']);
  }, 120_000);

  it('a failing test gets its own journal attached to the report, and nothing of the other tests', async () => {
    // Another client session's sign-in on the same mock, sent as the run starts.
    const other = fetch(mock.urls['sign-in'], {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-session': 'another-run' },
      body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
    });
    const run = await playwright('failing', ['--grep', '@fails-on-purpose']);
    expect((await other).status).toBe(200);
    expect(run.code, run.output).toBe(1);
    const [test] = [...byTitle(run.report).values()];
    expect(test?.result.status).toBe('failed');
    const session = test!.annotations.find((a) => a.type === 'mock-session')?.description as string;
    const attachment = test!.result.attachments.find((a) => a.name === JOURNAL_ATTACHMENT);
    expect(attachment?.contentType).toBe('application/json');
    const journal = JSON.parse(Buffer.from(attachment!.body!, 'base64').toString('utf8')) as { session: string; requests: JournalEntry[] };
    expect(journal.session).toBe(session);
    expect(journal.requests.map(({ session, operation, status }) => ({ session, operation, status }))).toEqual([
      { session, operation: 'sign-in', status: 200 },
      { session, operation: 'logout', status: 200 },
      { session, operation: 'logout', status: 401 },
    ]);
    // The mock holds the other session's request too; the attachment has none of it.
    expect(await mock.requests({ session: 'another-run' })).toHaveLength(1);
  }, 120_000);
});

describe('startSharedMock, for a globalSetup', () => {
  it('starts a mock on a free port and exports WORTH_MOCK_URL and WORTH_MOCK_ADMIN_TOKEN for the workers', async () => {
    const before = { url: process.env.WORTH_MOCK_URL, token: process.env.WORTH_MOCK_ADMIN_TOKEN };
    const shared = await startSharedMock({ adminToken: 'shared-secret' });
    try {
      expect(process.env.WORTH_MOCK_URL).toBe(shared.url);
      expect(process.env.WORTH_MOCK_ADMIN_TOKEN).toBe('shared-secret');
      expect((await fetch(`${shared.url}/__mock/health`)).status).toBe(200);
    } finally {
      await shared.close();
      for (const [name, value] of [
        ['WORTH_MOCK_URL', before.url],
        ['WORTH_MOCK_ADMIN_TOKEN', before.token],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
