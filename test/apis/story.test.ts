// Issue 23's "Done when", as a test: one session across the whole API. A new user mounts the Case Service document,
// signs in as the demo customer, lists the customer's cases (200), another customer's (403), lets the token expire
// (401), refreshes (200) and logs out (401 on every service). docs/apis.md tells the same story as a shell recipe.
import { describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import {
  CASE_SERVICE,
  callMounted,
  DEMO_CUSTOMER,
  type MountedCall,
  mountedViolations,
  OTHER_CUSTOMER,
  signInDemo,
  WIDGET_SERVICE,
} from '../support/documents.ts';
import { type Answer, logout, refresh, useMock, violations } from '../support/mock.ts';

const mock = useMock({ apis: [{ path: CASE_SERVICE }, { path: WIDGET_SERVICE, bind: 'accountId' }] }, { resetAfterEach: true });

/** Calls a mounted operation and checks its answer against its own document (or, undocumented, the shared body). */
async function checked(target: Mock, name: string, call: MountedCall): Promise<Answer> {
  const answer = await callMounted(target, name, call);
  expect(await mountedViolations(target, answer, name), `${name} ${answer.status}`).toEqual([]);
  return answer;
}

/** Every bearer-protected operation of both mounted documents, called as the demo customer would. */
const PROTECTED: [string, MountedCall][] = [
  ['GetCustomerCases', { params: { customerID: DEMO_CUSTOMER } }],
  ['GetCustomerCaseByID', { params: { customerID: DEMO_CUSTOMER } }],
  ["GetCustomer'sBusinessCases", { params: { customerID: DEMO_CUSTOMER } }],
  ['GetRelatedBusinesses', { params: { customerID: DEMO_CUSTOMER } }],
  ['SendBusinessInvite', { params: { customerID: DEMO_CUSTOMER }, json: {} }],
  ['AddBusiness', { params: { customerID: DEMO_CUSTOMER }, json: [] }],
  ['listWidgets', { params: { accountId: DEMO_CUSTOMER } }],
  ['get /accounts/{accountId}/widgets/{widgetId}', { params: { accountId: DEMO_CUSTOMER } }],
  ['deleteWidget', { params: { accountId: DEMO_CUSTOMER } }],
];

describe('one session across the whole API (issue 23, "Done when")', () => {
  it("sign in → own cases 200 → another customer's 403 → expired 401 → refresh → 200 → logout → 401 on every service", async () => {
    const { idToken, refreshToken } = await signInDemo(mock);

    // The customer's cases: the document's example.
    const own = await checked(mock, 'GetCustomerCases', { params: { customerID: DEMO_CUSTOMER }, token: idToken });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ status: 'success', data: { total_items: 1 } });

    // Another customer's: GetCustomerCases documents no 403, so the shared Forbidden, flagged as undocumented…
    const other = await checked(mock, 'GetCustomerCases', { params: { customerID: OTHER_CUSTOMER }, token: idToken });
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' });
    expect(other.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(other.headers.get('x-mock-reason')).toBe(`token belongs to another customer (${DEMO_CUSTOMER}) (403 is not documented for GetCustomerCases)`);
    // …and where the page documents the customer-mismatch 403, that one (AccessMiddlewareError).
    const documented = await checked(mock, "GetCustomer'sBusinessCases", { params: { customerID: OTHER_CUSTOMER }, token: idToken });
    expect(documented.status).toBe(403);
    expect(documented.body).toMatchObject({ message: 'You are not allowed to access the data.', data: { errorName: 'AccessMiddlewareError' } });
    expect(documented.headers.get('x-mock-reason')).not.toMatch(/not documented/);

    // The clock past the token's life: 401 with the challenge, the document's 401 where it has one.
    await mock.clock.advance(mock.config.tokenTtlSeconds + 1);
    const expired = await checked(mock, 'GetCustomerCases', { params: { customerID: DEMO_CUSTOMER }, token: idToken });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer realm="worth-auth-mock", error="invalid_token", error_description="token expired"');
    const expiredAdd = await checked(mock, 'AddBusiness', { params: { customerID: DEMO_CUSTOMER }, token: idToken, json: [] });
    expect(expiredAdd.status).toBe(401);
    expect(expiredAdd.body).toMatchObject({ errorCode: 'UNAUTHENTICATED', data: { errorName: 'AuthenticationMiddlewareError' } });
    expect(expiredAdd.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    // Refresh: the same sign-in's new tokens open the Case Service again.
    const refreshed = await refresh(mock, { token: refreshToken });
    expect(refreshed.status).toBe(200);
    expect(await violations(refreshed, 'refresh')).toEqual([]);
    const newId = (refreshed.body as { data: { id_token: string } }).data.id_token;
    expect((await checked(mock, 'GetCustomerCases', { params: { customerID: DEMO_CUSTOMER }, token: newId })).status).toBe(200);
    expect((await checked(mock, 'listWidgets', { params: { accountId: DEMO_CUSTOMER }, token: newId })).status).toBe(200);

    // Log out: the whole sign-in ends, on every service the mock serves.
    expect((await logout(mock, { token: newId })).status).toBe(200);
    for (const [name, call] of PROTECTED) {
      const after = await checked(mock, name, { ...call, token: newId });
      expect(after.status, name).toBe(401);
      expect(after.headers.get('www-authenticate'), name).toBe(
        'Bearer realm="worth-auth-mock", error="invalid_token", error_description="token has been revoked"',
      );
    }
    const users = await fetch((mock.urls['get-customer-users'] as string).replace('{customerID}', DEMO_CUSTOMER), {
      headers: { authorization: `Bearer ${newId}` },
    });
    expect(users.status).toBe(401);
    expect((await logout(mock, { token: newId })).status).toBe(401);
    // A public page stays public.
    expect((await checked(mock, 'GetCustomerBusinesses', { params: { customerID: DEMO_CUSTOMER } })).status).toBe(200);
  });

  it('the access token opens the same pages as the id token (both carry the customer), and its logout ends both', async () => {
    const { accessToken, idToken } = await signInDemo(mock);
    for (const token of [accessToken, idToken]) {
      expect((await checked(mock, 'GetCustomerCases', { params: { customerID: DEMO_CUSTOMER }, token })).status).toBe(200);
      expect((await checked(mock, 'GetCustomerCases', { params: { customerID: OTHER_CUSTOMER }, token })).status).toBe(403);
    }
    expect((await logout(mock, { token: accessToken })).status).toBe(200);
    for (const token of [accessToken, idToken]) {
      expect((await checked(mock, 'GetCustomerCases', { params: { customerID: DEMO_CUSTOMER }, token })).status).toBe(401);
    }
  });

  it('one sign-in expired on request (`sessions expire`) gets 401 on every service, the others go on; its refresh token still works', async () => {
    const one = await signInDemo(mock);
    const another = await signInDemo(mock);
    const sid = (JSON.parse(Buffer.from(one.idToken.split('.')[1] as string, 'base64url').toString()) as { origin_jti: string }).origin_jti;
    await mock.expireSignIn(sid);
    for (const name of ['GetCustomerCases', 'listWidgets']) {
      const expired = await checked(mock, name, { params: { customerID: DEMO_CUSTOMER, accountId: DEMO_CUSTOMER }, token: one.idToken });
      expect(expired.status, name).toBe(401);
      expect(expired.headers.get('www-authenticate'), name).toMatch(/error_description="token expired"$/);
      expect((await checked(mock, name, { params: { customerID: DEMO_CUSTOMER, accountId: DEMO_CUSTOMER }, token: another.idToken })).status).toBe(200);
    }
    const refreshed = await refresh(mock, { token: one.refreshToken });
    expect(refreshed.status).toBe(200);
    const newId = (refreshed.body as { data: { id_token: string } }).data.id_token;
    expect((await checked(mock, 'GetCustomerCases', { params: { customerID: DEMO_CUSTOMER }, token: newId })).status).toBe(200);
  });

  it('a deactivated user is refused on every service at once', async () => {
    const { idToken } = await signInDemo(mock);
    expect((await checked(mock, 'listWidgets', { params: { accountId: DEMO_CUSTOMER }, token: idToken })).status).toBe(200);
    const users = await mock.users.list();
    const demo = users.find((user) => user.email === 'customer@example.com');
    expect(demo).toBeDefined();
    const patch = await fetch((mock.urls['update-customer-user'] as string).replace('{customerID}', DEMO_CUSTOMER).replace('{userID}', demo!.id as string), {
      method: 'PATCH',
      headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'INACTIVE' }),
    });
    expect(patch.status).toBe(200);
    for (const name of ['GetCustomerCases', 'listWidgets']) {
      const answer = await checked(mock, name, { params: { customerID: DEMO_CUSTOMER, accountId: DEMO_CUSTOMER }, token: idToken });
      expect(answer.status, name).toBe(401);
      expect(answer.headers.get('www-authenticate'), name).toMatch(/error="invalid_token", error_description="token is no longer valid/);
    }
  });
});
