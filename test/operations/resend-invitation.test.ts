import { describe, expect, it } from 'vitest';
import { accept, bearerOf, CRO, callCustomer, invite, OTHER_OWNER, OWNER, reasonOf, useTenants } from '../support/customers.ts';

/**
 * Customer User Resend Invitation (`POST /customers/{customerID}/users/{userID}/resend-invite`) after the shared rows
 * (customer-users.test.ts): a user the customer does not have → 400; a user who has onboarded → the page's 400
 * (`Customer has already onboarded the platform`); a deactivated one → 400; else 200 and a new invitation in the
 * outbox, the older one no longer accepted. Every answer is checked against the spec.
 */

const ONBOARDED = { status: 'fail', message: 'Customer has already onboarded the platform', errorCode: 'INVALID', data: { errorName: 'CustomersApiError' } };

const mock = useTenants();

/** Resends the invitation of `user` as Sandbox's owner. */
async function resend(user: string, token?: string) {
  return callCustomer(mock, 'resend-invitation', { token: token ?? (await bearerOf(mock, OWNER)), user });
}

describe('a user the customer does not have → 400 saying so (the page documents no 404)', () => {
  it.each([
    ['an id no user has', crypto.randomUUID()],
    ["Other Co's owner", OTHER_OWNER.id as string],
    ['an id that is no UUID', 'not-a-user'],
  ])('%s', async (_name, user) => {
    const answer = await resend(user);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ...ONBOARDED, message: 'Customer user does not exist' });
    expect(await mock.outbox()).toEqual([]);
  });
});

describe("a user who has onboarded → the page's 400 (Customer has already onboarded the platform)", () => {
  it('a seed user who signs in with a password', async () => {
    const answer = await resend(CRO.id as string);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(ONBOARDED);
    expect(reasonOf(answer)).toBe(`user ${CRO.id} has accepted its invitation`);
    expect(await mock.outbox()).toEqual([]);
  });

  it('an invited user once it has accepted', async () => {
    const token = await bearerOf(mock, OWNER);
    const id = await invite(mock, token, 'joined@sandbox.example');
    const [mail] = await mock.outbox();
    expect((await accept(mock, mail?.token as string, 'Joined-Password-1!')).status).toBe(200);
    const answer = await resend(id, token);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(ONBOARDED);
    expect(await mock.outbox()).toHaveLength(1);
  });
});

describe('a user still invited but deactivated → 400 saying so', () => {
  it('no invitation goes out', async () => {
    const token = await bearerOf(mock, OWNER);
    const id = await invite(mock, token, 'benched@sandbox.example');
    expect((await callCustomer(mock, 'update-customer-user', { token, user: id, json: { status: 'INACTIVE' } })).status).toBe(200);
    const answer = await resend(id, token);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ...ONBOARDED, message: 'Customer user is deactivated' });
    expect(await mock.outbox()).toHaveLength(1);
  });
});

describe('a user still invited → 200 and a new invitation; the older one stops working', () => {
  it("the page's 200; a second invitation to the user in the outbox, with a new token", async () => {
    const token = await bearerOf(mock, CRO);
    const id = await invite(mock, token, 'again@sandbox.example');
    const answer = await resend(id, token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'success', message: 'Invite mail sent successfully' });
    expect(reasonOf(answer)).toBe(`new invitation for user ${id}: the older ones no longer work`);
    const mails = await mock.outbox({ recipient: 'again@sandbox.example', kind: 'invitation' });
    expect(mails).toHaveLength(2);
    expect(mails[0]?.token).not.toBe(mails[1]?.token);
  });

  it('the older invitation then answers 400 at accept (superseded); the newer one accepts, and the user signs in', async () => {
    const token = await bearerOf(mock, OWNER);
    const id = await invite(mock, token, 'twice@sandbox.example');
    expect((await resend(id, token)).status).toBe(200);
    const [older, newer] = await mock.outbox({ recipient: 'twice@sandbox.example' });
    const refused = await accept(mock, older?.token as string, 'Twice-Password-1!');
    expect(refused.status).toBe(400);
    expect((refused.body as { message: string }).message).toBe('This invitation was superseded by a newer one');
    expect((await accept(mock, newer?.token as string, 'Twice-Password-1!')).status).toBe(200);
    const record = await callCustomer(mock, 'get-customer-user', { token, user: id });
    expect((record.body as { data: unknown }).data).toMatchObject({ is_first_login: false, is_email_verified: true });
  });
});
