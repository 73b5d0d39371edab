import { describe, expect, it } from 'vitest';
import { bearerOf, CRO, CUSTOMER_OPERATIONS, callCustomer, OWNER, reasonOf, SANDBOX, sessionOf, useTenants, valid } from '../support/customers.ts';
import type { Answer } from '../support/mock.ts';
import { logout, refresh, signIn } from '../support/mock.ts';

/**
 * Update Customer User By ID with `status`: `INACTIVE` deactivates the user — its sign-in answers exactly as a wrong
 * password, its refresh answers 401, and every token of theirs answers 401 on every protected operation (logout
 * included), at once; `ACTIVE` lets it sign in again, its old sign-ins staying over. Every answer is checked against
 * the spec.
 */

const SPEC_401 = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };

const mock = useTenants();

/** Sets the cro's status as Sandbox's owner; the 200 is checked. */
async function setStatus(status: 'ACTIVE' | 'INACTIVE', user = CRO.id): Promise<Answer> {
  const answer = await callCustomer(mock, 'update-customer-user', { token: await bearerOf(mock, OWNER), user, json: { status } });
  expect(answer.status, answer.text).toBe(200);
  return answer;
}

/** A sign-in of `email` with `password`, checked against the spec. */
async function signInAs(email: string, password: string | undefined): Promise<Answer> {
  return valid(await signIn(mock, { json: { email, password } }), 'sign-in');
}

/** What a client of the sign-in sees (the mock's own X-Mock-Reason aside). */
function seen(answer: Answer): unknown {
  return { status: answer.status, body: answer.body, cookie: answer.headers.get('set-cookie'), challenge: answer.headers.get('www-authenticate') };
}

/** Every protected operation refuses `token` with 401 invalid_token: the six customer operations (on the user's own customer) and logout. */
async function expectRefusedEverywhere(token: string, reason: RegExp): Promise<void> {
  for (const operation of CUSTOMER_OPERATIONS) {
    const json = operation === 'create-customer-user' ? { first_name: 'X' } : operation === 'update-customer-user' ? { first_name: 'X' } : undefined;
    const answer = await callCustomer(mock, operation, { token, customer: SANDBOX, json });
    expect([operation, answer.status]).toEqual([operation, 401]);
    expect(answer.body).toEqual(SPEC_401);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(reasonOf(answer)).toMatch(reason);
  }
  const out = await valid(await logout(mock, { token }), 'logout');
  expect(out.status).toBe(401);
  expect(reasonOf(out)).toMatch(reason);
}

describe('status: INACTIVE deactivates the user, at once', () => {
  it('200, the record says INACTIVE', async () => {
    const answer = await setStatus('INACTIVE');
    expect(answer.body).toEqual({ status: 'success', message: 'User details updated successfully' });
    expect(reasonOf(answer)).toBe(`updated user ${CRO.id}: deactivated, its sign-ins ended`);
    const record = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OWNER), user: CRO.id });
    expect((record.body as { data: unknown }).data).toMatchObject({ status: 'INACTIVE' });
  });

  it('its sign-in answers exactly as a wrong password (the right password, and a wrong one)', async () => {
    const wrong = await signInAs(CRO.email, 'Wrong-Password-1');
    await setStatus('INACTIVE');
    for (const password of [CRO.password, 'Wrong-Password-1']) {
      const answer = await signInAs(CRO.email, password);
      expect(answer.status).toBe(400);
      expect(seen(answer)).toEqual(seen(wrong));
    }
  });

  it('its refresh token answers 401 (the body and the cookie)', async () => {
    const session = await sessionOf(mock, CRO);
    await setStatus('INACTIVE');
    const answer = await valid(await refresh(mock, { token: session.refreshToken }), 'refresh');
    expect(answer.status).toBe(401);
    expect(reasonOf(answer)).toMatch(/deactivated/);
    const byCookie = await valid(await refresh(mock, { headers: { cookie: `refresh_token=${session.refreshToken}` } }), 'refresh');
    expect(byCookie.status).toBe(401);
  });

  it('every token of each of its sign-ins answers 401 on the six customer operations and on logout, from the next request on', async () => {
    const sessions = [await sessionOf(mock, CRO), await sessionOf(mock, CRO)];
    for (const { idToken } of sessions) expect((await callCustomer(mock, 'get-customer-users', { token: idToken })).status).toBe(200);
    await setStatus('INACTIVE');
    for (const { idToken, accessToken } of sessions) {
      await expectRefusedEverywhere(idToken, /its user is deactivated/);
      await expectRefusedEverywhere(accessToken, /its user is deactivated/);
    }
  });

  it('again INACTIVE: 200, nothing more changes; the other users are untouched', async () => {
    const owner = await bearerOf(mock, OWNER);
    await setStatus('INACTIVE');
    const again = await setStatus('INACTIVE');
    expect(reasonOf(again)).toBe(`updated user ${CRO.id}`);
    expect((await callCustomer(mock, 'get-customer-users', { token: owner })).status).toBe(200);
    expect((await signInAs(OWNER.email, OWNER.password)).status).toBe(200);
  });

  it('an owner may deactivate itself (the pages are silent): its own tokens answer 401 from the next request', async () => {
    const owner = await bearerOf(mock, OWNER);
    const answer = await callCustomer(mock, 'update-customer-user', { token: owner, user: OWNER.id, json: { status: 'INACTIVE' } });
    expect(answer.status).toBe(200);
    await expectRefusedEverywhere(owner, /its user is deactivated/);
  });
});

describe('status: ACTIVE lets the user sign in again; its old sign-ins stay over', () => {
  it('it signs in again and its new tokens work; the old tokens and the old refresh token still answer 401', async () => {
    const old = await sessionOf(mock, CRO);
    await setStatus('INACTIVE');
    const reactivated = await setStatus('ACTIVE');
    expect(reasonOf(reactivated)).toBe(`updated user ${CRO.id}: active again`);

    const fresh = await sessionOf(mock, CRO);
    for (const operation of ['get-customer-users', 'get-customer-subroles'] as const) {
      expect((await callCustomer(mock, operation, { token: fresh.idToken })).status).toBe(200);
    }
    await expectRefusedEverywhere(old.idToken, /its sign-in ended when the user was deactivated/);
    await expectRefusedEverywhere(old.accessToken, /its sign-in ended/);
    expect((await valid(await refresh(mock, { token: old.refreshToken }), 'refresh')).status).toBe(401);
    expect((await valid(await refresh(mock, { token: fresh.refreshToken }), 'refresh')).status).toBe(200);
    expect((await valid(await logout(mock, { token: fresh.idToken }), 'logout')).status).toBe(200);
  });

  it('the record says ACTIVE again', async () => {
    await setStatus('INACTIVE');
    await setStatus('ACTIVE');
    const record = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OWNER), user: CRO.id });
    expect((record.body as { data: unknown }).data).toMatchObject({ status: 'ACTIVE' });
  });
});
