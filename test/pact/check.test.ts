import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/pact/check.ts';
import { runCli } from '../support/cli.ts';
import { COMMITTED_PACT, pactWith as changedPact, type V4Interaction } from '../support/pact-edit.ts';
import { ALL_INTERACTIONS } from '../support/pact-interactions.ts';

const PACT = COMMITTED_PACT;
const TOTAL = ALL_INTERACTIONS.length;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pact-check-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The committed pact with one interaction changed, written to a scratch file. */
const pactWith = (description: string, change: (interaction: V4Interaction) => void) => changedPact(scratch, description, change);

describe('check', () => {
  it('allows every interaction of the committed pact and exits 0', async () => {
    const run = await runCli(['check']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout.match(/✓ customer-web-app → auth-service: /g)).toHaveLength(TOTAL);
  });

  it("warns, without failing, where the spec leaves a request body open: refresh's page documents none", async () => {
    const run = await runCli(['check', '--pact', PACT, '--json']);
    const report = JSON.parse(run.stdout) as CheckReport;
    const refreshes = report.interactions.filter((i) => i.description.startsWith('a refresh'));
    expect(refreshes).toHaveLength(3);
    for (const i of refreshes) {
      expect(i.violations).toEqual([]);
      expect(i.warnings).toEqual(["request: the spec documents no request body for POST /refresh-token/customer; the pact's body is not checked"]);
    }
    expect(report.interactions.filter((i) => !i.description.startsWith('a refresh')).every((i) => i.warnings.length === 0)).toBe(true);
  });

  it('reports as JSON with --json', async () => {
    const run = await runCli(['check', '--pact', PACT, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.result).toBe('passed');
    expect(report.summary).toEqual({ total: TOTAL, allowed: TOTAL, violating: 0 });
  });

  const NO_TOKEN = 'a logout without a token';
  const SUCCESS = "a logout with the customer's active session token";
  const SIGN_IN = 'a sign-in with the right email and password';
  /** The no-token request made to Get Customer Subroles of `customer` instead (whose 401 is the same). */
  const toSubroles = (customer: string) => (i: V4Interaction) => {
    i.request.method = 'GET';
    i.request.path = `/auth/api/v1/customers/${customer}/subroles`;
  };

  it('finds an operation by its path template ({customerID} is any segment) and allows it', async () => {
    const file = await pactWith(NO_TOKEN, toSubroles('00000000-0000-4000-8000-000000000003'));
    const run = await runCli(['check', '--pact', file, '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as CheckReport).summary).toEqual({ total: TOTAL, allowed: TOTAL, violating: 0 });
  });

  const cases: { name: string; description: string; change: (i: V4Interaction) => void; part: string }[] = [
    { name: 'an undocumented status', description: NO_TOKEN, change: (i) => void (i.response.status = 404), part: 'response 404:' },
    {
      name: 'a body field of the wrong type',
      description: NO_TOKEN,
      change: (i) => void ((i.response.body!.content as Record<string, unknown>).errorCode = 401),
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
      name: "a path parameter that fails its schema (Get Customer Subroles' customerID not a UUID)",
      description: NO_TOKEN,
      change: toSubroles('customer-3'),
      part: 'request: path.customerid: Request path parameter customerid must match format "uuid"',
    },
    {
      name: 'a path one segment longer than any template',
      description: NO_TOKEN,
      change: (i) => {
        toSubroles('00000000-0000-4000-8000-000000000003')(i);
        i.request.path += '/cro';
      },
      part: 'request: the spec has no operation GET /customers/00000000-0000-4000-8000-000000000003/subroles/cro',
    },
    // The user-management interactions: the list's shape, create's status and body, a path's customer.
    {
      name: "a list whose total_items is a number (the page's is a string)",
      description: "a request for the customer's users",
      change: (i) => void (((i.response.body!.content as Record<string, unknown>).data as Record<string, unknown>).total_items = 1),
      part: 'response 200: body.data.total_items',
    },
    {
      name: 'a create that answers 201 (the page documents 200)',
      description: 'a request to create a new customer user',
      change: (i) => void (i.response.status = 201),
      part: 'response 201: Unable to match the returned status code',
    },
    {
      name: 'a create without a subrole',
      description: 'a request to create a new customer user',
      change: (i) => void delete (i.request.body!.content as Record<string, unknown>).subrole,
      part: "request: body: Request body must have required property 'subrole'",
    },
    {
      name: 'an accept whose id_token is not a string',
      description: 'an acceptance of an invitation with a new password',
      change: (i) => void (((i.response.body!.content as Record<string, unknown>).data as Record<string, unknown>).id_token = true),
      part: 'response 200: body.data.id_token',
    },
    {
      name: 'a path outside the base path',
      description: NO_TOKEN,
      change: (i) => void (i.request.path = '/customer/logout'),
      part: 'request: path /customer/logout',
    },
    // Sign-in's request body against its schema: email and password required strings, email in email format.
    {
      name: 'a sign-in without a password',
      description: SIGN_IN,
      change: (i) => void delete (i.request.body!.content as Record<string, unknown>).password,
      part: "request: body: Request body must have required property 'password'",
    },
    {
      name: 'a sign-in whose email is not an email address',
      description: SIGN_IN,
      change: (i) => void ((i.request.body!.content as Record<string, unknown>).email = 'customer-at-example'),
      part: 'request: body.email: Request body property email must match format "email"',
    },
    {
      name: 'a sign-in whose password is not a string',
      description: SIGN_IN,
      change: (i) => void ((i.request.body!.content as Record<string, unknown>).password = 12345678),
      part: 'request: body.password: Request body property password must be string',
    },
    {
      name: 'a sign-in body that is not JSON',
      description: SIGN_IN,
      change: (i) => void (i.request.headers = { 'Content-Type': ['text/plain'] }),
      part: 'request: Supported content types: application/json',
    },
    {
      // id_token is matched by type in the pact: its example is still checked.
      name: 'a sign-in answer with the tokens out of data',
      description: SIGN_IN,
      change: (i) => {
        const data = (i.response.body!.content as Record<string, unknown>).data as Record<string, unknown>;
        data.id_token = 42;
      },
      part: 'response 200: body.data.id_token',
    },
    // What the pact states and the spec does not allow, where the rest is left open (check-open.test.ts).
    {
      name: 'a sign-in whose request states no body (the Verifier sends none; the spec requires one)',
      description: SIGN_IN,
      change: (i) => void delete i.request.body,
      part: "request: body: the pact's request has no body, so the Verifier sends none, and the spec requires one for POST /customer/sign-in",
    },
    {
      name: "a sign-in whose request body is Pact's empty body (null)",
      description: SIGN_IN,
      change: (i) => void (i.request.body = null),
      part: "request: body: the pact's request has no body",
    },
    {
      name: 'a response that states only a status the spec does not document',
      description: SUCCESS,
      change: (i) => {
        i.response = { status: 404 };
      },
      part: 'response 404: Unable to match the returned status code',
    },
    {
      name: 'a response that states a Content-Type the spec does not document, and no body',
      description: SUCCESS,
      change: (i) => {
        i.response = { status: 200, headers: { 'Content-Type': ['text/plain'] } };
      },
      part: 'response 200: The received media type "text/plain" does not match',
    },
    {
      name: 'a response that states an empty body (null) where the spec documents JSON',
      description: SUCCESS,
      change: (i) => void (i.response.body = null),
      part: 'response 200: body: the pact states an empty body (null)',
    },
    {
      name: 'a response that states an empty body ("") where the spec documents JSON',
      description: SUCCESS,
      change: (i) => void (i.response.body = { content: '', contentType: 'application/json', encoded: false }),
      part: 'response 200: body: the pact states an empty body ("")',
    },
    // A matcher makes a value an example: the example is still what the consumer was tested with, and is checked.
    {
      name: 'a regex-matched example the spec does not allow (customer_details.id not a UUID)',
      description: SIGN_IN,
      change: (i) => {
        const data = (i.response.body!.content as Record<string, unknown>).data as Record<string, Record<string, unknown>>;
        data.customer_details!.id = 'customer-3';
        ((i.response.matchingRules!.body as Record<string, unknown>)['$.data.customer_details.id'] as { matchers: unknown[] }).matchers = [
          { match: 'regex', regex: '.+' },
        ];
      },
      part: 'response 200: body.data.customer_details.id',
    },
  ];

  it.each(cases)('rejects $name with exit 1, naming the interaction', async ({ description, change, part }) => {
    const file = await pactWith(description, change);
    const run = await runCli(['check', '--pact', file, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.summary).toEqual({ total: TOTAL, allowed: TOTAL - 1, violating: 1 });
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
