import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/pact/check.ts';
import { runCli } from '../support/cli.ts';

const PACT = fileURLToPath(new URL('../../pacts/customer-web-app-auth-service.json', import.meta.url));

type V4Interaction = {
  description: string;
  request: { method: string; path: string };
  response: { status: number; headers?: Record<string, string[]>; body?: { content: Record<string, unknown> } };
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pact-check-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The committed pact with one interaction changed, written to a scratch file. */
async function pactWith(description: string, change: (interaction: V4Interaction) => void): Promise<string> {
  const pact = JSON.parse(await readFile(PACT, 'utf8')) as { interactions: V4Interaction[] };
  const interaction = pact.interactions.find((i) => i.description === description);
  if (!interaction) throw new Error(`the committed pact has no interaction "${description}"`);
  change(interaction);
  const file = join(scratch, `${description.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(pact));
  return file;
}

describe('check', () => {
  it('allows every interaction of the committed pact and exits 0', async () => {
    const run = await runCli(['check']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout.match(/✓ customer-web-app → auth-service: /g)).toHaveLength(5);
  });

  it('reports as JSON with --json', async () => {
    const run = await runCli(['check', '--pact', PACT, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.result).toBe('passed');
    expect(report.summary).toEqual({ total: 5, allowed: 5, violating: 0 });
  });

  const NO_TOKEN = 'a logout without a token';
  const SUCCESS = "a logout with the customer's active session token";
  const cases: { name: string; description: string; change: (i: V4Interaction) => void; part: string }[] = [
    { name: 'an undocumented status', description: NO_TOKEN, change: (i) => void (i.response.status = 404), part: 'response 404:' },
    {
      name: 'a body field of the wrong type',
      description: NO_TOKEN,
      change: (i) => void (i.response.body!.content.errorCode = 401),
      part: 'response 401: body.errorCode',
    },
    {
      name: 'a response that is not JSON',
      description: SUCCESS,
      change: (i) => void (i.response.headers = { 'Content-Type': ['text/plain'] }),
      part: 'response 200:',
    },
    {
      name: 'an operation the spec does not have',
      description: SUCCESS,
      change: (i) => void (i.request.path = '/auth/api/v1/customer/signout'),
      part: 'request: the spec has no operation POST /customer/signout',
    },
    {
      name: 'a method the spec does not have',
      description: SUCCESS,
      change: (i) => void (i.request.method = 'DELETE'),
      part: 'request: the spec has no operation DELETE /customer/logout',
    },
    {
      name: 'a path outside the base path',
      description: NO_TOKEN,
      change: (i) => void (i.request.path = '/customer/logout'),
      part: 'request: path /customer/logout',
    },
  ];

  it.each(cases)('rejects $name with exit 1, naming the interaction', async ({ description, change, part }) => {
    const file = await pactWith(description, change);
    const run = await runCli(['check', '--pact', file, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.summary).toEqual({ total: 5, allowed: 4, violating: 1 });
    const bad = report.interactions.find((i) => i.violations.length > 0);
    expect(bad?.description).toBe(description);
    expect(bad?.violations.some((v) => v.startsWith(part))).toBe(true);
    expect(run.stderr).toContain(`"${description}"`);
  });

  it('lists the violations in the human report', async () => {
    const file = await pactWith(NO_TOKEN, (i) => void (i.response.status = 404));
    const run = await runCli(['check', '--pact', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✗ customer-web-app → auth-service: ${NO_TOKEN}`);
    expect(run.stdout).toMatch(/\n {6}response 404: /);
  });

  it.each([
    { argv: ['--pact', 'no/such/pacts'], flag: '--pact' },
    { argv: ['--spec', 'no/such/spec.yaml'], flag: '--spec' },
  ])('exits 2 for $argv', async ({ argv, flag }) => {
    const run = await runCli(['check', ...argv]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
  });
});
