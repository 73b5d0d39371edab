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
import { ALL_INTERACTIONS, STATELESS } from '../support/pact-interactions.ts';

// Every run verifies the committed pact (pacts/customer-web-app-auth-service.json), not one a consumer test
// may be rewriting in the same run: the default --pact is pacts/, read relative to the working directory.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACT = join(ROOT, 'pacts', 'customer-web-app-auth-service.json');
const TOTAL = ALL_INTERACTIONS.length;
const ALL_PASSED = { total: TOTAL, passed: TOTAL, failed: 0, pending: 0, notRun: 0 };

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
  it('passes every interaction of the committed pact, printing each verdict as it comes, and exits 0', async () => {
    const run = await runCli(['verify']);
    expect(run.code).toBe(0);
    for (const description of ALL_INTERACTIONS) expect(run.stdout).toContain(`✓ customer-web-app: ${description}`);
    expect(run.stdout).not.toContain('✗');
    // The report as it runs, on stdout: interaction n of m, its state, its verdict; then the counts.
    expect(run.stdout).toContain(`Verifying ${TOTAL} interactions of auth-service`);
    expect(run.stdout).toMatch(new RegExp(`\\[1/${TOTAL}\\] ✓ customer-web-app: .+`));
    expect(run.stdout).toContain(`[${TOTAL}/${TOTAL}] ✓`);
    expect(run.stdout).toContain('(given a customer with credentials)');
    expect(run.stdout).toContain(`${TOTAL} interactions: ${TOTAL} passed, 0 failed`);
    expect(run.stderr).toBe('');
  });

  it('writes a JSON report to stdout and a JUnit report to --junit', async () => {
    const junit = join(scratch, 'reports', 'pact.xml');
    const run = await runCli(['verify', '--pact', PACT, '--json', '--junit', junit]);
    expect(run.code).toBe(0);
    const json = report(run.stdout);
    expect(json.result).toBe('passed');
    expect(json.summary).toEqual(ALL_PASSED);
    expect(Object.keys(outcomes(json)).sort()).toEqual([...ALL_INTERACTIONS].sort());
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*tests="${TOTAL}" failures="0" errors="0"`));
    expect(xml.match(/<testcase /g)).toHaveLength(TOTAL);
  });

  it('still prints the summary, then exits 2 naming --junit, when the report cannot be written', async () => {
    const run = await runCli(['verify', '--junit', scratch]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${TOTAL} passed`);
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
    await mock.reset();
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--state-setup-url', `${mock.url}/__mock/provider-states`, '--json']);
    expect(run.code).toBe(0);
    expect(report(run.stdout).summary).toEqual(ALL_PASSED);
    // The states really were set up on that mock: its journal holds the verifier's requests and their answers.
    const byOperation = (operation: string) =>
      mock
        .requests()
        .then((entries) => entries.filter((e) => e.operation === operation).map((e) => e.status))
        .then((statuses) => statuses.sort());
    expect(await byOperation('logout')).toEqual([200, 401, 401, 401, 403]);
    expect(await byOperation('sign-in')).toEqual([200, 400]);
    expect(await byOperation('refresh')).toEqual([200, 400, 401]);
    expect(await byOperation('get-customer-users')).toEqual([200, 403]);
    expect(await byOperation('create-customer-user')).toEqual([200, 400]);
    expect(await byOperation('get-customer-user')).toEqual([404]);
    expect(await byOperation('accept-invitation')).toEqual([200]);
    expect(await byOperation('forgot-password')).toEqual([200]);
    expect(await byOperation('reset-password')).toEqual([200]);
  });

  it('passes with --token-command instead, the command printing a bare token or a JSON object of values', async () => {
    const command = `"${process.execPath}" "${join(ROOT, 'test', 'support', 'pact-token-command.ts')}" ${mock.url}`;
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--token-command', command, '--json']);
    expect(run.code).toBe(0);
    expect(report(run.stdout).summary).toEqual(ALL_PASSED);
  });

  it('fails the stateful interactions, naming the state, when the token command fails', async () => {
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--token-command', 'echo "identity provider is down" >&2; exit 4', '--json']);
    expect(run.code).toBe(1);
    const json = report(run.stdout);
    for (const description of STATELESS) expect(outcomes(json)[description]).toBe('passed');
    const failed = json.interactions.filter((i) => i.outcome === 'failed');
    expect(failed).toHaveLength(TOTAL - STATELESS.length);
    for (const i of failed)
      expect(i.failures[0]).toMatchObject({ part: 'state', message: expect.stringContaining('token command exited 4 (what it printed is not quoted') });
    expect(run.stdout).not.toContain('identity provider is down');
  });

  it('names the value a state did not give, when a token command prints only a token for a state that needs more', async () => {
    // An older command, from before the pact grew: a bare access token for whatever state.
    const script = `fetch('${mock.url}/__mock/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json()).then((j) => console.log(j.token))`;
    const command = `"${process.execPath}" -e "${script}"`;
    const run = await runCli(['verify', '--provider-base-url', mock.url, '--token-command', command, '--json', '--interaction', 'refresh token of an active']);
    expect(run.code).toBe(1);
    const [only] = report(run.stdout).interactions;
    expect(only?.failures[0]).toMatchObject({ part: 'state', message: expect.stringContaining('answered no "refreshToken"') });
  });
});

describe('verify against providers that drift from the contract', () => {
  const cases: { drift: Drift; breaks: string | undefined; part?: string }[] = [
    { drift: 'none', breaks: undefined },
    { drift: 'wrong-status', breaks: 'a logout with an expired token', part: 'status' },
    { drift: 'missing-error-code', breaks: 'a logout with the valid token of a user who is not a customer', part: 'body' },
    { drift: 'wrong-content-type', breaks: "a logout with the customer's active session token", part: 'header' },
    { drift: 'any-password', breaks: 'a sign-in with a wrong password', part: 'status' },
    { drift: 'refresh-after-logout', breaks: 'a refresh with the refresh token of a session that has logged out', part: 'status' },
    { drift: 'tokens-outside-data', breaks: 'a sign-in with the right email and password', part: 'body' },
    { drift: 'refresh-without-id-token', breaks: 'a refresh with the refresh token of an active session', part: 'body' },
  ];

  it.each(cases)('$drift: fails exactly the interaction the drift breaks (none: passes)', async ({ drift, breaks, part }) => {
    const provider = await startDriftingProvider(drift);
    try {
      // With --json the report is on stdout and the human summary on stderr.
      const run = await runCli(['verify', '--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl, '--json']);
      const r = report(run.stdout);
      // No token or password the provider handed out reaches the report, the summary or the progress.
      for (const secret of provider.secrets()) expect(run.stdout + run.stderr).not.toContain(secret);
      if (breaks === undefined) {
        expect(run.code).toBe(0);
        expect(r.summary).toEqual(ALL_PASSED);
        return;
      }
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`✗ customer-web-app: ${breaks}`);
      expect(r.summary).toMatchObject({ total: TOTAL, passed: TOTAL - 1, failed: 1 });
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
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*tests="${TOTAL}" failures="1"`));
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
    { argv: ['--timeout', '0'], flag: '--timeout' },
    { argv: ['--timeout', 'soon'], flag: '--timeout' },
    { argv: ['--interaction', 'a sign-in with a (wrong password'], flag: '--interaction' },
    { argv: ['--interaction', 'a logout by carrier pigeon'], flag: '--interaction' },
    { argv: ['--state', 'a customer who owns a yacht'], flag: '--state' },
  ];

  it.each(cases)('verify $argv', async ({ argv, flag }) => {
    const run = await runCli(['verify', ...argv]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
  });

  it('still writes the JSON and JUnit reports CI uploads, saying why nothing ran', async () => {
    const junit = join(scratch, 'usage', 'pact.xml');
    const run = await runCli(['verify', '--pact', 'no/such/pacts', '--json', '--junit', junit]);
    expect(run.code).toBe(2);
    const json = report(run.stdout);
    expect(json.result).toBe('failed');
    expect(json.errors.join('\n')).toContain('--pact no/such/pacts does not exist');
    expect(await readFile(junit, 'utf8')).toMatch(/<error message="verify could not run: --pact no\/such\/pacts does not exist/);
  });
  it.each([['abc'], ['0'], ['']])('writes both reports for a --timeout of %j too (a CI variable left empty)', async (value) => {
    const junit = join(scratch, 'usage', `timeout-${value || 'empty'}.xml`);
    const run = await runCli(['verify', '--timeout', value, '--json', '--junit', junit]);
    expect(run.code).toBe(2);
    expect(report(run.stdout).errors.join('\n')).toContain('--timeout');
    expect(await readFile(junit, 'utf8')).toMatch(/<error message="verify could not run: --timeout/);
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
    expect(report(stdout).summary).toEqual(ALL_PASSED);
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
