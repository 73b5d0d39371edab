import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathOf, send } from '../support/contract-requests.ts';
import { control, DEMO, mockOn, useMock } from '../support/mock.ts';

// The provider states of the user-management, invitation and password interactions, as the mock sets them up
// (`POST /__mock/provider-states`): each answers the values its interactions use, and those values do on the mock
// what the pact expects of them. The whole pact against the mock is verify.test.ts's.
const mock = useMock();

type Values = Record<string, string>;
/** A customer of a users file whose only user is a CRO. */
const ACME = '00000000-0000-4000-8000-0000000000ac';
const JSON_HEADERS: [string, string][] = [['content-type', 'application/json']];

/** Sets `state` up (with `params`), as Pact's verifier does: the answer. */
const setUp = (state: string, params?: unknown, on = mock) => control(on.url, 'POST', '/__mock/provider-states', { state, params, action: 'setup' });

/** Sets `state` up: its values. */
async function values(state: string, params?: unknown): Promise<Values> {
  const answer = await setUp(state, params);
  expect(answer.status, answer.text).toBe(200);
  return answer.body as Values;
}

describe('the states of the user-management screens', () => {
  it('"a customer owner signed in": the demo owner, signed in as Customer Sign In signs one in, and what a new user needs', async () => {
    const owner = await values('a customer owner signed in');
    expect(Object.keys(owner).sort()).toEqual(
      ['customerId', 'email', 'idToken', 'newEmail', 'refreshToken', 'subroleCode', 'subroleId', 'subroleLabel', 'token', 'userId'].sort(),
    );
    expect(owner).toMatchObject({ customerId: '00000000-0000-4000-8000-000000000003', userId: '00000000-0000-4000-8000-000000000001', email: DEMO.email });
    expect(owner).toMatchObject({ subroleId: '00000000-0000-4000-8000-000000000008', subroleCode: 'cro', subroleLabel: 'CRO' });
    expect(owner.newEmail).toMatch(/^pact-.+@pact\.worth-auth-mock\.example$/);
    const bearer: [string, string][] = [['authorization', `Bearer ${owner.idToken}`], ...JSON_HEADERS];
    const users = pathOf(mock.urls['get-customer-users'], { customerID: owner.customerId as string });
    expect((await send('GET', users, bearer, undefined)).status).toBe(200);
    const subrole = { id: owner.subroleId, code: owner.subroleCode, label: owner.subroleLabel };
    const user = { first_name: 'Ada', last_name: 'Lovelace', subrole };
    expect((await send('POST', users, bearer, JSON.stringify({ ...user, email: owner.newEmail }))).status).toBe(200);
    expect((await send('POST', users, bearer, JSON.stringify({ ...user, email: owner.email }))).status).toBe(400);
  });

  it('"a customer owner signed in" with an email: that user; an email of no active user who has signed up fails the state, naming it', async () => {
    await mock.users.add({ email: 'cro@sandbox.example', password: 'Cro-Password-1', customer_id: '00000000-0000-4000-8000-000000000003', subrole: 'cro' });
    expect(await values('a customer owner signed in', { email: 'CRO@sandbox.example' })).toMatchObject({ email: 'cro@sandbox.example' });
    const unknown = await setUp('a customer owner signed in', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ field: 'params.email' });
    expect((await setUp('a customer owner signed in', { password: 'x' })).body).toMatchObject({ field: 'params' });
  });

  it('"a customer owner signed in" on a mock whose users have no owner: makes one, then signs the same one in again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'user-states-'));
    const usersFile = join(dir, 'users.json');
    await writeFile(usersFile, JSON.stringify([{ email: 'cro@acme.example', password: 'Acme-Password-1', customer_id: ACME, subrole: 'cro' }]));
    const ownerless = await mockOn({ usersFile });
    try {
      const first = (await setUp('a customer owner signed in', undefined, ownerless)).body as Values;
      const again = (await setUp('a customer owner signed in', undefined, ownerless)).body as Values;
      expect(first.email).toMatch(/@pact\.worth-auth-mock\.example$/);
      expect(first.customerId).not.toBe(ACME);
      expect([again.customerId, again.userId]).toEqual([first.customerId, first.userId]);
    } finally {
      await ownerless.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('"another customer exists": a customer other than the owner\'s, whose users the owner is refused (403)', async () => {
    const owner = await values('a customer owner signed in');
    const { otherCustomerId } = await values('another customer exists');
    expect(otherCustomerId).not.toBe(owner.customerId);
    // The same customer every time: made once.
    expect((await values('another customer exists')).otherCustomerId).toBe(otherCustomerId);
    const answer = await send(
      'GET',
      pathOf(mock.urls['get-customer-users'], { customerID: otherCustomerId as string }),
      [['authorization', `Bearer ${owner.idToken}`]],
      undefined,
    );
    expect(answer.status).toBe(403);
    expect((await setUp('another customer exists', { email: DEMO.email })).body).toMatchObject({ field: 'params' });
  });
});

describe('the states of the invitation and password pages', () => {
  it('"a customer user invited": an invitation in the outbox that accepts with the new password given, once', async () => {
    const invited = await values('a customer user invited');
    expect(Object.keys(invited).sort()).toEqual(['customerId', 'email', 'inviteToken', 'password', 'userId']);
    expect((await mock.outbox({ kind: 'invitation', recipient: invited.email })).map((m) => m.token)).toEqual([invited.inviteToken]);
    const user = (await mock.users.list()).find((u) => u.email === invited.email);
    expect(user).toMatchObject({ id: invited.userId, customer_id: invited.customerId, is_first_login: true });
    const accept = pathOf(mock.urls['accept-invitation'], { inviteToken: invited.inviteToken as string });
    const body = JSON.stringify({ password: invited.password });
    expect((await send('POST', accept, JSON_HEADERS, body)).status).toBe(200);
    expect((await send('POST', accept, JSON_HEADERS, body)).status).toBe(400);
  });

  it('"a customer user invited" with the email of a user the mock has fails the state, naming the param', async () => {
    const answer = await setUp('a customer user invited', { email: DEMO.email });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field: 'params.email' });
  });

  it('"a password reset requested": a reset link in the outbox; the new password given then signs in', async () => {
    const reset = await values('a password reset requested');
    expect(Object.keys(reset).sort()).toEqual(['email', 'password', 'resetToken']);
    expect((await mock.outbox({ kind: 'password-reset', recipient: reset.email })).map((m) => m.token)).toEqual([reset.resetToken]);
    const answer = await send('POST', mock.urls['reset-password'], JSON_HEADERS, JSON.stringify({ password: reset.password, reset_token: reset.resetToken }));
    expect(answer.status).toBe(200);
    const signIn = await send('POST', mock.urls['sign-in'], JSON_HEADERS, JSON.stringify({ email: reset.email, password: reset.password }));
    expect(signIn.status).toBe(200);
  });

  it('"a password reset requested" with an email: a link for that user; one of no active user fails the state', async () => {
    const reset = await values('a password reset requested', { email: DEMO.email });
    expect(reset.email).toBe(DEMO.email);
    expect((await mock.outbox({ kind: 'password-reset', recipient: DEMO.email })).at(-1)?.token).toBe(reset.resetToken);
    expect((await setUp('a password reset requested', { email: 'nobody@example.com' })).body).toMatchObject({ field: 'params.email' });
  });

  it('keeps at most 20 of the users the states made, however many verifications ran; the seed user stays', async () => {
    const bounded = await mockOn();
    try {
      const made: string[] = [];
      for (let i = 0; i < 12; i++) {
        for (const state of ['a customer user invited', 'a password reset requested'])
          made.push(((await setUp(state, undefined, bounded)).body as Values).email as string);
      }
      const emails = (await bounded.users.list()).map((u) => u.email);
      expect(emails.filter((e) => made.includes(e))).toEqual(made.slice(-20));
      expect(emails).toContain(DEMO.email);
    } finally {
      await bounded.close();
    }
  });
});
