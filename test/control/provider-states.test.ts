import { describe, expect, it } from 'vitest';
import { decode } from '../support/crafted.ts';
import { DEMO, logout, mockOn, read, signIn, useMock, violations } from '../support/mock.ts';

const mock = useMock();

/** Pact's state-change call, as the verifier makes it. */
async function stateChange(body: unknown) {
  return read(
    await fetch(`${mock.url}/__mock/provider-states`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

/** POSTs to one of the mock's contract operations (relative to its base path) with a JSON body. */
async function call(operation: string, body: unknown) {
  return read(await fetch(`${mock.baseUrl}${operation}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

describe('POST /__mock/provider-states', () => {
  // Each state's token, presented to logout, gets the answer the pact expects of that state.
  const cases = [
    { state: 'a customer with an active session', status: 200 },
    { state: 'a customer whose session has been logged out', status: 401 },
    { state: 'a customer whose token has expired', status: 401 },
    { state: 'a signed-in user who is not a customer', status: 403 },
  ];

  it.each(cases)('"$state" returns a token that logout answers $status', async ({ state, status }) => {
    const setup = await stateChange({ state, params: {}, action: 'setup' });
    expect(setup.status).toBe(200);
    const { token } = setup.body as { token: string };
    expect(token.split('.')).toHaveLength(3);
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(status);
    expect(await violations(answer)).toEqual([]);
  });

  // The same sign-in states give the refresh token of that sign-in: refresh answers what the pact expects.
  it.each([
    { state: 'a customer with an active session', status: 200 },
    { state: 'a customer whose session has been logged out', status: 401 },
  ])('"$state" returns a refresh token that refresh answers $status', async ({ state, status }) => {
    const { body } = await stateChange({ state, action: 'setup' });
    const { refreshToken, idToken } = body as { refreshToken: string; idToken: string };
    expect(idToken.split('.')).toHaveLength(3);
    const answer = await call('/refresh-token/customer', { refresh_token: refreshToken });
    expect(answer.status).toBe(status);
    if (status === 200) expect((answer.body as { data: { id_token: unknown } }).data.id_token).toEqual(expect.any(String));
  });

  it('"a customer with credentials" returns the email and password of a user who can sign in, and of no one else', async () => {
    const { status, body } = await stateChange({ state: 'a customer with credentials', action: 'setup' });
    expect(status).toBe(200);
    const { email, password } = body as { email: string; password: string };
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect((await call('/customer/sign-in', { email, password })).status).toBe(200);
    expect((await call('/customer/sign-in', { email, password: `${password}x` })).status).toBe(400);
    // Every setup makes a new user with a new password.
    const again = (await stateChange({ state: 'a customer with credentials', action: 'setup' })).body as { email: string; password: string };
    expect(again.email).not.toBe(email);
    expect(again.password).not.toBe(password);
    // The users list shows the user, never the password.
    const users = await read(await fetch(`${mock.url}/__mock/users`));
    expect(users.text).toContain(email);
    expect(users.text).not.toContain(password);
  });

  it('keeps at most 20 users made by the credentials state, the newest, however many verifications ran', async () => {
    const bounded = await mockOn();
    try {
      const made: string[] = [];
      for (let i = 0; i < 25; i++) {
        const answer = await fetch(`${bounded.url}/__mock/provider-states`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'a customer with credentials', action: 'setup' }),
        });
        made.push(((await answer.json()) as { email: string }).email);
      }
      const emails = (await bounded.users.list()).map((u) => u.email);
      expect(emails.filter((e) => made.includes(e))).toEqual(made.slice(-20));
      // The seed user is not theirs to remove.
      expect(emails).toContain('customer@example.com');
    } finally {
      await bounded.close();
    }
  });

  it('remembers the "logged out" state\'s sign-in as long as a logout would: past a refresh ttl shorter than the token\'s', async () => {
    let now = Date.now();
    const short = await mockOn({ clock: () => now, tokenTtlSeconds: 7200, refreshTtlSeconds: 3600 });
    try {
      const setup = await read(
        await fetch(`${short.url}/__mock/provider-states`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'a customer whose session has been logged out' }),
        }),
      );
      const { token } = setup.body as { token: string };
      expect((await logout(short, { token })).status).toBe(401);
      now += 3700 * 1000; // The refresh token has expired; the access token has not.
      expect((await logout(short, { token })).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('logs the "logged out" state\'s sign-in out: the session list shows it, not just the answer', async () => {
    const { body } = await stateChange({ state: 'a customer whose session has been logged out', action: 'setup' });
    const sub = decode((body as { token: string }).token).payload.sub as string;
    const sessions = (await mock.tokens()).filter((s) => s.sub === sub);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.status === 'logged-out')).toBe(true);
  });

  it('"a customer with credentials" + { email, password } (Pact v3 params) makes that user, who signs in with that password', async () => {
    const credentials = { email: 'Jane.Params@Example.com', password: 'pact-params-password-1' };
    const setup = await stateChange({ state: 'a customer with credentials', params: credentials, action: 'setup' });
    expect(setup.status).toBe(200);
    expect(setup.body).toEqual({ email: 'jane.params@example.com', password: credentials.password });
    expect((await call('/customer/sign-in', credentials)).status).toBe(200);
    expect((await call('/customer/sign-in', { ...credentials, password: 'another-password' })).status).toBe(400);
  });

  it('"a customer with credentials" + the email of an existing user sets its password, keeping who it is', async () => {
    const own = await mockOn();
    try {
      const before = (await own.users.list()).find((u) => u.email === DEMO.email);
      const answer = await fetch(`${own.url}/__mock/provider-states`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'a customer with credentials', params: { email: DEMO.email, password: 'a-password-the-pact-gives' } }),
      });
      expect(answer.status).toBe(200);
      expect((await signIn(own, { json: { email: DEMO.email, password: 'a-password-the-pact-gives' } })).status).toBe(200);
      expect((await signIn(own, { json: DEMO })).status).toBe(400);
      // The same user (sub, names, seed): only the password changed, and reset restores the seed's.
      expect((await own.users.list()).find((u) => u.email === DEMO.email)).toEqual(before);
      await own.reset();
      expect((await signIn(own, { json: DEMO })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('"a customer with credentials" + only an email makes up the password, and answers it', async () => {
    const { status, body } = await stateChange({ state: 'a customer with credentials', params: { email: 'only-email@example.com' } });
    expect(status).toBe(200);
    const { email, password } = body as { email: string; password: string };
    expect(email).toBe('only-email@example.com');
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect((await call('/customer/sign-in', { email, password })).status).toBe(200);
  });

  // The sign-in states take the customer by `email` (a user of the mock) or by `sub`.
  it.each(['a customer with an active session', 'a customer whose session has been logged out', 'a customer whose token has expired'])(
    '"%s" + { email } is a sign-in of that user; + { sub } carries that sub',
    async (state) => {
      const demo = (await mock.users.list()).find((u) => u.email === DEMO.email)!;
      const byEmail = await stateChange({ state, params: { email: DEMO.email }, action: 'setup' });
      expect(byEmail.status).toBe(200);
      expect(decode((byEmail.body as { token: string }).token).payload.sub).toBe(demo.sub);
      const bySub = await stateChange({ state, params: { sub: 'pact-sub-42' }, action: 'setup' });
      expect(bySub.status).toBe(200);
      expect(decode((bySub.body as { token: string }).token).payload.sub).toBe('pact-sub-42');
    },
  );

  it('"a signed-in user who is not a customer" + { sub, role } carries them, and logout still answers 403', async () => {
    const { status, body } = await stateChange({ state: 'a signed-in user who is not a customer', params: { sub: 'ops-1', role: 'support' } });
    expect(status).toBe(200);
    const { token } = body as { token: string };
    expect(decode(token).payload).toMatchObject({ sub: 'ops-1', 'custom:role': 'support' });
    expect((await logout(mock, { token })).status).toBe(403);
  });

  // A param the state does not take, or of the wrong type, fails the state naming it: never set up as if it had not been given.
  it.each([
    { state: 'a customer with credentials', params: { username: 'jane', email: 'jane@example.com' }, field: 'params', names: ['"username"'] },
    { state: 'a customer with an active session', params: { password: 'x', tenant: 'acme' }, field: 'params', names: ['"password"', '"tenant"'] },
    { state: 'a customer whose token has expired', params: { expiresIn: 60 }, field: 'params', names: ['"expiresIn"'] },
    { state: 'a customer with credentials', params: { email: 42 }, field: 'params.email', names: ['"email"', '42'] },
    { state: 'a customer with credentials', params: { email: 'not-an-address' }, field: 'params.email', names: ['"email"', 'email address'] },
    { state: 'a customer with an active session', params: { sub: ['a'] }, field: 'params.sub', names: ['"sub"'] },
    { state: 'a customer with an active session', params: { email: 'nobody@example.com' }, field: 'params.email', names: ['nobody@example.com'] },
    { state: 'a customer with an active session', params: { email: DEMO.email, sub: 'x' }, field: 'params', names: ['"email"', '"sub"'] },
    { state: 'a signed-in user who is not a customer', params: { role: 'customer' }, field: 'params.role', names: ['"role"'] },
    { state: 'a customer with credentials', params: ['jane@example.com'], field: 'params', names: ['params'] },
  ])('refuses $state + $params with 400 naming $field', async ({ state, params, field, names }) => {
    const answer = await stateChange({ state, params, action: 'setup' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field });
    for (const name of names) expect((answer.body as { message: string }).message).toContain(name);
  });

  it('never quotes a password param back, even one of the wrong type', async () => {
    const answer = await stateChange({ state: 'a customer with credentials', params: { email: 'quiet@example.com', password: 12345678 } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field: 'params.password' });
    expect(answer.text).not.toContain('12345678');
  });

  it('answers {} for no state (an interaction that names none) and for teardown', async () => {
    for (const body of [
      { state: '', params: {}, action: 'setup' },
      { state: 'a customer with an active session', params: {}, action: 'teardown' },
    ]) {
      const answer = await stateChange(body);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({});
    }
  });

  it.each([
    { body: { state: 'a customer who owns a yacht', action: 'setup' }, field: 'state' },
    { body: { action: 'setup' }, field: 'state' },
    { body: { state: 'a customer with an active session', action: 'prepare' }, field: 'action' },
    { body: ['a customer with an active session'], field: 'body' },
  ])('refuses $body with 400 naming $field', async ({ body, field }) => {
    const answer = await stateChange(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field });
  });
});
