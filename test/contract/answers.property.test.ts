import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { TOKEN_KINDS } from '../../src/tokens/issuer.ts';
import { logout, mockOn, violations } from '../support/mock.ts';

let mock: Mock;
let detailed: Mock;
beforeAll(async () => {
  [mock, detailed] = await Promise.all([mockOn(), mockOn({ detailedErrors: true, badRequestCode: 'INVALID' })]);
});
afterAll(async () => {
  await Promise.all([mock.close(), detailed.close()]);
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
        const response = await fetch(target.logoutUrl, { method: 'POST', headers, body: r.body });
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
      { numRuns: 300, seed: 20261125 },
    );
    // The generator reaches every documented status except the store failure.
    expect([...seen].sort()).toEqual([200, 400, 401, 403, 500]);
  });
});
