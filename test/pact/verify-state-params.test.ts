import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationReport } from '../../src/pact/report.ts';
import { runCli } from '../support/cli.ts';

// Provider states with params (Pact v3's `providerStates: [{ name, params }]`), verified by the real Pact Verifier
// against the mock started in-process: the built-in states use the params, or fail naming the ones they do not.
const PACT = fileURLToPath(new URL('../../pacts/customer-web-app-auth-service.json', import.meta.url));
const RIGHT = 'a sign-in with the right email and password';
const WRONG = 'a sign-in with a wrong password';

type Interaction = {
  description: string;
  providerStates?: { name: string; params?: Record<string, unknown> }[];
  request: { body?: { content: Record<string, unknown> }; generators?: unknown };
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pact-state-params-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/**
 * The committed pact's two sign-ins, as a consumer that states its credentials writes them: the state gets them as
 * params and the request sends them as they are (no `fromProviderState`), so only a state that uses them can pass.
 */
async function signInPact(params: Record<string, unknown>, name: string): Promise<string> {
  const pact = JSON.parse(await readFile(PACT, 'utf8')) as { interactions: Interaction[] };
  pact.interactions = pact.interactions.filter((i) => i.description === RIGHT || i.description === WRONG);
  for (const i of pact.interactions) {
    i.providerStates = [{ name: 'a customer with credentials', params }];
    delete i.request.generators;
    if (i.description === RIGHT) i.request.body!.content = { email: params.email, password: params.password };
    else i.request.body!.content.email = params.email;
  }
  const file = join(scratch, `${name}.json`);
  await writeFile(file, JSON.stringify(pact));
  return file;
}

describe('verify with provider-state params', () => {
  it('passes when the credentials state is given { email, password }: that user signs in with that password', async () => {
    const file = await signInPact({ email: 'jane.pact@example.com', password: 'the-password-in-the-pact' }, 'credentials');
    const run = await runCli(['verify', '--pact', file, '--json']);
    const report = JSON.parse(run.stdout) as VerificationReport;
    expect(report.interactions.map((i) => [i.description, i.outcome, i.failures])).toEqual([
      [WRONG, 'passed', []],
      [RIGHT, 'passed', []],
    ]);
    expect(run.code).toBe(0);
  });

  it.each([
    { params: { email: 'jane.pact@example.com', password: 'pw-1', tenant: 'acme' }, names: ['"tenant"'] },
    { params: { email: 'jane.pact@example.com', password: 42 }, names: ['"password"', 'non-empty string'] },
  ])('fails the state, naming the param, for $params', async ({ params, names }) => {
    const file = await signInPact(params, `refused-${names.length}`);
    const run = await runCli(['verify', '--pact', file, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as VerificationReport;
    for (const i of report.interactions) {
      expect(i.outcome).toBe('failed');
      const [first] = i.failures;
      expect(first?.part).toBe('state');
      expect(first?.message).toContain('provider state "a customer with credentials"');
      expect(first?.message).toContain('answered 400 to its setup: ');
      for (const name of names) expect(first?.message).toContain(name);
    }
    // The human summary says it too.
    expect(run.stderr).toContain(names[0]!);
  });
});
