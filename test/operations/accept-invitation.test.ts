import { describe, expect, it } from 'vitest';
import { createKeySet } from '../../src/tokens/keys.ts';
import { decode, signWith, strangerKey } from '../support/crafted.ts';
import {
  accept,
  call,
  customerUser,
  forgot,
  invite,
  logoutAt,
  newestMessage,
  ownerToken,
  refreshAt,
  resend,
  STRONG,
  setStatus,
  signInAt,
} from '../support/invitations.ts';
import { type Answer, mockOn, signedIn, useMock, violations } from '../support/mock.ts';

/**
 * Accept Invitation over real HTTP (spec `POST /invite/{inviteToken}/accept`): the demo owner invites through Create
 * Customer User, the invitee accepts with the token the outbox holds. The decision in the order, row by row:
 * the body against its schema → the password policy → the token's signature → expired, used or superseded → success.
 * Every answer is checked against the spec with Prism's validator.
 */

const INVITE_TTL = 3600;
const mock = useMock({ inviteTtlSeconds: INVITE_TTL }, { resetAfterEach: true });

const RULES = {
  length: 'password should be at least 8 characters long',
  lower: 'password should contain at least 1 lower-cased letter',
  upper: 'password should contain at least 1 upper-cased letter',
  symbol: 'password should contain at least 1 symbol',
};
const SPEC_500 = { status: 'error', message: 'invalid signature', errorCode: 'UNKNOWN_ERROR', data: { errorName: 'JsonWebTokenError' } };

let n = 0;
/** A fresh invitee's email. */
const someone = () => `invitee-${++n}@shop.example`;

async function valid(answer: Answer): Promise<Answer> {
  expect(await violations(answer, 'accept-invitation'), `${answer.status} ${answer.text}`).toEqual([]);
  return answer;
}

/** The 400 a client gets, with its message and X-Mock-Reason. */
async function refused(answer: Answer, message: string | RegExp): Promise<void> {
  await valid(answer);
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ status: 'fail', errorCode: 'INVALID' });
  expect((answer.body as { message: string }).message).toMatch(message);
}

describe('1. the body against its schema', () => {
  it.each([
    ['a body that is not JSON', { body: 'password=Invited-Password-1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, /JSON/],
    ['JSON that does not parse', { body: '{"password":', headers: { 'content-type': 'application/json' } }, /JSON/],
    ['a JSON array', { json: ['Invited-Password-1'] }, /JSON object/],
    ['a password that is not a string', { json: { password: 12345678 } }, /password/],
    ['no body at all (the mock asks for the password an invited user sets)', {}, /password is required/],
    ['a body without password', { json: {} }, /password is required/],
  ])('%s → 400 naming the problem; the invitation still works', async (_what, init, message) => {
    const email = someone();
    const { invitation } = await invite(mock.url, { email });
    const answer = await accept(mock.url, invitation.token, init);
    expect(answer.status).toBe(400);
    await valid(answer);
    expect(answer.headers.get('x-mock-reason') ?? '').toMatch(message);
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });

  it('the body is read before the token: a bad body with a bad token is the 400, not the 500', async () => {
    const answer = await accept(mock.url, 'not-a-token', { json: { password: 12345678 } });
    expect(answer.status).toBe(400);
  });
});

describe('2. the password policy: every failed rule, as the page lists them', () => {
  it.each([
    ['', [RULES.length, RULES.lower, RULES.upper, RULES.symbol]],
    ['short', [RULES.length, RULES.upper, RULES.symbol]],
    ['alllowercase1!', [RULES.upper]],
    ['ALLUPPERCASE1!', [RULES.lower]],
    ['NoSymbolsHere1', [RULES.symbol]],
    ['Ab-1', [RULES.length]],
  ])('%j → 400 "%s"', async (password, rules) => {
    const { invitation } = await invite(mock.url, { email: someone() });
    const answer = await accept(mock.url, invitation.token, { json: { password } });
    await refused(answer, rules.join(', '));
    expect((answer.body as { message: string }).message).toBe(rules.join(', '));
    expect(answer.body).toMatchObject({ data: { errorName: 'ValidationMiddlewareError' } });
  });

  it("a password failing every rule gets exactly the page's example", async () => {
    const { invitation } = await invite(mock.url, { email: someone() });
    const answer = await valid(await accept(mock.url, invitation.token, { json: { password: '' } }));
    expect(answer.body).toEqual({
      status: 'fail',
      message: Object.values(RULES).join(', '),
      errorCode: 'INVALID',
      data: { errorName: 'ValidationMiddlewareError' },
    });
  });

  it('the policy comes before the token: a weak password with a forged token is the 400', async () => {
    const answer = await accept(mock.url, 'eyJhbGciOiJub25lIn0.e30.', { json: { password: 'weak' } });
    await refused(answer, RULES.length);
  });

  it('a refused password leaves the invitation as it was: the invitee is still invited, the token still works', async () => {
    const owner = await ownerToken(mock.url);
    const { userId, invitation } = await invite(mock.url, { email: someone() }, owner);
    expect((await accept(mock.url, invitation.token, { json: { password: 'weak' } })).status).toBe(400);
    expect(await customerUser(mock.url, owner, userId)).toMatchObject({ is_first_login: true, is_email_verified: false });
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });
});

describe("3. the token's signature: bad or malformed → the documented 500 (invalid signature)", () => {
  it.each([
    ['a token that is no JWT', () => 'not-a-token'],
    ['three segments of junk', () => 'aaaa.bbbb.cccc'],
    ['an unsigned token (alg none)', () => 'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.'],
  ])('%s → 500', async (_what, token) => {
    const answer = await valid(await accept(mock.url, token()));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual(SPEC_500);
  });

  it('a real invitation with one signature character changed → 500, and the real one still works', async () => {
    const { invitation } = await invite(mock.url, { email: someone() });
    const [h, p, s] = invitation.token.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    const answer = await valid(await accept(mock.url, flipped));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual(SPEC_500);
    expect(answer.headers.get('x-mock-reason')).toMatch(/invalid signature/);
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });

  it("the invitation's own claims signed with a key that is not the mock's → 500", async () => {
    const { invitation } = await invite(mock.url, { email: someone() });
    const { header, payload } = decode(invitation.token);
    const forged = await signWith(await strangerKey(header.kid as string), payload);
    const answer = await valid(await accept(mock.url, forged));
    expect(answer.status).toBe(500);
  });

  it("signed with the mock's own key (someone holding the key file): without its sub or jti → 500, as a link it did not make; for a user that does not exist → 400", async () => {
    const keys = await createKeySet('RS256');
    const keyed = await mockOn({ keys });
    try {
      const { invitation } = await invite(keyed.url, { email: someone() });
      const { payload } = decode(invitation.token);
      for (const left of ['sub', 'jti'] as const) {
        const { [left]: _, ...claims } = payload;
        const forged = await signWith(keys.access.privateJwk, claims);
        const answer = await valid(await accept(keyed.url, forged));
        expect(answer.status, left).toBe(500);
        expect(answer.headers.get('x-mock-reason'), left).toBe('inviteToken: invalid signature');
      }
      // One for an id no user has: the user it names does not exist.
      const nobody = await signWith(keys.access.privateJwk, { ...payload, sub: crypto.randomUUID() });
      await refused(await accept(keyed.url, nobody), 'The invited user no longer exists');
      // The real one still works.
      expect((await accept(keyed.url, invitation.token)).status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});

describe('4. expired, used or superseded → 400 with the reason', () => {
  it('past --invite-ttl the invitation has expired; before it, it works', async () => {
    const owner = await ownerToken(mock.url);
    const [early, late] = [await invite(mock.url, { email: someone() }, owner), await invite(mock.url, { email: someone() }, owner)];
    await mock.clock.advance(INVITE_TTL - 5);
    expect((await accept(mock.url, early.invitation.token)).status).toBe(200);
    await mock.clock.advance(10);
    await refused(await accept(mock.url, late.invitation.token), /expired/);
    // The expired invitation left the invitee invited: a resend gives it one that works.
    const again = await resend(mock.url, await ownerToken(mock.url), late.userId, late.invitation.recipient);
    expect((await accept(mock.url, again.token)).status).toBe(200);
  });

  it('an invitation accepted once does not work again', async () => {
    const { invitation } = await invite(mock.url, { email: someone() });
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
    await refused(await accept(mock.url, invitation.token, { json: { password: 'Another-Password-2' } }), /already been accepted/);
  });

  it('two concurrent accepts of one invitation: exactly one 200, the other 400', async () => {
    const email = someone();
    const { invitation } = await invite(mock.url, { email });
    const answers = await Promise.all(
      ['First-Password-1', 'Second-Password-2', 'Third-Password-3'].map((password) => accept(mock.url, invitation.token, { json: { password } })),
    );
    for (const answer of answers) await valid(answer);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
    // The password that won is the one that signs in; the others do not.
    const won = ['First-Password-1', 'Second-Password-2', 'Third-Password-3'][answers.findIndex((a) => a.status === 200)] as string;
    for (const password of ['First-Password-1', 'Second-Password-2', 'Third-Password-3']) {
      expect((await signInAt(mock.url, email, password)).status).toBe(password === won ? 200 : 400);
    }
  });

  it('after a resend the older invitation is superseded; the newer one works', async () => {
    const owner = await ownerToken(mock.url);
    const email = someone();
    const { userId, invitation: first } = await invite(mock.url, { email }, owner);
    const second = await resend(mock.url, owner, userId, email);
    expect(second.token).not.toBe(first.token);
    await refused(await accept(mock.url, first.token), /superseded/);
    expect((await accept(mock.url, second.token)).status).toBe(200);
  });

  it('an invitee deactivated before accepting cannot accept', async () => {
    const owner = await ownerToken(mock.url);
    const { userId, invitation } = await invite(mock.url, { email: someone() }, owner);
    expect((await setStatus(mock.url, owner, userId, 'INACTIVE')).status).toBe(200);
    await refused(await accept(mock.url, invitation.token), /deactivated/);
  });

  it('an invitee removed before accepting cannot accept; a forced 200 then signs the demo user in instead', async () => {
    const email = someone();
    const { invitation } = await invite(mock.url, { email });
    await mock.users.remove(email);
    await refused(await accept(mock.url, invitation.token), 'The invited user no longer exists');
    const forced = await valid(await accept(mock.url, invitation.token, { json: { password: STRONG }, headers: { prefer: 'code=200' } }));
    expect(decode(signedIn(forced).idToken).payload).toMatchObject({ email: 'customer@example.com' });
  });

  it('a password-reset link is not an invitation (same signer, other purpose) → 400', async () => {
    const email = someone();
    const { invitation } = await invite(mock.url, { email });
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
    await forgot(mock.url, email);
    const reset = await newestMessage(mock.url, email, 'password-reset');
    await refused(await accept(mock.url, reset.token), /not an invitation/);
  });
});

describe('5. success', () => {
  it('the invitee is active and verified, no longer a first login, and signs in with the password it chose', async () => {
    const owner = await ownerToken(mock.url);
    const email = someone();
    const { userId, invitation } = await invite(mock.url, { email }, owner);
    expect(await customerUser(mock.url, owner, userId)).toMatchObject({ is_first_login: true, is_email_verified: false });
    // Invited: no password signs in yet.
    expect((await signInAt(mock.url, email, STRONG)).status).toBe(400);

    const answer = await valid(await accept(mock.url, invitation.token));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'success', message: 'Invitation Accepted.', data: { is_email_verified: true } });
    expect(await customerUser(mock.url, owner, userId)).toMatchObject({ status: 'ACTIVE', is_first_login: false, is_email_verified: true });
    const session = signedIn(await signInAt(mock.url, email, STRONG));
    expect(decode(session.idToken).payload).toMatchObject({ email, 'custom:id': userId });
  });

  it("the 200's tokens are real tokens of a new sign-in of the invitee: they refresh, and they log out", async () => {
    const email = someone();
    const { userId, invitation } = await invite(mock.url, { email });
    const tokens = signedIn(await accept(mock.url, invitation.token));
    for (const token of [tokens.accessToken, tokens.idToken]) expect(token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(tokens.refreshToken.split('.')).toHaveLength(5);
    expect(decode(tokens.idToken).payload).toMatchObject({ email, 'custom:id': userId, token_use: 'id' });
    expect((await refreshAt(mock.url, tokens.refreshToken)).status).toBe(200);
    expect((await logoutAt(mock.url, tokens.idToken)).status).toBe(200);
    expect((await logoutAt(mock.url, tokens.accessToken)).status).toBe(401);
    expect((await refreshAt(mock.url, tokens.refreshToken)).status).toBe(401);
  });

  it('Prefer: code=200 answers real tokens (never the placeholders) of the invitee, and leaves the invitation as it was', async () => {
    const email = someone();
    const { invitation } = await invite(mock.url, { email });
    const answer = await valid(await accept(mock.url, invitation.token, { json: { password: 'weak' }, headers: { prefer: 'code=200' } }));
    expect(answer.status).toBe(200);
    expect(answer.text).not.toMatch(/<[^>]*token[^>]*>/i);
    const tokens = signedIn(answer);
    expect(decode(tokens.idToken).payload).toMatchObject({ email });
    // The invitee has not verified its email: the body says what its id token says.
    expect(tokens.data.is_email_verified).toBe(false);
    expect(decode(tokens.idToken).payload.email_verified).toBe(false);
    expect(answer.headers.get('x-mock-reason')).toMatch(
      /^override code=200: signed in user [0-9a-f-]{36}, the invitation left as it was: new sign-in [0-9a-f-]{36}$/,
    );
    expect((await logoutAt(mock.url, tokens.idToken)).status).toBe(200);
    // Nothing was accepted: the real accept still works.
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });

  it('Prefer: code=200 with a token the mock did not sign signs the demo user in: real tokens still', async () => {
    const answer = await valid(await call(mock.url, '/invite/not-a-token/accept', { headers: { prefer: 'code=200' } }));
    const tokens = signedIn(answer);
    expect(decode(tokens.idToken).payload).toMatchObject({ email: 'customer@example.com' });
    expect((await logoutAt(mock.url, tokens.accessToken)).status).toBe(200);
  });

  it('an invitation (signed with the access key) is no bearer: a protected operation answers it 401', async () => {
    const { invitation } = await invite(mock.url, { email: someone() });
    for (const path of ['/customer/logout', '/customers/00000000-0000-4000-8000-000000000003/users']) {
      const answer = await call(mock.url, path, { method: path.endsWith('logout') ? 'POST' : 'GET', token: invitation.token });
      expect(answer.status, path).toBe(401);
    }
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });

  it("a fault scoped to the invitee's sub fires on its accept and leaves the invitation working", async () => {
    const email = someone();
    const { invitation } = await invite(mock.url, { email });
    const sub = (await mock.users.list()).find((user) => user.email === email)?.sub as string;
    const fault = await mock.faults.arm({ status: 500, match: { operation: 'accept-invitation', sub } });
    const answer = await valid(await accept(mock.url, invitation.token));
    expect(answer.status).toBe(500);
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });
});
