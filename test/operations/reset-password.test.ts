import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { decode, signWith, strangerKey } from '../support/crafted.ts';
import { accept, forgot, invite, logoutAt, member, newestMessage, ownerToken, refreshAt, resetPassword, setStatus, signInAt } from '../support/invitations.ts';
import { type Answer, mockOn, signedIn, useMock, violations } from '../support/mock.ts';

/**
 * Reset Password over real HTTP (spec `POST /reset-password`): a user who accepted an invitation forgets its password,
 * and resets it with the link the outbox holds. The decision in the order, row by row: the body against its
 * schema → the password policy → the token's signature → expired, used or superseded → success (the old password
 * stops working, the new one works, every sign-in the user had ends). Every answer is checked against the spec.
 */

const RESET_TTL = 600;
const mock = useMock({ resetTtlSeconds: RESET_TTL }, { resetAfterEach: true });

const SPEC_400 = { status: 'fail', message: 'This reset password link has expired', errorCode: 'INVALID', data: { errorName: 'SignInApiError' } };
const SPEC_500 = { status: 'error', message: 'invalid signature', errorCode: 'UNKNOWN_ERROR', data: { errorName: 'JsonWebTokenError' } };
const NEW = 'Brand-New-Password-2';

let n = 0;
const someone = () => `resetter-${++n}@shop.example`;

async function valid(answer: Answer): Promise<Answer> {
  expect(await violations(answer, 'reset-password'), `${answer.status} ${answer.text}`).toEqual([]);
  return answer;
}

/** A user who signed up (invited, accepted) and asked for a reset link: its email, old password and the link's token. */
async function withLink(root = mock.url): Promise<{ email: string; password: string; token: string; signedIn: ReturnType<typeof signedIn> }> {
  const user = await member(root, someone());
  expect((await forgot(root, user.email)).status).toBe(200);
  const { token } = await newestMessage(root, user.email, 'password-reset');
  return { email: user.email, password: user.password, token, signedIn: user.tokens };
}

describe('1. the body against its schema', () => {
  it.each([
    ['no body', { body: undefined, json: undefined }, /body is required/],
    ['a body that is not JSON', { json: undefined, body: 'password=x', headers: { 'content-type': 'text/plain' } }, /JSON/],
    ['a JSON array', { json: [] }, /JSON object/],
    ['no reset_token', { json: { password: NEW } }, /reset_token/],
    ['no password', { json: { reset_token: 'x' } }, /password/],
    ['a password that is not a string', { json: { password: 12345678, reset_token: 'x' } }, /password/],
  ])('%s → 400 naming the problem (the link still works)', async (_what, init, problem) => {
    const { token, email } = await withLink();
    const answer = await valid(await resetPassword(mock.url, token, NEW, init));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason') ?? '').toMatch(problem);
    // Where the example's reason ("link has expired") is not the one at hand, the body says the true one.
    expect((answer.body as { message: string }).message).not.toBe(SPEC_400.message);
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
    expect((await signInAt(mock.url, email, NEW)).status).toBe(200);
  });
});

describe('2. the password policy: every failed rule, in a schema-valid body', () => {
  it.each([
    [
      'short',
      'password should be at least 8 characters long, password should contain at least 1 upper-cased letter, password should contain at least 1 symbol',
    ],
    ['NoSymbolsHere1', 'password should contain at least 1 symbol'],
    ['ALL-UPPER-CASE', 'password should contain at least 1 lower-cased letter'],
  ])('%j → 400 "%s"; the link still works', async (password, message) => {
    const { token } = await withLink();
    const answer = await valid(await resetPassword(mock.url, token, password));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ...SPEC_400, message });
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
  });

  it('the policy comes before the token: a weak password with a forged token is the 400', async () => {
    const answer = await valid(await resetPassword(mock.url, 'not-a-token', 'weak'));
    expect(answer.status).toBe(400);
  });
});

describe("3. the token's signature: bad or malformed → the documented 500", () => {
  it.each([
    ['not a JWT', 'not-a-token'],
    ['an empty string', ''],
    ['three segments of junk', 'aaaa.bbbb.cccc'],
  ])('%s → 500 invalid signature', async (_what, token) => {
    const answer = await valid(await resetPassword(mock.url, token, NEW));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual(SPEC_500);
  });

  it('a real link with a changed signature, or its claims signed with a stranger key → 500; the real one still works', async () => {
    const { token } = await withLink();
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    const { header, payload } = decode(token);
    const forged = await signWith(await strangerKey(header.kid as string), payload);
    for (const bad of [flipped, forged]) {
      const answer = await valid(await resetPassword(mock.url, bad, NEW));
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual(SPEC_500);
    }
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
  });
});

describe('4. expired, used or superseded → the documented 400 (This reset password link has expired)', () => {
  it('past --reset-ttl the link has expired; the password stays the old one', async () => {
    const { token, email, password } = await withLink();
    await mock.clock.advance(RESET_TTL + 1);
    const answer = await valid(await resetPassword(mock.url, token, NEW));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(SPEC_400);
    expect(answer.headers.get('x-mock-reason')).toBe('reset_token: expired');
    expect((await signInAt(mock.url, email, password)).status).toBe(200);
  });

  it('a link used once does not work again', async () => {
    const { token, email } = await withLink();
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
    const again = await valid(await resetPassword(mock.url, token, 'Third-Password-3'));
    expect(again.status).toBe(400);
    expect(again.body).toEqual(SPEC_400);
    expect(again.headers.get('x-mock-reason')).toBe('reset_token: already used, or superseded by a newer link');
    expect((await signInAt(mock.url, email, NEW)).status).toBe(200);
  });

  it('a newer forgot-password supersedes the older link', async () => {
    const { token: older, email } = await withLink();
    await forgot(mock.url, email);
    const newer = await newestMessage(mock.url, email, 'password-reset');
    expect(newer.token).not.toBe(older);
    const answer = await valid(await resetPassword(mock.url, older, NEW));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(SPEC_400);
    expect((await resetPassword(mock.url, newer.token, NEW)).status).toBe(200);
  });

  it('a user removed after the link was mailed: the documented 400, saying so', async () => {
    const { token, email } = await withLink();
    await mock.users.remove(email);
    const answer = await valid(await resetPassword(mock.url, token, NEW));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(SPEC_400);
    expect(answer.headers.get('x-mock-reason')).toBe('reset_token: its user no longer exists');
  });

  it('two concurrent resets with one link: exactly one 200', async () => {
    const { token, email } = await withLink();
    const passwords = ['First-Password-1', 'Second-Password-2', 'Third-Password-3'];
    const answers = await Promise.all(passwords.map((password) => resetPassword(mock.url, token, password)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
    const won = passwords[answers.findIndex((a) => a.status === 200)];
    for (const password of passwords) expect((await signInAt(mock.url, email, password)).status).toBe(password === won ? 200 : 400);
  });

  it('a user deactivated after the link was mailed cannot use it; active again, it can', async () => {
    const owner = await ownerToken(mock.url);
    const user = await member(mock.url, someone(), undefined, owner);
    await forgot(mock.url, user.email);
    const { token } = await newestMessage(mock.url, user.email, 'password-reset');
    expect((await setStatus(mock.url, owner, user.userId, 'INACTIVE')).status).toBe(200);
    const refused = await valid(await resetPassword(mock.url, token, NEW));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ ...SPEC_400, message: 'This user is deactivated: the link no longer works' });
    expect((await setStatus(mock.url, owner, user.userId, 'ACTIVE')).status).toBe(200);
    expect((await signInAt(mock.url, user.email, user.password)).status).toBe(200);
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
  });

  it('an invitation is not a reset link (same signer, other purpose) → 400', async () => {
    const { invitation } = await invite(mock.url, { email: someone() });
    const answer = await valid(await resetPassword(mock.url, invitation.token, NEW));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ...SPEC_400, message: 'This link is not a password reset link' });
    // The invitation still works.
    expect((await accept(mock.url, invitation.token)).status).toBe(200);
  });
});

describe('5. success', () => {
  it('the old password stops working, the new one works', async () => {
    const { token, email, password } = await withLink();
    const answer = await valid(await resetPassword(mock.url, token, NEW));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'success', message: 'Password Changed successfully' });
    expect((await signInAt(mock.url, email, password)).status).toBe(400);
    expect((await signInAt(mock.url, email, NEW)).status).toBe(200);
  });

  it('every sign-in the user had ends: its tokens answer 401, its refresh tokens 401; a new sign-in lives', async () => {
    const { token, email, password, signedIn: accepted } = await withLink();
    const other = signedIn(await signInAt(mock.url, email, password));
    const reset = await resetPassword(mock.url, token, NEW);
    expect(reset.status).toBe(200);
    expect(reset.headers.get('x-mock-reason')).toMatch(/^password of user [0-9a-f-]{36} reset: its sign-ins ended$/);
    for (const session of [accepted, other]) {
      const refused = await logoutAt(mock.url, session.idToken);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token/);
      expect(refused.headers.get('x-mock-reason')).toBe('token is no longer valid: its sign-in ended when the user reset its password');
      expect((await logoutAt(mock.url, session.accessToken)).status).toBe(401);
      const refreshRefused = await refreshAt(mock.url, session.refreshToken);
      expect(refreshRefused.status).toBe(401);
      expect(refreshRefused.headers.get('x-mock-reason')).toBe('refresh token is no longer valid: its sign-in ended when the user reset its password');
      const sid = decode(session.idToken).payload.origin_jti as string;
      expect((await mock.sessions()).signIns.find((s) => s.sid === sid)).toMatchObject({ status: 'ended', endedBy: 'password-reset' });
    }
    const fresh = signedIn(await signInAt(mock.url, email, NEW));
    expect((await refreshAt(mock.url, fresh.refreshToken)).status).toBe(200);
    expect((await logoutAt(mock.url, fresh.idToken)).status).toBe(200);
  });

  it("another user's sign-ins go on", async () => {
    const bystander = await member(mock.url, someone());
    const { token } = await withLink();
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
    expect((await refreshAt(mock.url, bystander.tokens.refreshToken)).status).toBe(200);
    expect((await logoutAt(mock.url, bystander.tokens.idToken)).status).toBe(200);
  });

  it('Prefer: code=200 answers the documented 200 and changes nothing: the link and the old password still work', async () => {
    const { token, email, password } = await withLink();
    const answer = await valid(await resetPassword(mock.url, token, NEW, { headers: { prefer: 'code=200' } }));
    expect(answer.status).toBe(200);
    expect((await signInAt(mock.url, email, password)).status).toBe(200);
    expect((await resetPassword(mock.url, token, NEW)).status).toBe(200);
  });
});

describe('on a clock that stands still (a test that freezes time)', () => {
  let frozen: Mock;
  beforeAll(async () => {
    const at = Date.parse('2030-01-01T00:00:00Z');
    frozen = await mockOn({ clock: () => at });
  });
  afterAll(() => frozen.close());

  it('the sign-ins before the reset end, a sign-in after it lives, in the same millisecond', async () => {
    const { token, email, signedIn: before } = await withLink(frozen.url);
    expect((await resetPassword(frozen.url, token, NEW)).status).toBe(200);
    expect((await logoutAt(frozen.url, before.idToken)).status).toBe(401);
    const after = signedIn(await signInAt(frozen.url, email, NEW));
    expect((await refreshAt(frozen.url, after.refreshToken)).status).toBe(200);
    expect((await logoutAt(frozen.url, after.idToken)).status).toBe(200);
  });
});
