import { describe, expect, it } from 'vitest';
import { decode } from '../support/crafted.ts';
import { call, forgot, invite, member, outboxAt, ownerToken, setStatus } from '../support/invitations.ts';
import { type Answer, DEMO, useMock, violations } from '../support/mock.ts';

/**
 * Forgot Password Init over real HTTP (spec `POST /forgot-password`): the body against its schema → the documented 200
 * for any email (no account enumeration), and a password-reset message in the outbox only for an existing, active,
 * signed-up user: none for an unknown email, an invited user, a deactivated or a removed one. Every answer is checked
 * against the spec.
 */

const APP = 'https://app.example.test/portal';
const mock = useMock({ appUrl: `${APP}/`, resetTtlSeconds: 900 }, { resetAfterEach: true });

const SPEC_200 = { status: 'success', message: 'A link to reset your password has been sent to the registered email' };

let n = 0;
const someone = () => `forgetful-${++n}@shop.example`;

async function valid(answer: Answer): Promise<Answer> {
  expect(await violations(answer, 'forgot-password'), `${answer.status} ${answer.text}`).toEqual([]);
  return answer;
}

/** The password-reset messages the outbox holds for `email`. */
const resetsFor = (email: string) => outboxAt(mock.url, { recipient: email, kind: 'password-reset' });

describe('1. the body against its schema', () => {
  it.each([
    ['no body', { json: undefined }, /body is required/],
    ['a body that is not JSON', { json: undefined, body: 'email=a@b.example', headers: { 'content-type': 'text/plain' } }, /JSON/],
    ['a JSON array', { json: ['customer@example.com'] }, /JSON object/],
    ['no email', { json: {} }, /email/],
    ['an email that is not one', { json: { email: 'not-an-email' } }, /email/],
    ['an email with a trailing blank (format: email refuses it)', { json: { email: `${DEMO.email} ` } }, /email/],
    ['an email that is not a string', { json: { email: 42 } }, /email/],
  ])('%s → 400 naming the problem; nothing is sent', async (_what, init, problem) => {
    const answer = await valid(await forgot(mock.url, DEMO.email, init));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason') ?? '').toMatch(problem);
    expect(await outboxAt(mock.url)).toEqual([]);
  });
});

describe('2. the documented 200 for any email: a message only for an active user who has signed up', () => {
  it('an active user: 200, and one password-reset message whose link points into --app-url', async () => {
    const before = Date.now();
    const answer = await valid(await forgot(mock.url, DEMO.email));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(SPEC_200);
    expect(answer.headers.get('x-mock-reason')).toBe('a password-reset link for user 00000000-0000-4000-8000-000000000001 is in the outbox');
    const [message, ...more] = await resetsFor(DEMO.email);
    expect(more).toEqual([]);
    expect(Object.keys(message ?? {}).sort()).toEqual(['at', 'id', 'kind', 'link', 'recipient', 'token']);
    expect(message).toMatchObject({ kind: 'password-reset', recipient: DEMO.email });
    expect(message?.link).toBe(`${APP}/reset-password/${message?.token}`);
    expect(Date.parse(message?.at as string)).toBeGreaterThanOrEqual(before - 1000);
    // The token is a JWT the mock signed for this user, living --reset-ttl.
    const { header, payload } = decode(message?.token as string);
    expect(header.kid).toBeTypeOf('string');
    expect(payload).toMatchObject({ purpose: 'password-reset', sub: '00000000-0000-4000-8000-000000000001' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
  });

  it('the email is matched without regard to case; the message goes to the stored (lower-case) address', async () => {
    expect((await valid(await forgot(mock.url, 'Customer@EXAMPLE.com'))).status).toBe(200);
    expect(await resetsFor(DEMO.email)).toHaveLength(1);
  });

  it('each ask sends a new link (the older ones stop working: see reset-password.test.ts)', async () => {
    await forgot(mock.url, DEMO.email);
    await forgot(mock.url, DEMO.email);
    const [first, second] = await resetsFor(DEMO.email);
    expect(first?.token).not.toBe(second?.token);
    expect(first?.id).not.toBe(second?.id);
  });

  /** Why nothing was sent, as X-Mock-Reason says. */
  const NOBODY = /^no user has that email: nothing sent$/;
  const MAY_NOT = /^user [\w-]+ may not reset a password: nothing sent$/;
  it.each<[string, () => Promise<string>, RegExp]>([
    ['an email no user has', async () => 'nobody-at-all@shop.example', NOBODY],
    [
      'an invited user (it has its invitation, no password to reset)',
      async () => {
        const email = someone();
        await invite(mock.url, { email });
        return email;
      },
      MAY_NOT,
    ],
    [
      'a deactivated user',
      async () => {
        const user = await member(mock.url, someone());
        expect((await setStatus(mock.url, await ownerToken(mock.url), user.userId, 'INACTIVE')).status).toBe(200);
        return user.email;
      },
      MAY_NOT,
    ],
    [
      'a user disabled through the control API',
      async () => {
        await mock.users.add({ email: 'disabled@shop.example', password: 'Disabled-Password-1', disabled: true });
        return 'disabled@shop.example';
      },
      MAY_NOT,
    ],
    [
      'a removed user',
      async () => {
        const user = await member(mock.url, someone());
        await mock.users.remove(user.email);
        return user.email;
      },
      NOBODY,
    ],
  ])('%s: the same 200, and no password-reset message', async (_what, who, reason) => {
    const email = await who();
    const answer = await valid(await forgot(mock.url, email));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(SPEC_200);
    expect(await resetsFor(email)).toEqual([]);
    // Only the mock's own header tells a tester why nothing was sent (a removed user's email is nobody's).
    expect(answer.headers.get('x-mock-reason')).toMatch(reason);
  });

  it('the answers for a user and for nobody differ in nothing a client reads but the mock’s own X-Mock-Reason', async () => {
    const [known, unknown] = [await forgot(mock.url, DEMO.email), await forgot(mock.url, 'nobody-at-all@shop.example')];
    const shown = (answer: Answer) => {
      const headers = Object.fromEntries([...answer.headers].filter(([name]) => !['date', 'x-mock-reason'].includes(name)));
      return { status: answer.status, headers, text: answer.text };
    };
    expect(shown(known)).toEqual(shown(unknown));
  });
});

describe('3. forced answers and faults send nothing', () => {
  it('Prefer: code=200 answers the documented 200 without sending a message', async () => {
    const answer = await valid(await call(mock.url, '/forgot-password', { json: { email: DEMO.email }, headers: { prefer: 'code=200' } }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(SPEC_200);
    expect(await outboxAt(mock.url)).toEqual([]);
  });

  it("a fault scoped to the user's sub fires on its forgot-password, and sends nothing", async () => {
    const fault = await mock.faults.arm({ status: 500, match: { operation: 'forgot-password', sub: '00000000-0000-4000-8000-000000000001' } });
    expect((await forgot(mock.url, 'nobody-at-all@shop.example')).status).toBe(200);
    const answer = await valid(await forgot(mock.url, DEMO.email));
    expect(answer.status).toBe(500);
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect(await outboxAt(mock.url)).toEqual([]);
  });
});
