import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import type { VerificationReport } from '../../src/pact/report.ts';
import { runCli } from '../support/cli.ts';
import { type Drift, startDriftingProvider } from '../support/drifting-provider.ts';
import { mockOn } from '../support/mock.ts';

// Every run verifies the committed pact (pacts/customer-web-app-auth-service.json), not one a consumer test
// may be rewriting in the same run: the default --pact is pacts/, read relative to the working directory.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACT = join(ROOT, 'pacts', 'customer-web-app-auth-service.json');
const ALL = [
  'a logout with a token whose session was already logged out',
  'a logout with an expired token',
  "a logout with the customer's active session token",
  'a logout with the valid token of a user who is not a customer',
  'a logout without a token',
];

const report = (stdout: string) => JSON.parse(stdout) as VerificationReport;
const outcomes = (r: VerificationReport) => Object.fromEntries(r.interactions.map((i) => [i.description, i.outcome]));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pact-verify-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('verify against the mock started in-process (no --provider-base-url)', () => {
  it('passes every interaction of the committed pact and exits 0', async () => {
    const run = await runCli(['verify']);
    expect(run.code).toBe(0);
    for (const description of ALL) expect(run.stdout).toContain(`✓ customer-web-app: ${description}`);
    expect(run.stdout).not.toContain('✗');
  });

  it('writes a JSON report to stdout and a JUnit report to --junit', async () => {
    const junit = join(scratch, 'reports', 'pact.xml');
    const run = await runCli(['verify', '--pact', PACT, '--json', '--junit', junit]);
    expect(run.code).toBe(0);
    const json = report(run.stdout);
    expect(json.result).toBe('passed');
    expect(json.summary).toEqual({ total: 5, passed: 5, failed: 0, pending: 0 });
    expect(Object.keys(outcomes(json)).sort()).toEqual([...ALL].sort());
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*tests="5" failures="0" errors="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
  });

  it('still prints the summary, then exits 2 naming --junit, when the report cannot be written', async () => {
    const run = await runCli(['verify', '--junit', scratch]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('5 passed');
    expect(run.stderr).toContain('--junit');
  });
});

describe('verify against a separately started mock, reached over its URL', () => {
  let mock: Mock;
  beforeAll(async () => {
    mock = await mockOn();
  });
  afterAll(() => mock.close());

  it("passes with the mock's state endpoint (--state-setup-url)", async () => {
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--state-setup-url', `${mock.url}/__mock/provider-states`, '--json']);
    expect(run.code).toBe(0);
    expect(report(run.stdout).summary).toEqual({ total: 5, passed: 5, failed: 0, pending: 0 });
    // The states really were set up on that mock: its journal holds the verifier's logouts and their answers.
    const statuses = (await mock.requests()).map((e) => e.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 403]);
  });

  it('passes with --token-command instead, the command seeing the state in $PACT_STATE', async () => {
    const command = `"${process.execPath}" "${join(ROOT, 'test', 'support', 'pact-token-command.ts')}" ${mock.url}`;
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--token-command', command, '--json']);
    expect(run.code).toBe(0);
    expect(report(run.stdout).summary.passed).toBe(5);
  });

  it('fails the stateful interactions, naming the state, when the token command fails', async () => {
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--token-command', 'echo "identity provider is down" >&2; exit 4', '--json']);
    expect(run.code).toBe(1);
    const json = report(run.stdout);
    expect(outcomes(json)['a logout without a token']).toBe('passed');
    const failed = json.interactions.filter((i) => i.outcome === 'failed');
    expect(failed).toHaveLength(4);
    for (const i of failed) expect(i.failures[0]).toMatchObject({ part: 'state', message: expect.stringContaining('exited 4: identity provider is down') });
  });
});

describe('verify against providers that drift from the contract', () => {
  const cases: { drift: Drift; breaks: string | undefined; part?: string }[] = [
    { drift: 'none', breaks: undefined },
    { drift: 'wrong-status', breaks: 'a logout with an expired token', part: 'status' },
    { drift: 'missing-error-code', breaks: 'a logout with the valid token of a user who is not a customer', part: 'body' },
    { drift: 'wrong-content-type', breaks: "a logout with the customer's active session token", part: 'header' },
  ];

  it.each(cases)('$drift: fails exactly the interaction the drift breaks (none: passes)', async ({ drift, breaks, part }) => {
    const provider = await startDriftingProvider(drift);
    try {
      // With --json the report is on stdout and the human summary on stderr.
      const run = await runCli(['verify', '--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl, '--json']);
      const r = report(run.stdout);
      if (breaks === undefined) {
        expect(run.code).toBe(0);
        expect(r.summary).toEqual({ total: 5, passed: 5, failed: 0, pending: 0 });
        return;
      }
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`✗ customer-web-app: ${breaks}`);
      expect(r.summary).toMatchObject({ total: 5, passed: 4, failed: 1 });
      const failed = r.interactions.find((i) => i.outcome === 'failed');
      expect(failed?.description).toBe(breaks);
      expect(failed?.failures.map((f) => f.part)).toContain(part);
    } finally {
      await provider.close();
    }
  });

  it('writes the failing interaction into the JUnit report', async () => {
    const provider = await startDriftingProvider('wrong-status');
    const junit = join(scratch, 'drift.xml');
    try {
      const run = await runCli(['verify', '--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl, '--junit', junit]);
      expect(run.code).toBe(1);
    } finally {
      await provider.close();
    }
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*tests="5" failures="1"/);
    expect(xml).toMatch(/<testcase [^>]*name="a logout with an expired token"[^>]*>\s*<failure [^>]*type="status"/);
  });

  it('needs no state option when the pacts name no provider states', async () => {
    const pact = JSON.parse(await readFile(PACT, 'utf8')) as { interactions: { description: string }[] };
    pact.interactions = pact.interactions.filter((i) => i.description === 'a logout without a token');
    const file = join(scratch, 'stateless.json');
    await writeFile(file, JSON.stringify(pact));
    const provider = await startDriftingProvider('none');
    try {
      const run = await runCli(['verify', '--pact', file, '--provider-base-url', provider.url, '--json']);
      expect(run.code).toBe(0);
      expect(report(run.stdout).summary).toMatchObject({ total: 1, passed: 1 });
    } finally {
      await provider.close();
    }
  });
});

describe('verify usage errors exit 2 and name the flag', () => {
  const cases: { argv: string[]; flag: string }[] = [
    { argv: ['--provider-base-url', 'http://127.0.0.1:9'], flag: '--state-setup-url' },
    { argv: ['--provider-base-url', 'http://127.0.0.1:9', '--state-setup-url', 'http://127.0.0.1:9/s', '--token-command', 'echo x'], flag: '--token-command' },
    { argv: ['--state-setup-url', 'http://127.0.0.1:9/s'], flag: '--provider-base-url' },
    { argv: ['--token-command', 'echo x'], flag: '--provider-base-url' },
    { argv: ['--provider-base-url', 'staging.example'], flag: '--provider-base-url' },
    { argv: ['--pact', 'no/such/pacts'], flag: '--pact' },
    { argv: ['--provider', 'billing-service'], flag: '--provider' },
    { argv: ['--consumer-version-selector', '{"mainBranch":true}'], flag: '--broker-url' },
    { argv: ['--broker-url', 'http://127.0.0.1:9', '--consumer-version-selector', '{mainBranch}'], flag: '--consumer-version-selector' },
    { argv: ['--provider-base-url', 'http://127.0.0.1:9', '--token-command', 'echo x', '--publish', '--provider-version', '1'], flag: '--broker-url' },
    {
      argv: ['--provider-base-url', 'http://127.0.0.1:9', '--token-command', 'echo x', '--broker-url', 'http://127.0.0.1:9', '--publish'],
      flag: '--provider-version',
    },
    { argv: ['--broker-url', 'http://127.0.0.1:9', '--publish', '--provider-version', '1'], flag: '--provider-base-url' },
  ];

  it.each(cases)('verify $argv', async ({ argv, flag }) => {
    const run = await runCli(['verify', ...argv]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
  });
});

describe('verify with a broker', () => {
  it('exits 1 naming the broker when it cannot be reached', async () => {
    const run = await runCli(['verify', '--broker-url', 'http://127.0.0.1:9', '--json']);
    expect(run.code).toBe(1);
    const json = report(run.stdout);
    expect(json.result).toBe('failed');
    expect(json.errors.join('\n')).toContain('http://127.0.0.1:9');
  });
});

describe('the real bin', () => {
  it("prints nothing but the JSON report on stdout with --json (Pact's own output kept out of it)", async () => {
    const bin = join(ROOT, 'bin', 'worth-auth-mock.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'verify', '--json'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    expect(report(stdout).summary).toEqual({ total: 5, passed: 5, failed: 0, pending: 0 });
  });

  it('exits 1 when verification fails', async () => {
    const provider = await startDriftingProvider('wrong-content-type');
    const bin = join(ROOT, 'bin', 'worth-auth-mock.js');
    try {
      const failure = await promisify(execFile)(
        process.execPath,
        [bin, 'verify', '--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl],
        { cwd: ROOT },
      ).then(
        () => undefined,
        (error: { code?: number; stdout?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toContain("✗ customer-web-app: a logout with the customer's active session token");
    } finally {
      await provider.close();
    }
  });
});
