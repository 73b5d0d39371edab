import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/state/journal.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { decode } from '../support/crafted.ts';
import { type Answer, control, DEMO, logout, read, refresh, signedIn, signIn, useMock, violations } from '../support/mock.ts';

/**
 * The flow a frontend runs (docs/operations.md): sign in, use the id token, refresh on a 401, log
 * out — from one state; what the journal says of each step; and CORS on every operation as on logout.
 */

const mock = useMock({}, { resetAfterEach: true });

/** Every answer of the walk is also checked against the spec (Prism). */
async function valid(answer: Answer, operation: 'logout' | 'sign-in' | 'refresh'): Promise<Answer> {
  expect(await violations(answer, operation), `${operation} ${answer.status} ${answer.text}`).toEqual([]);
  return answer;
}

describe('the done-when walk', () => {
  it('sign in → log out → refresh refused; a new sign-in an hour on → logout 401 expired → refresh 200 → logout with the new id token 200', async () => {
    // Sign in with the demo user the banner prints.
    const first = await valid(await signIn(mock, { json: { email: 'customer@example.com', password: 'Sandbox-Password-1' } }), 'sign-in');
    expect(first.status).toBe(200);
    const one = signedIn(first);

    // Log out with its id token → 200; its refresh token → 401.
    expect((await valid(await logout(mock, { token: one.idToken }), 'logout')).status).toBe(200);
    const refused = await valid(await refresh(mock, { token: one.refreshToken }), 'refresh');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-mock-reason')).toMatch(/revoked/);

    // A new sign-in; the clock moves an hour on.
    const two = signedIn(await valid(await signIn(mock, { json: DEMO }), 'sign-in'));
    expect((await control(mock.url, 'POST', '/__mock/clock', { advanceSeconds: 3600 })).status).toBe(200);

    const expired = await valid(await logout(mock, { token: two.idToken }), 'logout');
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="[^"]*expired/);

    // Refresh on the 401, as a frontend does → 200; log out with the new id token → 200.
    const renewed = await valid(await refresh(mock, { token: two.refreshToken }), 'refresh');
    expect(renewed.status).toBe(200);
    const { id_token: idToken } = (renewed.body as { data: { id_token: string } }).data;
    expect(decode(idToken).payload.origin_jti).toBe(decode(two.idToken).payload.origin_jti);
    expect((await valid(await logout(mock, { token: idToken }), 'logout')).status).toBe(200);
    expect((await refresh(mock, { token: two.refreshToken })).status).toBe(401);
  });

  it('the same walk as a browser app runs it: the refresh token only in the HttpOnly cookie, refresh with no body', async () => {
    const answer = await signIn(mock, { json: DEMO });
    const cookie = (answer.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    await mock.clock.advance(3600);
    expect((await logout(mock, { token: signedIn(answer).idToken })).status).toBe(401);
    const renewed = await read(await fetch(mock.urls.refresh as string, { method: 'POST', headers: { cookie } }));
    expect(renewed.status).toBe(200);
    expect((await logout(mock, { token: (renewed.body as { data: { id_token: string } }).data.id_token })).status).toBe(200);
    expect((await read(await fetch(mock.urls.refresh as string, { method: 'POST', headers: { cookie } }))).status).toBe(401);
  });
});

describe('the journal', () => {
  it("every entry names its operation; sign-in entries carry the user's sub and email; refresh entries the sign-in", async () => {
    const one = signedIn(await signIn(mock, { json: DEMO }));
    await signIn(mock, { json: { email: DEMO.email, password: 'wrong' } });
    await refresh(mock, { token: one.refreshToken });
    await refresh(mock, {});
    await logout(mock, { token: one.idToken });
    await fetch(`${mock.baseUrl}/customer/sign-out`, { method: 'POST' });

    const requests = await control(mock.url, 'GET', '/__mock/requests');
    expect(requests.status).toBe(200);
    const entries = (requests.body as { requests: JournalEntry[] }).requests;
    expect(entries.map((e) => [e.operation, e.status])).toEqual([
      ['sign-in', 200],
      ['sign-in', 400],
      ['refresh', 200],
      ['refresh', 400],
      ['logout', 200],
      ['other', 404],
    ]);
    const sid = decode(one.idToken).payload.origin_jti;
    expect(entries[0]).toMatchObject({ path: '/auth/api/v1/customer/sign-in', sub: DEMO_USER.sub, email: DEMO.email, sid });
    expect(entries[1]).toMatchObject({ email: DEMO.email, reason: 'email or password is incorrect, or the user is disabled' });
    expect(entries[2]).toMatchObject({ path: '/auth/api/v1/refresh-token/customer', sub: DEMO_USER.sub, sid });
    expect(entries[2]?.jti).not.toBe(entries[0]?.jti);
    expect(entries[4]).toMatchObject({ sub: DEMO_USER.sub, sid });
  });

  it.each([
    ['sign-in', 2],
    ['refresh', 1],
    ['logout', 1],
  ])('?operation=%s keeps only its entries', async (operation, count) => {
    const { refreshToken, idToken } = signedIn(await signIn(mock, { json: DEMO }));
    await signIn(mock, { json: {} });
    await refresh(mock, { token: refreshToken });
    await logout(mock, { token: idToken });
    const answer = await control(mock.url, 'GET', `/__mock/requests?operation=${operation}`);
    const entries = (answer.body as { requests: JournalEntry[] }).requests;
    expect(entries).toHaveLength(count);
    expect(new Set(entries.map((e) => e.operation))).toEqual(new Set([operation]));
    expect(await mock.requests({ operation: operation as JournalEntry['operation'] })).toHaveLength(count);
  });

  it('?operation= with an unknown name → 400 naming operation', async () => {
    const answer = await control(mock.url, 'GET', '/__mock/requests?operation=signin');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field: 'operation' });
  });

  it('a fault that fired on sign-in or refresh is named in the entry', async () => {
    const fault = await mock.faults.arm({ status: 500, times: 2, match: { operation: '*' } });
    const { refreshToken } = await mock.issueToken();
    await signIn(mock, { json: DEMO });
    await refresh(mock, { token: refreshToken });
    const entries = await mock.requests();
    expect(entries.map((e) => [e.operation, e.status, e.faultId])).toEqual([
      ['sign-in', 500, fault.id],
      ['refresh', 500, fault.id],
    ]);
  });
});

describe('CORS on sign-in and refresh, exactly as on logout', () => {
  const origin = 'http://localhost:5173';
  const urls = () => ({ logout: mock.urls.logout, 'sign-in': mock.urls['sign-in'] as string, refresh: mock.urls.refresh as string });
  const CORS = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers', 'vary'];

  it("the preflight of each answers the same as logout's", async () => {
    const preflight = async (url: string) => {
      const response = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, prefer' },
      });
      return { status: response.status, headers: [...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary') };
    };
    const reference = await preflight(urls().logout);
    expect(reference.status).toBe(204);
    expect(Object.fromEntries(reference.headers)).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type, prefer',
    });
    expect(await preflight(urls()['sign-in'])).toEqual(reference);
    expect(await preflight(urls().refresh)).toEqual(reference);
  });

  it.each(['sign-in', 'refresh'] as const)('%s answers reflect the origin with credentials and expose the same headers as logout', async (operation) => {
    const reference = await logout(mock, { headers: { origin } });
    const answer = operation === 'sign-in' ? await signIn(mock, { json: DEMO, headers: { origin } }) : await refresh(mock, { headers: { origin } });
    for (const name of CORS) expect(answer.headers.get(name), name).toBe(reference.headers.get(name));
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answer.headers.get('access-control-expose-headers')).toMatch(/X-Mock-Reason/);
  });

  it('no Origin, no CORS headers', async () => {
    const answer = await signIn(mock, { json: DEMO });
    for (const name of CORS.slice(0, 3)) expect(answer.headers.get(name)).toBeNull();
  });
});
