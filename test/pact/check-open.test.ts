import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/pact/check.ts';
import type { VerificationReport } from '../../src/pact/report.ts';
import { runCli } from '../support/cli.ts';
import { at, type PactDocument, pactWith, specWith, type V4Interaction, writePact } from '../support/pact-edit.ts';
import { ALL_INTERACTIONS } from '../support/pact-interactions.ts';

// What a pact leaves open is not checked: in Pact a missing body means any body, response headers and fields the
// pact does not state are the provider's to add, and a matcher's value is an example. `check` validates what the
// pact states (check.test.ts: what it states and the spec does not allow).
const TOTAL = ALL_INTERACTIONS.length;
const SUCCESS = "a logout with the customer's active session token";
const SIGN_IN = 'a sign-in with the right email and password';
const REFRESH = 'a refresh with the refresh token of an active session';
const SET_COOKIE = {
  headers: { 'Set-Cookie': ['refresh_token=example-refresh-token; Path=/auth/api/v1; HttpOnly; SameSite=Lax'] },
  matchingRules: { header: { 'Set-Cookie': { combine: 'AND', matchers: [{ match: 'regex', regex: '^refresh_token=[^;]+;.*HttpOnly.*$' }] } } },
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pact-check-open-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function check(pact: string, spec?: string): Promise<{ code: number; report: CheckReport }> {
  const run = await runCli(['check', '--pact', pact, ...(spec ? ['--spec', spec] : []), '--json']);
  return { code: run.code, report: JSON.parse(run.stdout) as CheckReport };
}

const violationsOf = (report: CheckReport, description: string) => report.interactions.find((i) => i.description === description)?.violations;

describe('check allows what a pact leaves open', () => {
  it('one reading: a response stating only a status, or only a Set-Cookie header, passes check and verify alike', async () => {
    const file = await writePact(scratch, (pact) => {
      const find = (d: string) => pact.interactions.find((i) => i.description === d)!;
      find(SUCCESS).response = { status: 200 };
      find(SIGN_IN).response = { status: 200, ...SET_COOKIE };
    });
    const checked = await check(file);
    expect(checked.report.interactions.filter((i) => i.violations.length > 0)).toEqual([]);
    expect(checked.code).toBe(0);
    const run = await runCli(['verify', '--pact', file, '--json']);
    expect((JSON.parse(run.stdout) as VerificationReport).interactions.filter((i) => i.outcome !== 'passed')).toEqual([]);
    expect((JSON.parse(run.stdout) as VerificationReport).summary).toEqual({ total: TOTAL, passed: TOTAL, failed: 0, pending: 0, notRun: 0 });
    expect(run.code).toBe(0);
  });

  const cases: { name: string; description: string; change: (i: V4Interaction) => void }[] = [
    { name: 'a response that states only its status', description: SUCCESS, change: (i) => void (i.response = { status: 200 }) },
    { name: 'a response that states only a Set-Cookie header', description: SIGN_IN, change: (i) => void (i.response = { status: 200, ...SET_COOKIE }) },
    {
      name: 'a response that states a JSON Content-Type and no body',
      description: REFRESH,
      change: (i) => void delete i.response.body,
    },
    {
      name: 'a response body whose content type only the v4 body states (no Content-Type header)',
      description: SIGN_IN,
      change: (i) => {
        delete i.response.headers;
        delete (i.response.matchingRules as Record<string, unknown>).header;
      },
    },
    {
      name: 'a response body that states one field of several',
      description: SIGN_IN,
      change: (i) => void (i.response.body = { content: { data: { id_token: 'eyJ.example.token' } }, contentType: 'application/json', encoded: false }),
    },
  ];

  it.each(cases)('$name', async ({ description, change }) => {
    const { code, report } = await check(await pactWith(scratch, description, change));
    expect(violationsOf(report, description)).toEqual([]);
    expect(code).toBe(0);
  });

  it('checks a request body whose content type only the v4 body states as that type, and warns that the Verifier sends none', async () => {
    const { code, report } = await check(await pactWith(scratch, SIGN_IN, (i) => void delete i.request.headers));
    const signIn = report.interactions.find((i) => i.description === SIGN_IN);
    expect(signIn?.violations).toEqual([]);
    expect(signIn?.warnings).toEqual([
      'request: the pact states no Content-Type header for its body, so the Verifier sends it without one; checked as application/json',
    ]);
    expect(code).toBe(0);
    const typedAsText = await pactWith(scratch, SIGN_IN, (i) => {
      delete i.request.headers;
      i.request.body!.contentType = 'text/plain';
    });
    expect(violationsOf((await check(typedAsText)).report, SIGN_IN)).toEqual(['request: Supported content types: application/json']);
  });

  it('reads a Pact v3 file as v3: bare bodies, even one with fields named "content" and "encoded"', async () => {
    const file = await writePact(scratch, (pact) => toV3(pact));
    expect((await check(file)).code).toBe(0);
    const odd = await writePact(scratch, (pact) => {
      toV3(pact);
      const signIn = pact.interactions.find((i) => i.description === SIGN_IN)!;
      // A sign-in body with two extra fields the schema allows: v4's wrapper shape, but a v3 body.
      Object.assign(signIn.request.body as unknown as Record<string, unknown>, { content: 'kept', encoded: false });
    });
    const { code, report } = await check(odd);
    expect(violationsOf(report, SIGN_IN)).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('check against a spec that asks more than the pact states', () => {
  // Logout's 200: both fields required (through a recursive $ref, which Prism bundles), a required X-Request-Id
  // header with a pattern, and a required query parameter.
  const demanding = () =>
    specWith(scratch, (document) => {
      const post = at(document, ['paths', '/customer/logout', 'post']);
      const ok = at(post, ['responses', '200']);
      at(document, ['components']).schemas = {
        LogoutOk: {
          type: 'object',
          required: ['status', 'message'],
          properties: { status: { type: 'string' }, message: { type: 'string' }, next: { $ref: '#/components/schemas/LogoutOk' } },
        },
      };
      at(ok, ['content', 'application/json']).schema = { $ref: '#/components/schemas/LogoutOk' };
      ok.headers = { 'X-Request-Id': { required: true, schema: { type: 'string', pattern: '^req-' } } };
      post.parameters = [{ name: 'reason', in: 'query', required: true, schema: { type: 'string', enum: ['idle', 'user'] } }];
    });

  it('leaves open the response fields and headers the pact does not state, at any depth', async () => {
    const file = await pactWith(scratch, SUCCESS, (i) => {
      i.request.query = { reason: ['user'] };
      i.response.body = { content: { message: 'Logout successful', next: { message: 'again' } }, contentType: 'application/json', encoded: false };
    });
    const { report } = await check(file, await demanding());
    expect(violationsOf(report, SUCCESS)).toEqual([]);
  });

  it.each([
    {
      name: 'a stated header the spec does not allow',
      change: (i: V4Interaction) => void (i.response.headers!['X-Request-Id'] = ['abc']),
      part: 'response 200:',
    },
    {
      name: 'a stated field of the wrong type',
      change: (i: V4Interaction) => ((i.response.body!.content as { status: unknown }).status = 1),
      part: 'response 200: body.status',
    },
    {
      name: 'a stated query value the spec does not allow',
      change: (i: V4Interaction) => void (i.request.query = { reason: ['bored'] }),
      part: 'request: query.reason',
    },
    {
      name: 'no query where the spec requires one (the Verifier sends none)',
      change: (i: V4Interaction) => void delete i.request.query,
      part: 'request: query',
    },
  ])('still refuses $name', async ({ change, part }) => {
    const file = await pactWith(scratch, SUCCESS, (i) => {
      i.request.query = { reason: ['user'] };
      change(i);
    });
    const { code, report } = await check(file, await demanding());
    expect(code).toBe(1);
    expect(violationsOf(report, SUCCESS)?.some((v) => v.startsWith(part))).toBe(true);
  });
});

/** The pact as Pact v3 writes it: bare bodies, headers as strings, no interaction type. */
function toV3(pact: PactDocument): void {
  pact.metadata = { pactSpecification: { version: '3.0.0' } };
  for (const i of pact.interactions as unknown as Record<string, unknown>[]) {
    delete i.type;
    delete i.pending;
    for (const part of [i.request, i.response] as Record<string, unknown>[]) {
      const body = part.body as { content: unknown } | undefined;
      if (body) part.body = body.content;
      const headers = part.headers as Record<string, string[]> | undefined;
      if (headers) part.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
    }
  }
}
