import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/faults/fault.ts';
import type { Mock } from '../../src/mock.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { ALL_PERMISSIONS } from '../../src/users/customers.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { decode } from '../support/crafted.ts';
import { type Answer, control, DEMO, failingStore, logout, mockOn, signedIn, signIn, violations } from '../support/mock.ts';

/**
 * Customer Sign In over real HTTP (docs/operations.md, "Sign-in and refresh"; spec `POST /customer/sign-in`): the decision
 * in its order, row by row, each answer checked against the spec with Prism's validator.
 */

const SPEC_400 = { status: 'fail', message: 'Incorrect username or password.', errorCode: 'INVALID', data: { errorName: 'SignInApiError' } };
const SPEC_500 = { status: 'error', message: 'Incorrect username or password.', errorCode: 'UNKNOWN_ERROR', data: { errorName: 'NotAuthorizedException' } };
const SPEC_401 = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };

const ADMIN_USER = { email: 'ops@example.com', password: 'Admin-Password-1', role: 'admin' };
const DISABLED_USER = { email: 'gone@example.com', password: 'Gone-Password-1', disabled: true };

let mock: Mock;
let detailed: Mock;
let failing500: Mock;
let double: Mock;
let tiny: Mock;

beforeAll(async () => {
  [mock, detailed, failing500, double, tiny] = await Promise.all([
    mockOn(),
    mockOn({ detailedErrors: true }),
    mockOn({ signInFailure: 500 }),
    mockOn({ signInWrap: 'double' }),
    mockOn({ maxBodyBytes: 64 }),
  ]);
  for (const m of [mock, detailed, failing500]) {
    await m.users.add(ADMIN_USER);
    await m.users.add(DISABLED_USER);
  }
});
afterEach(async () => {
  await mock.faults.clear();
});
afterAll(async () => {
  await Promise.all([mock, detailed, failing500, double, tiny].map((m) => m.close()));
});

/** A sign-in answer that Prism finds nothing wrong with, every one carrying `Cache-Control: no-store`. */
async function expectValid(answer: Answer): Promise<Answer> {
  expect(await violations(answer, 'sign-in'), `${answer.status} ${answer.text}`).toEqual([]);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  return answer;
}

describe('1. an armed fault for sign-in', () => {
  it('a status fault answers its documented body, names itself in X-Mock-Fault, and signs nobody in', async () => {
    const fault = await mock.faults.arm({ status: 500, match: { operation: 'sign-in' } });
    const answer = await expectValid(await signIn(mock, { json: DEMO }));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual(SPEC_500);
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect(answer.headers.get('set-cookie')).toBeNull();
    // times 1: the next one signs in.
    expect((await signIn(mock, { json: DEMO })).status).toBe(200);
  });

  it('the fault comes before every other row: a body that does not even parse gets the fault', async () => {
    await mock.faults.arm({ status: 403, match: { operation: 'sign-in' } });
    const answer = await signIn(mock, { body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(403);
  });

  it("match.sub applies once the email names a known user: only that user's sign-ins fail", async () => {
    const fault = await mock.faults.arm({ status: 500, times: null, match: { operation: 'sign-in', sub: DEMO_USER.sub } });
    expect((await signIn(mock, { json: ADMIN_USER })).status).toBe(200);
    expect((await signIn(mock, { json: { email: 'nobody@example.com', password: 'x' } })).status).toBe(400);
    const faulted = await signIn(mock, { json: { email: 'CUSTOMER@example.com', password: 'wrong' } });
    expect(faulted.status).toBe(500);
    expect(faulted.headers.get('x-mock-fault')).toBe(fault.id);
  });

  it('a logout fault (no match.operation) never fires on sign-in; a "*" fault does', async () => {
    const logoutFault = await mock.faults.arm({ status: 500 });
    expect((await signIn(mock, { json: DEMO })).status).toBe(200);
    expect((await mock.faults.list()).map((f) => f.id)).toEqual([logoutFault.id]);
    await mock.faults.clear();
    const any = await mock.faults.arm({ status: 401, match: { operation: '*' } });
    const answer = await expectValid(await signIn(mock, { json: DEMO }));
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(SPEC_401);
    expect(answer.headers.get('x-mock-fault')).toBe(any.id);
  });

  it.each(['reset', 'empty', 'garbage'] as const)('a network fault "%s" breaks the connection instead of answering', async (network) => {
    await mock.faults.arm({ network, match: { operation: 'sign-in' } });
    await expect(signIn(mock, { json: DEMO })).rejects.toThrow();
    const [entry] = await mock.requests({ operation: 'sign-in', limit: 1 });
    expect(entry).toMatchObject({ status: 0, reason: `network fault ${network}` });
  });

  it('a "hang" holds the sign-in until the fault is cleared, then it is answered as if never armed', async () => {
    const fault = await mock.faults.arm({ network: 'hang', match: { operation: 'sign-in' } });
    const pending = signIn(mock, { json: DEMO });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await mock.faults.clear(fault.id)).toBe(1);
    const answer = await pending;
    expect(answer.status).toBe(200);
  });

  it('a fault with delayMs delays the sign-in, then answers its status', async () => {
    await mock.faults.arm({ status: 500, delayMs: 300, match: { operation: 'sign-in' } });
    const started = performance.now();
    const answer = await signIn(mock, { json: DEMO });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(500);
  });
});

describe('2. Prefer: code= and ?__code= answer the documented answer of sign-in', () => {
  it.each([
    [{ prefer: 'code=500' }, '', 500, SPEC_500],
    [{}, '?__code=500', 500, SPEC_500],
    [{ prefer: 'code=400' }, '', 400, SPEC_400],
    [{ prefer: 'code=401' }, '', 401, SPEC_401],
    [{ prefer: 'code=403' }, '', 403, { message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' }],
  ])('%o%s → %i with its example', async (headers, query, status, body) => {
    const answer = await expectValid(await signIn(mock, { json: DEMO, headers, query }));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('code=200 is a real sign-in of the demo user (an app that forces a 200 to skip its login form gets tokens that work)', async () => {
    const answer = await expectValid(await signIn(mock, { json: { email: 'x@example.com', password: 'nope' }, headers: { prefer: 'code=200' } }));
    expect(answer.status).toBe(200);
    const tokens = signedIn(answer);
    expect(tokens.data.user_details).toMatchObject({ email: DEMO.email });
    expect(answer.headers.get('x-mock-reason')).toMatch(/^override code=200: signed in: new sign-in /);
    expect(answer.headers.get('set-cookie')).toContain('refresh_token=');
    expect((await logout(mock, { token: tokens.idToken })).status).toBe(200);
  });

  it('code=200 with a body naming a known user signs that user in, whatever the password', async () => {
    await mock.users.add({ email: 'forced@example.com', password: 'Forced-Password-1' });
    const answer = await expectValid(await signIn(mock, { json: { email: 'forced@example.com', password: 'wrong' }, headers: { prefer: 'code=200' } }));
    expect(signedIn(answer).data.user_details).toMatchObject({ email: 'forced@example.com' });
  });

  it.each([['code=418'], ['code=abc'], ['code=201']])('an undocumented %s → 400 naming the allowed codes', async (prefer) => {
    const answer = await expectValid(await signIn(mock, { json: DEMO, headers: { prefer } }));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toContain('allowed: 200, 400, 401, 403, 500');
  });

  it('Prefer: delay= delays a real sign-in', async () => {
    const started = performance.now();
    const answer = await signIn(mock, { json: DEMO, headers: { prefer: 'delay=250' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(answer.status).toBe(200);
  });
});

describe('3. a malformed request → 400 naming what is wrong', () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    ['no body', {}, /body is required/],
    ['an empty JSON body', { body: '', headers: json }, /body is required/],
    ['a body declared JSON that does not parse', { body: '{"email": "customer@example.com", ', headers: json }, /does not parse/],
    [
      'a body that is not JSON',
      { body: 'email=customer@example.com&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      /must be JSON/,
    ],
    ['a JSON array', { json: [DEMO] }, /JSON object/],
    ['a JSON string', { json: 'customer@example.com' }, /JSON object/],
    ['JSON null', { body: 'null', headers: json }, /JSON object/],
  ])('%s', async (_name, init, reason) => {
    for (const target of [mock, detailed]) {
      const answer = await expectValid(await signIn(target, init));
      expect(answer.status).toBe(400);
      expect(answer.headers.get('x-mock-reason')).toMatch(reason);
      if (target === detailed) expect((answer.body as { message: string }).message).toMatch(reason);
    }
  });

  it('a body over --max-body → 400 at once; its rest is read and thrown away, so the connection stays usable (test/http/body-limit.test.ts)', async () => {
    const answer = await expectValid(await signIn(tiny, { json: { ...DEMO, padding: 'x'.repeat(100) } }));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toMatch(/body/i);
    expect(answer.headers.get('connection')).not.toBe('close');
    // Just under the limit signs in.
    expect((await signIn(tiny, { json: DEMO })).status).toBe(200);
  });

  it('a JSON body sent without a Content-Type is read as JSON (clients of a JSON API often omit it)', async () => {
    const response = await fetch(mock.urls['sign-in'] as string, { method: 'POST', body: new TextEncoder().encode(JSON.stringify(DEMO)) });
    expect(response.status).toBe(200);
  });
});

describe('4. the request schema → 400, the field named in X-Mock-Reason (and in message with --detailed-errors)', () => {
  it.each([
    ['email missing', { password: DEMO.password }, 'email'],
    ['password missing', { email: DEMO.email }, 'password'],
    ['both missing', {}, 'email'],
    ['email a number', { email: 42, password: DEMO.password }, 'email'],
    ['email null', { email: null, password: DEMO.password }, 'email'],
    ['password a number', { email: DEMO.email, password: 12345678 }, 'password'],
    ['password an array', { email: DEMO.email, password: [DEMO.password] }, 'password'],
    ['email not an email address', { email: 'customer', password: DEMO.password }, 'email'],
    ['email with two @', { email: 'a@b@example.com', password: DEMO.password }, 'email'],
  ])('%s', async (_name, json, field) => {
    const plain = await expectValid(await signIn(mock, { json }));
    expect(plain.status).toBe(400);
    expect(plain.headers.get('x-mock-reason')).toMatch(new RegExp(`^${field}\\b`));
    expect(plain.body).toEqual(SPEC_400);
    const rich = await expectValid(await signIn(detailed, { json }));
    expect(rich.status).toBe(400);
    expect((rich.body as { message: string }).message).toMatch(new RegExp(`^${field}\\b`));
  });
});

describe('5. unknown email, wrong password, disabled user: one answer for all three', () => {
  const cases = [
    ['unknown email', { email: 'nobody@example.com', password: DEMO.password }],
    ['wrong password', { email: DEMO.email, password: 'Sandbox-Password-2' }],
    ['the password of another user', { email: DEMO.email, password: ADMIN_USER.password }],
    ['wrong case in the password', { email: DEMO.email, password: DEMO.password.toUpperCase() }],
    ['an empty password', { email: DEMO.email, password: '' }],
    ['a disabled user with the right password', { email: DISABLED_USER.email, password: DISABLED_USER.password }],
  ] as const;

  /** Everything a client can see of an answer but the Date header. */
  const seen = (answer: Answer) => ({
    status: answer.status,
    text: answer.text,
    headers: [...answer.headers].filter(([name]) => name !== 'date' && name !== 'keep-alive'),
  });

  it.each([
    ['the documented 400', () => mock, 400, SPEC_400],
    ['the documented 500 with --sign-in-failure 500', () => failing500, 500, SPEC_500],
  ])('%s, identical in status, body and headers (X-Mock-Reason too)', async (_name, target, status, body) => {
    const answers = [];
    for (const [, json] of cases) answers.push(await expectValid(await signIn(target(), { json })));
    const first = seen(answers[0] as Answer);
    expect(first.status).toBe(status);
    expect((answers[0] as Answer).body).toEqual(body);
    for (const answer of answers) expect(seen(answer)).toEqual(first);
    expect((answers[0] as Answer).headers.get('x-mock-reason')).toBe('email or password is incorrect, or the user is disabled');
  });

  it('with --detailed-errors too: the message does not tell which of the three it was', async () => {
    const messages = new Set<string>();
    for (const [, json] of cases) messages.add(((await signIn(detailed, { json })).body as { message: string }).message);
    expect(messages.size).toBe(1);
  });

  it('the three take the same path through the state store (no timed assertion: it would flake on a shared machine)', async () => {
    // A store that records which of its operations each sign-in calls: the big cost of a sign-in (a Redis
    // round trip) must not differ between an unknown email, a wrong password and a disabled user.
    let calls: string[] = [];
    const memory = new MemoryStore({ journalSize: 100 });
    const store = new Proxy(memory, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (name !== 'appendRequest') calls.push(String(name));
          return value.apply(target, args);
        };
      },
    });
    const counted = await mockOn({ store });
    try {
      await counted.users.add(DISABLED_USER);
      const paths = [];
      for (const [, json] of cases) {
        calls = [];
        expect((await signIn(counted, { json })).status).toBe(400);
        paths.push(calls);
      }
      expect(paths[0]).toEqual(['getUser', 'takeFault']);
      for (const path of paths) expect(path).toEqual(paths[0]);
    } finally {
      await counted.close();
    }
  });

  it('--sign-in-failure 500 changes only wrong credentials: a malformed request is still 400, a right one 200', async () => {
    expect((await signIn(failing500, { json: { email: 'x' } })).status).toBe(400);
    expect((await signIn(failing500, { json: DEMO })).status).toBe(200);
  });
});

describe('6. a user whose role is not customer', () => {
  it('signs in (200) with custom:role in the tokens, and logout answers 403', async () => {
    const answer = await expectValid(await signIn(mock, { json: ADMIN_USER }));
    expect(answer.status).toBe(200);
    const { idToken, accessToken } = signedIn(answer);
    expect(decode(idToken).payload['custom:role']).toBe('admin');
    const refused = await logout(mock, { token: idToken });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await logout(mock, { token: accessToken })).status).toBe(403);
  });
});

describe('7. success → 200 per the schema, a new sign-in', () => {
  it("answers the schema's single wrap with the user's details, tokens, permissions, customer and subrole", async () => {
    const answer = await expectValid(await signIn(mock, { json: DEMO }));
    expect(answer.status).toBe(200);
    const body = answer.body as { status: string; message: string; data: Record<string, unknown> };
    expect(body.status).toBe('success');
    expect(body.message).toBe('Logged In successfully');
    expect(body.data.user_details).toEqual({
      id: DEMO_USER.sub,
      first_name: 'Sandbox',
      last_name: 'Customer Admin',
      email: 'customer@example.com',
      is_email_verified: true,
    });
    expect(body.data.customer_details).toEqual({ id: DEMO_USER.customer_id, name: 'Sandbox' });
    expect(body.data.permissions).toEqual([...ALL_PERMISSIONS]);
    expect(body.data.subrole).toEqual({ id: '00000000-0000-4000-8000-000000000002', code: 'owner', label: 'Owner' });
    expect(body.data).not.toHaveProperty('data');
    for (const field of ['access_token', 'id_token', 'refresh_token']) expect(typeof body.data[field]).toBe('string');
  });

  it("--sign-in-wrap double answers the page example's double wrap, still schema-valid, with working tokens", async () => {
    const answer = await expectValid(await signIn(double, { json: DEMO }));
    const body = answer.body as { status: string; data: { status: string; message: string; data: Record<string, unknown> } };
    expect(body.status).toBe('success');
    expect(body.data.status).toBe('success');
    expect(body.data.message).toBe('Logged In successfully');
    expect(body.data.data.user_details).toMatchObject({ email: 'customer@example.com' });
    expect((await logout(double, { token: body.data.data.id_token as string })).status).toBe(200);
  });

  it("the email is matched case-insensitively; blanks around it fail the spec's format: email, as check reads it", async () => {
    expect((await signIn(mock, { json: { email: 'Customer@EXAMPLE.com', password: DEMO.password } })).status).toBe(200);
    const padded = await expectValid(await signIn(mock, { json: { email: 'customer@example.com ', password: DEMO.password } }));
    expect(padded.status).toBe(400);
    expect(padded.headers.get('x-mock-reason')).toBe('email must match format "email"');
  });

  it('each sign-in is new: a new origin_jti shared by its id and access tokens', async () => {
    const one = signedIn(await signIn(mock, { json: DEMO }));
    const two = signedIn(await signIn(mock, { json: DEMO }));
    const sid = (token: string) => decode(token).payload.origin_jti;
    expect(sid(one.idToken)).toBe(sid(one.accessToken));
    expect(sid(two.idToken)).toBe(sid(two.accessToken));
    expect(sid(one.idToken)).not.toBe(sid(two.idToken));
    expect(one.refreshToken).not.toBe(two.refreshToken);
    // Logging one out leaves the other signed in.
    expect((await logout(mock, { token: one.idToken })).status).toBe(200);
    expect((await logout(mock, { token: two.accessToken })).status).toBe(200);
  });

  it('its tokens are what POST /__mock/tokens mints: same kids, issuer, lifetimes and claims, with the user in them', async () => {
    const { idToken, accessToken, refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    const minted = (
      await control(mock.url, 'POST', '/__mock/tokens', {
        sub: DEMO_USER.sub,
        customer_id: DEMO_USER.customer_id,
        claims: { email: DEMO.email, given_name: 'Sandbox', family_name: 'Customer Admin' },
      })
    ).body as { token: string; idToken: string; refreshToken: string };
    const [id, access, mintedId, mintedAccess] = [idToken, accessToken, minted.idToken, minted.token].map(decode) as ReturnType<typeof decode>[];
    expect(id?.header).toEqual(mintedId?.header);
    expect(access?.header).toEqual(mintedAccess?.header);
    expect(id?.header.kid).not.toBe(access?.header.kid);
    expect(Object.keys(id?.payload ?? {}).sort()).toEqual(Object.keys(mintedId?.payload ?? {}).sort());
    // The user's attributes ride in the id token only, as Cognito's access tokens carry none; `claims` put them in both.
    const attributes = ['email', 'given_name', 'family_name'];
    expect(Object.keys(access?.payload ?? {}).sort()).toEqual(
      Object.keys(mintedAccess?.payload ?? {})
        .filter((claim) => !attributes.includes(claim))
        .sort(),
    );
    for (const [ours, theirs] of [
      [id, mintedId],
      [access, mintedAccess],
    ] as const) {
      expect(ours?.payload.iss).toBe(mock.issuer);
      expect(Number(ours?.payload.exp) - Number(ours?.payload.iat)).toBe(3600);
      expect(ours?.payload.iss).toBe(theirs?.payload.iss);
      expect(ours?.payload.token_use).toBe(theirs?.payload.token_use);
    }
    expect(id?.payload).toMatchObject({
      sub: DEMO_USER.sub,
      token_use: 'id',
      email: 'customer@example.com',
      given_name: 'Sandbox',
      family_name: 'Customer Admin',
      'custom:role': 'customer',
      'custom:id': DEMO_USER.id,
      'custom:customer_id': DEMO_USER.customer_id,
      aud: mock.config.clientId,
    });
    expect(access?.payload.email).toBeUndefined();
    expect(access?.payload).toMatchObject({ sub: DEMO_USER.sub, token_use: 'access', client_id: mock.config.clientId, scope: 'aws.cognito.signin.user.admin' });
    // The refresh token is opaque (a 5-part JWE), as minted.
    expect(refreshToken.split('.')).toHaveLength(5);
    expect(minted.refreshToken.split('.')).toHaveLength(5);
    const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString());
    expect(header(refreshToken)).toEqual(header(minted.refreshToken));
  });

  it('sets the refresh token in a cookie: HttpOnly, SameSite=Lax, Path = the base path, for the refresh lifetime', async () => {
    const answer = await signIn(mock, { json: DEMO });
    const { refreshToken } = signedIn(answer);
    const cookies = answer.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const [pair, ...attributes] = (cookies[0] as string).split(/;\s*/);
    expect(pair).toBe(`refresh_token=${refreshToken}`);
    expect(attributes.map((a) => a.toLowerCase()).sort()).toEqual(['httponly', 'max-age=86400', 'path=/auth/api/v1', 'samesite=lax']);
  });

  it('--refresh-cookie and --base-path name the cookie and its path', async () => {
    const other = await mockOn({ refreshCookie: 'wam_rt', basePath: '/auth' });
    try {
      const cookie = (await signIn(other, { json: DEMO })).headers.getSetCookie()[0] ?? '';
      expect(cookie).toMatch(/^wam_rt=[\w.-]+;/);
      expect(cookie).toContain('Path=/auth;');
    } finally {
      await other.close();
    }
  });

  it('served at the root (--base-path ""), the cookie is on path /', async () => {
    const root = await mockOn({ basePath: '' });
    try {
      const answer = await fetch(`${root.url}/customer/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(DEMO),
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.getSetCookie()[0]).toContain('Path=/;');
    } finally {
      await root.close();
    }
  });

  it('the tokens of a sign-in log out (the id token, the frontend bearer), and then the access token is refused', async () => {
    const { idToken, accessToken } = signedIn(await signIn(mock, { json: DEMO }));
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    const again = await logout(mock, { token: accessToken });
    expect(again.status).toBe(401);
    expect(again.headers.get('x-mock-reason')).toMatch(/revoked/);
  });

  it('a user added at run time signs in with the details given', async () => {
    await mock.users.add({
      email: 'ann@shop.example',
      password: 'Ann-Password-1',
      given_name: 'Ann',
      family_name: 'Lee',
      customer_name: 'Shop',
      permissions: ['case:read'],
    });
    const answer = await expectValid(await signIn(mock, { json: { email: 'ann@shop.example', password: 'Ann-Password-1' } }));
    const { data, idToken } = signedIn(answer);
    expect(data.user_details).toMatchObject({ first_name: 'Ann', last_name: 'Lee', email: 'ann@shop.example' });
    expect(data.customer_details).toMatchObject({ name: 'Shop' });
    expect(data.permissions).toEqual(['case:read']);
    expect(decode(idToken).payload).toMatchObject({ given_name: 'Ann', family_name: 'Lee', email: 'ann@shop.example' });
  });
});

describe('a fault scoped to a client session, and a store that fails', () => {
  it('match.session: only sign-ins from that X-Mock-Session (or mock_session cookie) are hit', async () => {
    await mock.faults.arm({ status: 500, times: null, match: { operation: 'sign-in', session: 'qa-ann' } });
    expect((await signIn(mock, { json: DEMO, headers: { 'x-mock-session': 'qa-bob' } })).status).toBe(200);
    expect((await signIn(mock, { json: DEMO })).status).toBe(200);
    expect((await signIn(mock, { json: DEMO, headers: { 'x-mock-session': 'qa-ann' } })).status).toBe(500);
    expect((await signIn(mock, { json: DEMO, headers: { cookie: 'mock_session=qa-ann' } })).status).toBe(500);
  });

  it('a state store that fails → the documented 500, the reason in X-Mock-Reason, never a stack trace', async () => {
    const { store, fail } = failingStore('getUser');
    const broken = await mockOn({ store });
    try {
      fail(true);
      const answer = await expectValid(await signIn(broken, { json: DEMO }));
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual(SPEC_500);
      expect(answer.headers.get('x-mock-reason')).toBe('state store failed: connection lost');
      expect(answer.text).not.toMatch(/at .*\.ts:\d+/);
      fail(false);
      expect((await signIn(broken, { json: DEMO })).status).toBe(200);
    } finally {
      await broken.close();
    }
  });
});

describe("faults per operation: a status fault may use only its operation's documented statuses", () => {
  it.each([
    [{ status: 418, match: { operation: 'sign-in' } }, 'sign-in'],
    [{ status: 204, match: { operation: 'refresh' } }, 'refresh'],
    [{ status: 302 }, 'logout'],
    [{ status: 404, match: { operation: '*' } }, '*'],
  ])('%o (%s) is refused at arming with 400 naming the allowed ones', async (fault, _operation) => {
    const answer = await control(mock.url, 'POST', '/__mock/faults', fault);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/status/);
    expect(JSON.stringify(answer.body)).toMatch(/200, 400, 401, 403, 500/);
    expect(await mock.faults.list()).toEqual([]);
  });

  it('an unknown operation is refused naming the ones served', async () => {
    const answer = await control(mock.url, 'POST', '/__mock/faults', { status: 500, match: { operation: 'signin' } });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('match.operation');
  });

  it('a fault armed over HTTP for sign-in is listed with its operation', async () => {
    const answer = await control(mock.url, 'POST', '/__mock/faults', { status: 500, match: { operation: 'sign-in' } });
    expect(answer.status).toBe(201);
    const listed = (await control(mock.url, 'GET', '/__mock/faults')).body as { faults: Fault[] };
    expect(listed.faults).toHaveLength(1);
    expect(listed.faults[0]?.match).toMatchObject({ operation: 'sign-in' });
  });
});
