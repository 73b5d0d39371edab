import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { TOKEN_KINDS } from '../../src/tokens/issuer.ts';
import { armFault, CONTENT_TYPE, expectValid, faultFor, isJwt, send, sometimes } from '../support/contract-requests.ts';
import { type Answer, DEMO, logout, mockOn, violations } from '../support/mock.ts';
import { propertyRuns } from '../support/mutation.ts';

let mock: Mock;
let detailed: Mock;
/** Sign-in's page-example shape (`--sign-in-wrap double`), wrong credentials answering the documented 500. */
let double: Mock;
/** A mock whose clock has run past the refresh lifetime of `expiredRefresh`. */
let later: Mock;
let expiredRefresh: string;
beforeAll(async () => {
  [mock, detailed, double, later] = await Promise.all([
    mockOn(),
    mockOn({ detailedErrors: true, badRequestCode: 'INVALID' }),
    mockOn({ signInWrap: 'double', signInFailure: 500 }),
    mockOn({ refreshTtlSeconds: 600 }),
  ]);
  for (const target of [mock, detailed, double]) {
    await target.users.add({ email: 'ops@example.com', password: 'Admin-Password-1', role: 'admin' });
    await target.users.add({ email: 'gone@example.com', password: 'Gone-Password-1', disabled: true });
  }
  expiredRefresh = (await later.issueToken()).refreshToken;
  await later.clock.advance(601);
});
afterAll(async () => {
  await Promise.all([mock, detailed, double, later].map((m) => m.close()));
});

/** POSTs a request and reads the answer (a non-JSON body stays text: itself a violation Prism reports). */
const post = (url: string, headers: [string, string][], body: string | undefined): Promise<Answer> => send('POST', url, headers, body);

const PREFER = sometimes(
  fc.constantFrom('code=200', 'code=400', 'code=401', 'code=403', 'code=500', 'code=418', 'code=abc', 'delay=0', 'return=minimal', 'code=500, delay=0'),
  2,
);
/** An armed fault for the operation (or for every one), now and then: a documented status, or one that only delays. */
const FAULT = (operation: 'sign-in' | 'refresh') => faultFor(operation, [200, 400, 401, 403, 500]);

/** One sign-in request as a client might send it: any credentials, body shape, content type, override and target. */
const signInRequest = fc.record({
  target: fc.constantFrom('mock' as const, 'detailed' as const, 'double' as const),
  // Half the time a pair that signs in (so the 200s of both wraps are reached), else any mix.
  credentials: fc.oneof(
    fc.constantFrom<{ email: unknown; password: unknown }>(
      { email: DEMO.email, password: DEMO.password },
      { email: ' Customer@Example.COM ', password: DEMO.password },
      { email: 'ops@example.com', password: 'Admin-Password-1' },
    ),
    fc.record({
      email: fc.constantFrom<unknown>(DEMO.email, 'gone@example.com', 'nobody@example.com', 'customer', '', 42, null, undefined),
      password: fc.constantFrom<unknown>(DEMO.password, 'Gone-Password-1', 'wrong', '', 12345678, [DEMO.password], undefined),
    }),
  ),
  extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }), { nil: undefined }),
  shape: fc.constantFrom('object', 'object', 'object', 'none', 'garbage', 'json', 'array', 'truncated'),
  garbage: fc.oneof(fc.string({ maxLength: 40 }), fc.json()),
  contentType: CONTENT_TYPE,
  prefer: PREFER,
  fault: FAULT('sign-in'),
});

/** One refresh request: any token kind, carried in the body, the cookie, both or neither, with any body around it. */
const refreshRequest = fc.record({
  target: fc.constantFrom('mock' as const, 'detailed' as const),
  kind: fc.constantFrom('valid', 'valid', 'minted', 'logged-out', 'expired', 'tampered', 'access', 'id', 'junk', 'empty', 'number', 'null', 'none'),
  carrier: fc.constantFrom('body', 'body', 'cookie', 'both', 'camelCase'),
  shape: fc.constantFrom('object', 'object', 'object', 'garbage', 'array', 'truncated'),
  garbage: fc.oneof(fc.string({ maxLength: 40 }), fc.json()),
  contentType: CONTENT_TYPE,
  prefer: PREFER,
  fault: FAULT('refresh'),
});

/** One logout request as a client might send it: any token kind, scheme, override, body and header mix. */
const request = fc.record({
  kind: fc.constantFrom(...TOKEN_KINDS, 'none' as const, 'id' as const, 'junk' as const, 'reuse' as const),
  scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', ''),
  prefer: fc.option(fc.constantFrom('code=200', 'code=400', 'code=401', 'code=403', 'code=500', 'code=418', 'code=abc', 'delay=0', 'return=minimal'), {
    nil: undefined,
  }),
  body: fc.option(fc.oneof(fc.constant('{}'), fc.constant('{"a":'), fc.json(), fc.string({ maxLength: 50 })), { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/problem+json', undefined),
  duplicateAuthorization: fc.boolean(),
  detailed: fc.boolean(),
});

describe('every answer on the contract path validates against the spec (Prism)', () => {
  it('holds over many requests', async () => {
    const reused = await mock.issueToken();
    await logout(mock, { token: reused.token });
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const target = r.detailed ? detailed : mock;
        let token: string | undefined;
        if (r.kind === 'junk') token = 'not.a.token';
        else if (r.kind === 'reuse') token = reused.token;
        else if (r.kind === 'id') token = (await target.issueToken()).idToken;
        else if (r.kind !== 'none') token = (await target.issueToken({ kind: r.kind })).token;
        const headers: [string, string][] = [];
        if (token !== undefined) headers.push(['authorization', `${r.scheme} ${token}`.trim()]);
        if (token !== undefined && r.duplicateAuthorization) headers.push(['authorization', 'Bearer x.y.z']);
        if (r.prefer) headers.push(['prefer', r.prefer]);
        if (r.contentType && r.body !== undefined) headers.push(['content-type', r.contentType]);
        const response = await fetch(target.urls.logout, { method: 'POST', headers, body: r.body });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // a non-JSON body is itself a violation Prism reports
        }
        seen.add(response.status);
        const problems = await violations({ status: response.status, headers: response.headers, body, text });
        expect(problems, `${response.status} ${text}`).toEqual([]);
        expect(response.headers.get('cache-control')).toBe('no-store');
      }),
      { numRuns: propertyRuns(300), seed: 20261125 },
    );
    // The generator reaches every documented status except the store failure.
    expect([...seen].sort()).toEqual([200, 400, 401, 403, 500]);
  });

  it('holds over many sign-in requests, reaching every documented status and the 200 of both wraps', async () => {
    const targets = { mock, detailed, double };
    const seen = new Set<number>();
    const wraps = new Set<string>();
    await fc.assert(
      fc.asyncProperty(signInRequest, async (r) => {
        const target = targets[r.target];
        const fields: Record<string, unknown> = { ...r.extra };
        if (r.credentials.email !== undefined) fields.email = r.credentials.email;
        if (r.credentials.password !== undefined) fields.password = r.credentials.password;
        const body = {
          object: JSON.stringify(fields),
          none: undefined,
          garbage: typeof r.garbage === 'string' ? r.garbage : JSON.stringify(r.garbage),
          json: JSON.stringify(r.garbage),
          array: JSON.stringify([fields]),
          truncated: JSON.stringify(fields).slice(0, -1),
        }[r.shape];
        const headers: [string, string][] = [];
        if (r.contentType && body !== undefined) headers.push(['content-type', r.contentType]);
        if (r.prefer) headers.push(['prefer', r.prefer]);
        await armFault(target, r.fault);
        try {
          const answer = await post(target.urls['sign-in'] as string, headers, body);
          seen.add(answer.status);
          await expectValid(answer, 'sign-in');
          const data = (answer.body as { data?: { data?: { id_token?: unknown }; id_token?: unknown } } | undefined)?.data;
          if (answer.status === 200 && isJwt(data?.id_token ?? data?.data?.id_token)) wraps.add(data?.data === undefined ? 'single' : 'double');
        } finally {
          await target.faults.clear();
        }
      }),
      { numRuns: propertyRuns(250), seed: 20261201 },
    );
    expect([...seen].sort()).toEqual([200, 400, 401, 403, 500]);
    expect([...wraps].sort()).toEqual(['double', 'single']);
  });

  it('holds over many refresh requests, reaching every documented status', async () => {
    const targets = { mock, detailed };
    const seen = new Set<number>();
    const refreshed = new Set<string>();
    await fc.assert(
      fc.asyncProperty(refreshRequest, async (r) => {
        const target = r.kind === 'expired' ? later : targets[r.target];
        let token: unknown;
        if (r.kind === 'valid' || r.kind === 'access' || r.kind === 'id' || r.kind === 'logged-out' || r.kind === 'tampered') {
          const signedIn = await post(target.urls['sign-in'] as string, [['content-type', 'application/json']], JSON.stringify(DEMO));
          const data = (signedIn.body as { data: { refresh_token: string; access_token: string; id_token: string } }).data;
          token = { valid: data.refresh_token, access: data.access_token, id: data.id_token, 'logged-out': data.refresh_token, tampered: '' }[r.kind];
          if (r.kind === 'logged-out') await logout(target, { token: data.id_token });
          if (r.kind === 'tampered') {
            const parts = data.refresh_token.split('.');
            parts[3] = `${parts[3]?.startsWith('A') ? 'B' : 'A'}${parts[3]?.slice(1)}`;
            token = parts.join('.');
          }
        } else if (r.kind === 'minted') token = (await target.issueToken()).refreshToken;
        else if (r.kind === 'expired') token = expiredRefresh;
        else token = { junk: 'not-a-refresh-token', empty: '', number: 42, null: null, none: undefined }[r.kind];

        const fields: Record<string, unknown> = {};
        const headers: [string, string][] = [];
        if (token !== undefined && (r.carrier === 'body' || r.carrier === 'both')) fields.refresh_token = token;
        if (token !== undefined && r.carrier === 'camelCase') fields.refreshToken = token;
        if (typeof token === 'string' && (r.carrier === 'cookie' || r.carrier === 'both')) headers.push(['cookie', `refresh_token=${token}`]);
        const body = {
          object: r.carrier === 'cookie' && Object.keys(fields).length === 0 ? undefined : JSON.stringify(fields),
          garbage: typeof r.garbage === 'string' ? r.garbage : JSON.stringify(r.garbage),
          array: JSON.stringify([fields]),
          truncated: JSON.stringify(fields).slice(0, -1),
        }[r.shape];
        if (r.contentType && body !== undefined) headers.push(['content-type', r.contentType]);
        if (r.prefer) headers.push(['prefer', r.prefer]);
        await armFault(target, r.fault);
        try {
          const answer = await post(target.urls.refresh as string, headers, body);
          seen.add(answer.status);
          await expectValid(answer, 'refresh');
          if (answer.status === 200 && isJwt((answer.body as { data?: { id_token?: unknown } }).data?.id_token)) refreshed.add(r.carrier);
        } finally {
          await target.faults.clear();
        }
      }),
      { numRuns: propertyRuns(250), seed: 20261202 },
    );
    expect([...seen].sort()).toEqual([200, 400, 401, 403, 500]);
    // Real refreshes happened, from the body and from the cookie alone.
    expect(refreshed).toContain('body');
    expect(refreshed).toContain('cookie');
  });
});
