import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CheckReport } from '../../src/pact/check.ts';
import type { VerificationReport } from '../../src/pact/report.ts';
import { runCli } from '../support/cli.ts';
import { startDriftingProvider } from '../support/drifting-provider.ts';
import { ALL_INTERACTIONS, STATELESS } from '../support/pact-interactions.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'worth-auth-mock.js');
const descriptions = (stdout: string) => (JSON.parse(stdout) as VerificationReport).interactions.map((i) => i.description).sort();

describe('verify --interaction / --state: a subset, chosen as Pact chooses (regular expressions)', () => {
  it.each([
    { argv: ['--interaction', 'sign-in'], chosen: ALL_INTERACTIONS.filter((d) => d.includes('sign-in')) },
    { argv: ['--interaction', '^a refresh with'], chosen: ALL_INTERACTIONS.filter((d) => d.startsWith('a refresh with')) },
    {
      argv: ['--state', 'a customer with an active session'],
      chosen: ["a logout with the customer's active session token", 'a refresh with the refresh token of an active session'],
    },
    { argv: ['--state', ''], chosen: STATELESS },
    { argv: ['--interaction', 'logout', '--state', 'expired'], chosen: ['a logout with an expired token'] },
  ])('$argv verifies only $chosen', async ({ argv, chosen }) => {
    const run = await runCli(['verify', ...argv, '--json']);
    expect(run.code).toBe(0);
    expect(descriptions(run.stdout)).toEqual([...chosen].sort());
    expect(run.stderr).toContain(`verified ${chosen.length} of ${ALL_INTERACTIONS.length} interactions`);
    expect(run.stderr).toContain(`[${chosen.length}/${chosen.length}] ✓`);
  });

  it('needs no state option for a real provider when the chosen interactions name no state', async () => {
    const provider = await startDriftingProvider('none');
    try {
      const run = await runCli(['verify', '--provider-base-url', provider.url, '--state', '', '--json']);
      expect(run.code).toBe(0);
      expect(descriptions(run.stdout)).toEqual([...STATELESS].sort());
    } finally {
      await provider.close();
    }
  });

  it('on a terminal, shows the interaction being verified until its coloured verdict replaces it', async () => {
    const writes: string[] = [];
    const code = await main(['verify', '--interaction', 'wrong password'], {
      stdout: (s) => void writes.push(s),
      stderr: () => {},
      color: true,
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    const at = writes.indexOf('  [1/1] … customer-web-app: a sign-in with a wrong password');
    expect(at).toBeGreaterThan(-1);
    expect(writes[at + 1]).toMatch(
      /^\r\x1b\[2K {2}\[1\/1\] \x1b\[32m✓\x1b\[0m customer-web-app: a sign-in with a wrong password {2}\(given a customer with credentials\)/,
    );
  });

  it('names the interactions there are when --interaction matches none', async () => {
    const run = await runCli(['verify', '--interaction', 'carrier pigeon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--interaction "carrier pigeon" matches none of the ${ALL_INTERACTIONS.length} interactions`);
    expect(run.stderr).toContain('"a sign-in with a wrong password"');
  });

  it('a filter that is no regular expression is named first, before any pact is read (here --pact names no file)', async () => {
    const run = await runCli(['verify', '--interaction', 'sign-in (', '--pact', join(tmpdir(), 'no-such-pacts-folder')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--interaction must be a regular expression');
    expect(run.stderr).not.toContain('no-such-pacts-folder');
  });
});

describe('in a project without ./pacts (installed from npm into an empty folder)', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'pact-empty-project-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [BIN, ...args], { cwd: empty, env: { ...process.env, NO_COLOR: '1' } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );

  it('check reads the pacts bundled with the package, and says so', async () => {
    const { code, stdout } = await run(['check', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as CheckReport;
    expect(report.summary).toMatchObject({ total: ALL_INTERACTIONS.length, violating: 0 });
    expect(report.notes.join('\n')).toContain('./pacts does not exist: read the pacts bundled with worth-auth-mock');
  });

  it('verify reads them too', async () => {
    const { code, stdout, stderr } = await run(['verify', '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as VerificationReport).summary.passed).toBe(ALL_INTERACTIONS.length);
    expect(stderr).toContain('read the pacts bundled with worth-auth-mock');
  });

  it('an explicit --pact pacts still means ./pacts, and is refused naming --pact', async () => {
    const { code, stderr } = await run(['check', '--pact', 'pacts']);
    expect(code).toBe(2);
    expect(stderr).toContain('--pact pacts does not exist');
  });

  it('--help says where the pacts come from by default', async () => {
    for (const command of ['verify', 'check']) {
      const { stdout } = await run([command, '--help']);
      expect(stdout.replace(/\s+/g, ' ')).toContain('(default: ./pacts, else the pacts bundled with worth-auth-mock');
    }
  });
});
