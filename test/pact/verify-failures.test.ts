import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationReport } from '../../src/pact/report.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { type Provider, startDriftingProvider } from '../support/drifting-provider.ts';
import { USER_DRIFTS, type UserDrift } from '../support/drifting-users.ts';
import { ALL_INTERACTIONS, STATELESS } from '../support/pact-interactions.ts';

// What CI sees when the provider or its state endpoint is down, slow or failing, or the Verifier dies: a failing
// verdict well within --timeout (default 60 s), naming the cause with the URL given, and both reports written.
const TOTAL = ALL_INTERACTIONS.length;
const VERDICT_WITHIN_MS = 60_000;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pact-verify-failures-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A loopback URL where nothing listens: a port the OS just gave out and took back. */
async function closedUrl(path = ''): Promise<string> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}${path}`;
}

type Verdict = { run: CliRun; ms: number; report: VerificationReport; junit: string };

/** Runs verify with --json and --junit, timed; the reports are what CI would upload. */
async function verify(argv: string[]): Promise<Verdict> {
  const junit = join(scratch, `${Math.random().toString(36).slice(2)}.xml`);
  const started = Date.now();
  const run = await runCli(['verify', ...argv, '--json', '--junit', junit]);
  const ms = Date.now() - started;
  return { run, ms, report: JSON.parse(run.stdout) as VerificationReport, junit: await readFile(junit, 'utf8') };
}

/** The ports a text names: verify must name only the URLs it was given, never Pact's or its own internal ones. */
const portsIn = (text: string) => new Set([...text.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]));

describe('a provider that is down', () => {
  let states: Provider;
  beforeAll(async () => {
    states = await startDriftingProvider('none');
  });
  afterAll(() => states.close());

  it('fails within 60 s, naming the URL given; no interaction is run; both reports are written', async () => {
    const down = await closedUrl();
    const { run, ms, report, junit } = await verify(['--provider-base-url', down, '--state-setup-url', states.stateUrl]);
    expect(run.code).toBe(1);
    expect(ms).toBeLessThan(VERDICT_WITHIN_MS);
    expect(report.summary).toEqual({ total: TOTAL, passed: 0, failed: 0, pending: 0, notRun: TOTAL });
    for (const i of report.interactions)
      expect(i.failures[0]?.message).toBe(`provider ${down} refused the connection (ECONNREFUSED: nothing listens on that host and port)`);
    expect(junit).toMatch(new RegExp(`<testsuites [^>]*tests="${TOTAL}" failures="0" errors="${TOTAL}"`));
    expect(junit).toContain(`not run: provider ${down} refused the connection`);
    // The summary says which were not run and why; it names no port but the ones given.
    expect(run.stderr).toContain(`${TOTAL} interactions: 0 passed, 0 failed, ${TOTAL} not run`);
    expect(run.stderr).toContain(`not run (${TOTAL}): provider ${down} refused the connection`);
    const given = new Set([new URL(down).port, new URL(states.stateUrl).port]);
    for (const port of portsIn(run.stdout + run.stderr + junit)) expect(given).toContain(port);
  });
});

describe('a state endpoint that is down or failing', () => {
  let provider: Provider;
  let failing: Provider;
  beforeAll(async () => {
    provider = await startDriftingProvider('none');
    failing = await startDriftingProvider('none', { stateStatus: 500 });
  });
  afterAll(async () => {
    await provider.close();
    await failing.close();
  });

  it('down: fails the interactions with a state fast, naming the endpoint; the stateless ones are still verified', async () => {
    const down = await closedUrl('/_pact/states');
    const { run, ms, report, junit } = await verify(['--provider-base-url', provider.url, '--state-setup-url', down]);
    expect(run.code).toBe(1);
    expect(ms).toBeLessThan(VERDICT_WITHIN_MS);
    expect(report.summary).toMatchObject({ total: TOTAL, passed: STATELESS.length, failed: TOTAL - STATELESS.length });
    for (const i of report.interactions.filter((x) => x.outcome === 'failed')) {
      expect(i.failures[0]).toMatchObject({ part: 'state', message: expect.stringContaining(`state endpoint ${down} refused the connection`) });
    }
    expect(junit).toContain('refused the connection');
  });

  it("answering 500: fails at once (no retries for minutes), quoting the first line of its answer (a JSON answer's message)", async () => {
    const { run, ms, report } = await verify(['--provider-base-url', failing.url, '--state-setup-url', failing.stateUrl]);
    expect(run.code).toBe(1);
    expect(ms).toBeLessThan(VERDICT_WITHIN_MS);
    const failed = report.interactions.filter((x) => x.outcome === 'failed');
    expect(failed).toHaveLength(TOTAL - STATELESS.length);
    const active = failed.find((i) => i.description === "a logout with the customer's active session token");
    expect(active?.failures[0]?.message).toBe(
      `provider state "a customer with an active session": state endpoint ${failing.stateUrl} answered 500 to its setup: state store unavailable for "a customer with an active session"`,
    );
  });
});

describe('a provider that is slow', () => {
  it('fails the interaction it did not answer in a quarter of --timeout and runs no more, within --timeout', async () => {
    const provider = await startDriftingProvider('none', { delayMs: 30_000 });
    try {
      const { run, ms, report, junit } = await verify(['--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl, '--timeout', '12']);
      expect(run.code).toBe(1);
      expect(ms).toBeLessThan(12_000 + 3000);
      const [first, ...rest] = report.interactions;
      expect(first).toMatchObject({ outcome: 'failed', failures: [{ part: 'provider', message: `provider ${provider.url} did not answer within 3 s` }] });
      expect(rest.every((i) => i.outcome === 'not-run')).toBe(true);
      expect(rest[0]?.failures[0]?.message).toContain('no more requests were sent');
      expect(junit).toMatch(new RegExp(`failures="1" errors="${TOTAL - 1}"`));
    } finally {
      await provider.close();
    }
  });

  it('gives its verdict within a --timeout too short for anything, with both reports', async () => {
    // Every answer takes 400 ms, so 1 s cannot hold ten interactions on any machine, however fast.
    const provider = await startDriftingProvider('none', { delayMs: 400 });
    try {
      const { run, ms, report } = await verify(['--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl, '--timeout', '1']);
      expect(run.code).toBe(1);
      expect(ms).toBeLessThan(1000 + 3000);
      expect(report.result).toBe('failed');
      expect(report.summary.total).toBe(TOTAL);
      expect(report.summary.notRun).toBeGreaterThan(0);
      // Whichever comes first names the cause: the whole run's deadline, or one request's share of it (a quarter).
      expect(run.stderr).toMatch(/not run \(\d+\): (--timeout 1 s passed|provider http:\/\/\S+ did not answer within 250 ms)/);
    } finally {
      await provider.close();
    }
  });
});

describe('a provider that drifts on a user-management, invitation or password interaction', () => {
  // Each drift breaks the contract in one place; verify fails exactly the interaction that states it, on that part.
  const cases: { drift: UserDrift; breaks: string; part: string }[] = [
    { drift: 'total-items-number', breaks: "a request for the customer's users", part: 'body' },
    { drift: 'create-201', breaks: 'a request to create a new customer user', part: 'status' },
    { drift: 'duplicate-409', breaks: 'a request to create a customer user with an email another user has', part: 'status' },
    { drift: 'unknown-user-200', breaks: 'a request for a customer user who does not exist', part: 'status' },
    { drift: 'other-customer-200', breaks: "a request for another customer's users", part: 'status' },
    { drift: 'accept-without-refresh-token', breaks: 'an acceptance of an invitation with a new password', part: 'body' },
    { drift: 'forgot-204', breaks: "a forgotten-password request for a customer's email", part: 'status' },
    { drift: 'reset-text-plain', breaks: "a password reset with the link's token and a new password", part: 'header' },
  ];

  it('covers every drift the drifting provider has', () => {
    expect(cases.map((c) => c.drift).sort()).toEqual([...USER_DRIFTS].sort());
  });

  it.each(cases)('$drift: fails exactly "$breaks" ($part); no token or password it handed out reaches the reports', async ({ drift, breaks, part }) => {
    const provider = await startDriftingProvider(drift);
    try {
      const { run, report, junit } = await verify(['--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl]);
      expect(run.code).toBe(1);
      expect(report.summary).toMatchObject({ total: TOTAL, passed: TOTAL - 1, failed: 1, notRun: 0 });
      const [failed] = report.interactions.filter((i) => i.outcome === 'failed');
      expect(failed?.description).toBe(breaks);
      expect(failed?.failures.map((f) => f.part)).toContain(part);
      expect(run.stderr).toContain(`✗ customer-web-app: ${breaks}`);
      for (const secret of provider.secrets()) expect(run.stdout + run.stderr + junit).not.toContain(secret);
    } finally {
      await provider.close();
    }
  });
});

describe('a Pact verifier process that dies', () => {
  it('fails the interaction it was verifying, verifies the rest with a new one, and writes both reports', async () => {
    let held: () => void = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    const provider = await startDriftingProvider('none', { delayMs: 20_000, delayCount: 1, onDelayed: () => held() });
    try {
      const verdict = verify(['--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl]);
      await holding;
      // The verifier child this test's CLI run started (its parent is this process), killed as an OOM killer would.
      const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]);
      const line = stdout.split('\n').find((l) => l.includes('serveVerification'));
      expect(line).toBeDefined();
      process.kill(Number(line?.trim().split(/\s+/)[0]), 'SIGKILL');
      const { run, report, junit } = await verdict;
      expect(run.code).toBe(1);
      expect(report.summary).toMatchObject({ total: TOTAL, passed: TOTAL - 1, failed: 1, notRun: 0 });
      const [died] = report.interactions.filter((i) => i.outcome === 'failed');
      expect(died?.failures[0]).toMatchObject({ part: 'verifier', message: expect.stringContaining('was stopped by SIGKILL before it reported') });
      expect(junit).toMatch(/<failure [^>]*type="verifier"/);
    } finally {
      await provider.close();
    }
  });
});
