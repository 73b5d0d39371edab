import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import type { Mock } from '../../src/mock.ts';
import { runCli, startCli } from '../support/cli.ts';
import { type Answer, control, DEMO, mockOn, refresh, signedIn, signIn } from '../support/mock.ts';

/**
 * The users who can sign in (docs/operations.md): `--users FILE`, `POST/GET/DELETE /__mock/users`,
 * `mock.users`, what reset keeps; and that a password never shows up anywhere the mock writes or answers.
 */

let dir: string;
let mock: Mock;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wam-users-'));
  mock = await mockOn();
});
afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` (JSON unless a string) to a new file in the test folder; returns its path. */
async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const api = (method: string, path: string, body?: unknown): Promise<Answer> => control(mock.url, method, path, body);

describe('--users FILE', () => {
  const ann = { email: 'ann@shop.example', password: 'Ann-Password-1', given_name: 'Ann', role: 'customer' };
  const bob = { email: 'Bob@Shop.Example', password: 'Bob-Password-1', role: 'applicant', disabled: false };

  it.each([
    ['a JSON array', [ann, bob]],
    ['{ "users": [...] }', { users: [ann, bob] }],
  ])('as %s: its users sign in, and the demo user does not exist', async (_name, content) => {
    const seeded = await mockOn({ usersFile: await file('users.json', content) });
    try {
      expect((await signIn(seeded, { json: { email: ann.email, password: ann.password } })).status).toBe(200);
      expect((await signIn(seeded, { json: { email: 'bob@shop.example', password: bob.password } })).status).toBe(200);
      expect((await signIn(seeded, { json: DEMO })).status).toBe(400);
      const listed = (await control(seeded.url, 'GET', '/__mock/users')).body as { users: { email: string; source: string; role: string }[] };
      expect(listed.users.map((u) => [u.email, u.source, u.role])).toEqual([
        ['ann@shop.example', 'seed', 'customer'],
        ['bob@shop.example', 'seed', 'applicant'],
      ]);
    } finally {
      await seeded.close();
    }
  });

  it('refuses a file that gives one email twice (the last would silently win), naming the entry and the email', async () => {
    const path = await file('twice.json', [ann, { ...ann, email: 'ANN@shop.example', password: 'Other-Password-2' }]);
    await expect(mockOn({ usersFile: path })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      field: '--users',
      message: expect.stringMatching(/entry 1, field email: ann@shop\.example is already entry 0/),
    });
  });

  const SECRET = 'File-Secret-Password-7';
  it.each([
    ['a file that does not exist', null, /--users .*cannot be read \(ENOENT\)/],
    ['a file that is not JSON', `[{"email": "ann@shop.example", "password": "${SECRET}"`, /--users .* is not valid JSON/],
    ['a JSON object without users', { people: [] }, /must hold a JSON array of users/],
    ['an entry that is not an object', ['ann@shop.example'], /entry 0, field body/],
    ['an entry without a password', [ann, { email: 'c@shop.example' }], /entry 1, field password/],
    ['an entry with a bad email', [{ email: SECRET, password: SECRET }], /entry 0, field email/],
    ['an entry with an empty password', [{ email: 'c@shop.example', password: '' }], /entry 0, field password/],
    ['an entry with a password that is a number', [{ email: 'c@shop.example', password: 12345678 }], /entry 0, field password/],
    ['an entry with an unknown field', [ann, bob, { ...ann, email: 'd@shop.example', pasword: SECRET }], /entry 2, field pasword/],
    ['an entry with a bad customer_id', [{ ...ann, customer_id: 'cust-1' }], /entry 0, field customer_id/],
    ['an entry with permissions that are not codes', [{ ...ann, permissions: [{ code: 'case:read' }] }], /entry 0, field permissions/],
    ['an entry with disabled "yes"', [{ ...ann, disabled: 'yes' }], /entry 0, field disabled/],
  ])('%s stops the start with a ConfigError naming --users, the entry and the field', async (name, content, message) => {
    const path = content === null ? join(dir, 'missing.json') : await file(`bad-${name.replace(/\W+/g, '-')}.json`, content);
    const error = await mockOn({ usersFile: path }).then(
      (started) => started.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG', field: '--users' });
    expect((error as Error).message).toMatch(message);
    // The password of the file never reaches the message (an email field holding one is the user's own doing).
    if (!/bad email/.test(name)) expect((error as Error).message).not.toContain(SECRET);
  });

  it('the CLI exits 2 naming --users, the entry and the field; a good file starts and signs in', async () => {
    const bad = await file('cli-bad.json', [ann, { email: 'x@shop.example', password: 'X-Password-1', role: 7 }]);
    const run = await runCli(['start', '--port', '0', '--log', 'off', '--users', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--users/);
    expect(run.stderr).toMatch(/entry 1, field role/);
    expect(run.stderr).not.toContain('X-Password-1');
    expect(run.stdout).toBe('');

    const cli = await startCli(['--port', '0', '--log', 'off', '--users', await file('cli-good.json', [ann])]);
    try {
      const answer = await fetch(`${cli.baseUrl}/customer/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ann.email, password: ann.password }),
      });
      expect(answer.status).toBe(200);
      expect(cli.output()).not.toContain(DEMO.password);
    } finally {
      expect((await cli.stop()).code).toBe(0);
    }
  });
});

describe('POST, GET and DELETE /__mock/users', () => {
  const carol = { email: 'carol@shop.example', password: 'Carol-Password-1', given_name: 'Carol', family_name: 'Diaz', customer_name: 'Shop' };

  it('POST 201 answers the user without its password; the user signs in; GET lists it; DELETE removes it', async () => {
    const added = await api('POST', '/__mock/users', carol);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      email: carol.email,
      given_name: 'Carol',
      family_name: 'Diaz',
      customer_name: 'Shop',
      role: 'customer',
      source: 'runtime',
    });
    expect(added.body).not.toHaveProperty('password');
    expect(added.body).not.toHaveProperty('passwordDigest');
    expect(added.body).not.toHaveProperty('passwordSalt');
    expect(added.text).not.toContain(carol.password);

    expect((await signIn(mock, { json: { email: carol.email, password: carol.password } })).status).toBe(200);
    const listed = await api('GET', '/__mock/users');
    expect(listed.status).toBe(200);
    expect((listed.body as { users: { email: string }[] }).users.map((u) => u.email)).toEqual(['customer@example.com', carol.email]);
    expect(listed.text).not.toMatch(/password|digest|salt/i);

    const removed = await api('DELETE', `/__mock/users/${encodeURIComponent('Carol@Shop.Example')}`);
    expect(removed).toMatchObject({ status: 200, body: { removed: 1 } });
    expect((await signIn(mock, { json: { email: carol.email, password: carol.password } })).status).toBe(400);
    const again = await api('DELETE', `/__mock/users/${encodeURIComponent(carol.email)}`);
    expect(again.status).toBe(404);
  });

  it('POST again with the same email replaces the user (a new password works, the old one does not)', async () => {
    await api('POST', '/__mock/users', { email: 'dave@shop.example', password: 'Old-Password-1' });
    await api('POST', '/__mock/users', { email: 'DAVE@shop.example', password: 'New-Password-1', disabled: true });
    expect((await signIn(mock, { json: { email: 'dave@shop.example', password: 'New-Password-1' } })).status).toBe(400);
    await api('POST', '/__mock/users', { email: 'dave@shop.example', password: 'New-Password-1' });
    expect((await signIn(mock, { json: { email: 'dave@shop.example', password: 'Old-Password-1' } })).status).toBe(400);
    expect((await signIn(mock, { json: { email: 'dave@shop.example', password: 'New-Password-1' } })).status).toBe(200);
    const users = ((await api('GET', '/__mock/users')).body as { users: { email: string }[] }).users;
    expect(users.filter((u) => u.email === 'dave@shop.example')).toHaveLength(1);
    await mock.users.remove('dave@shop.example');
  });

  it.each([
    ['not an object', ['x'], 'body'],
    ['no email', { password: 'P-1' }, 'email'],
    ['a bad email', { email: 'carol', password: 'P-1' }, 'email'],
    ['no password', { email: 'e@shop.example' }, 'password'],
    ['a password over 1024 characters', { email: 'e@shop.example', password: 'p'.repeat(1025) }, 'password'],
    ['a role that is not a string', { email: 'e@shop.example', password: 'P-1', role: ['admin'] }, 'role'],
    ['an unknown field', { email: 'e@shop.example', password: 'P-1', name: 'Eve' }, 'name'],
    ['a sub that is empty', { email: 'e@shop.example', password: 'P-1', sub: '' }, 'sub'],
  ])('POST with %s → 400 naming %s, and nothing added', async (_name, body, field) => {
    const answer = await api('POST', '/__mock/users', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errorCode: 'ERR_INPUT', field });
    expect((await mock.users.list()).map((u) => u.email)).toEqual(['customer@example.com']);
  });

  it('a body that does not parse → 400 naming the body, by position only', async () => {
    const answer = await api('POST', '/__mock/users', '{"email": "e@shop.example", "password": "Parse-Secret-1"');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field: 'body' });
    expect(answer.text).not.toContain('Parse-Secret-1');
  });

  it.each([
    ['PUT', '/__mock/users', 405],
    ['GET', '/__mock/users/customer%40example.com', 405],
    ['DELETE', '/__mock/users/%E0%A4%A', 400],
  ])('%s %s → %i', async (method, path, status) => {
    expect((await api(method, path)).status).toBe(status);
  });

  it.each([['ann+qa@shop.example'], ['a/b@shop.example'], ["o'neil%x@shop.example"]])(
    'a user whose email has URL-special characters (%s) signs in and is removed by DELETE with the email percent-encoded',
    async (email) => {
      expect((await api('POST', '/__mock/users', { email, password: 'Tagged-Password-1' })).status).toBe(201);
      expect((await signIn(mock, { json: { email, password: 'Tagged-Password-1' } })).status).toBe(200);
      expect((await api('DELETE', `/__mock/users/${encodeURIComponent(email)}`)).status).toBe(200);
      expect((await signIn(mock, { json: { email, password: 'Tagged-Password-1' } })).status).toBe(400);
    },
  );

  it('a user with the longest email RFC 5321 allows (254 characters) signs in', async () => {
    // Regression: sign-in looked the email up after bounding it to 200 characters for the journal.
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`;
    expect(email).toHaveLength(254);
    expect((await api('POST', '/__mock/users', { email, password: 'Long-Password-1' })).status).toBe(201);
    try {
      const answer = await signIn(mock, { json: { email, password: 'Long-Password-1' } });
      expect(answer.status).toBe(200);
      expect((signedIn(answer).data.user_details as { email: string }).email).toBe(email);
    } finally {
      await mock.users.remove(email);
    }
  });
});

describe('mock.users in-process', () => {
  it('add() resolves the view, list() never shows a password, remove() removes; bad input throws InputError naming the field', async () => {
    const view = await mock.users.add({ email: 'frank@shop.example', password: 'Frank-Password-1', role: 'admin', permissions: [] });
    expect(view).toMatchObject({ email: 'frank@shop.example', role: 'admin', permissions: [], source: 'runtime' });
    expect(JSON.stringify(await mock.users.list())).not.toMatch(/Frank-Password-1|passwordDigest|passwordSalt/);
    expect((await signIn(mock, { json: { email: 'frank@shop.example', password: 'Frank-Password-1' } })).status).toBe(200);
    await mock.users.remove('frank@shop.example');
    await expect(mock.users.remove('frank@shop.example')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(mock.users.add({ email: 'frank@shop.example', password: 7 } as never)).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'password' });
  });
});

describe('reset keeps the seed users and forgets the runtime ones', () => {
  it('without --users: the demo user survives (even one replaced or removed at run time); users added at run time are gone', async () => {
    const m = await mockOn();
    try {
      await m.users.add({ email: 'gina@shop.example', password: 'Gina-Password-1' });
      await m.users.add({ email: DEMO.email, password: 'Changed-Password-1' });
      expect((await signIn(m, { json: DEMO })).status).toBe(400);
      expect((await control(m.url, 'POST', '/__mock/reset')).status).toBe(200);
      expect((await signIn(m, { json: DEMO })).status).toBe(200);
      expect((await signIn(m, { json: { email: 'gina@shop.example', password: 'Gina-Password-1' } })).status).toBe(400);
      expect((await m.users.list()).map((u) => [u.email, u.source])).toEqual([[DEMO.email, 'seed']]);

      await m.users.remove(DEMO.email);
      await m.reset();
      expect((await signIn(m, { json: DEMO })).status).toBe(200);
    } finally {
      await m.close();
    }
  });

  it.each([
    ['removed', null],
    ['broken', '[{"email": "x@shop.example"'],
    ['changed', [{ email: 'someone-else@shop.example', password: 'Other-Password-1' }]],
  ])('with --users: a file %s since the start does not break reset (200), which restores the users the mock started with', async (_name, content) => {
    const path = await file(`reset-${_name}.json`, [{ email: 'lea@shop.example', password: 'Lea-Password-1' }]);
    const m = await mockOn({ usersFile: path });
    try {
      await m.users.add({ email: 'lea@shop.example', password: 'Changed-Password-1' });
      if (content === null) await rm(path);
      else await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
      const answer = await control(m.url, 'POST', '/__mock/reset');
      expect(answer.status).toBe(200);
      expect((await m.users.list()).map((u) => [u.email, u.source])).toEqual([['lea@shop.example', 'seed']]);
      expect((await signIn(m, { json: { email: 'lea@shop.example', password: 'Lea-Password-1' } })).status).toBe(200);
    } finally {
      await m.close();
    }
  });

  it('with --users: the file users survive, the demo user never appears', async () => {
    const m = await mockOn({ usersFile: await file('reset.json', [{ email: 'hana@shop.example', password: 'Hana-Password-1' }]) });
    try {
      await m.users.add({ email: 'ivan@shop.example', password: 'Ivan-Password-1' });
      await m.reset();
      expect((await m.users.list()).map((u) => u.email)).toEqual(['hana@shop.example']);
      expect((await signIn(m, { json: { email: 'hana@shop.example', password: 'Hana-Password-1' } })).status).toBe(200);
    } finally {
      await m.close();
    }
  });
});

describe('a password never appears in the journal, the request log, an error message, a listing or the state file', () => {
  const PASSWORDS = ['Journal-Secret-Pass-1', 'Wrong-Secret-Pass-2', 'Typed-In-Email-Pass-3', 'Control-Secret-Pass-4'];

  it.each([
    ['JSON', 'json' as const],
    ['pretty', 'pretty' as const],
  ])('with a %s request log and detailed errors', async (_name, log) => {
    const lines: string[] = [];
    const stateFile = join(dir, `state-${log}.json`);
    const m = await mockOn({ log, logTo: (text) => lines.push(...text.split('\n').filter(Boolean)), detailedErrors: true, stateFile });
    const answers: Answer[] = [];
    try {
      const [right, wrong, typed, controlled] = PASSWORDS as [string, string, string, string];
      const json = { 'content-type': 'application/json' };
      answers.push(await control(m.url, 'POST', '/__mock/users', { email: 'jo@shop.example', password: right }));
      answers.push(await control(m.url, 'POST', '/__mock/users', { email: 'kim@shop.example', password: controlled, role: 'admin' }));
      answers.push(await signIn(m, { json: { email: 'jo@shop.example', password: right } }));
      answers.push(await signIn(m, { json: { email: 'jo@shop.example', password: wrong } }));
      answers.push(await signIn(m, { json: { email: 'nobody@shop.example', password: right } }));
      answers.push(await signIn(m, { json: { email: 'kim@shop.example', password: controlled }, headers: { prefer: 'code=500' } }));
      // A password typed into the email field (the commonest leak of all), and the fields swapped.
      answers.push(await signIn(m, { json: { email: typed, password: typed } }));
      answers.push(await signIn(m, { json: { email: right, password: 'jo@shop.example' } }));
      answers.push(await signIn(m, { json: { password: right } }));
      answers.push(await signIn(m, { json: { email: 'jo@shop.example', password: [right] } }));
      answers.push(await signIn(m, { body: `{"email": "jo@shop.example", "password": "${right}"`, headers: json }));
      answers.push(await signIn(m, { body: `email=jo%40shop.example&password=${right}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
      answers.push(await signIn(m, { json: { email: 'jo@shop.example', password: right }, query: '?__code=999' }));
      answers.push(await control(m.url, 'POST', '/__mock/users', { email: 'jo@shop.example', password: right, extra: right }));
      answers.push(await control(m.url, 'POST', '/__mock/users', `{"email": "x@shop.example", "password": "${controlled}"`));
      answers.push(await control(m.url, 'POST', '/__mock/users', { email: 'x@shop.example', password: `${controlled}${'!'.repeat(1100)}` }));
      answers.push(await control(m.url, 'GET', '/__mock/users'));
      // Raw tokens, in the same spirit: the sign-in's and its refreshes' never reach the log, journal, listings or state.
      const session = signedIn(answers[2] as Answer);
      const renewed = await refresh(m, { token: session.refreshToken });
      expect(renewed.status).toBe(200);
      const tokens = [session.idToken, session.accessToken, session.refreshToken, ...Object.values((renewed.body as { data: Record<string, string> }).data)];
      await refresh(m, { headers: { cookie: `refresh_token=${session.refreshToken}` } });
      await refresh(m, { token: `${session.refreshToken}x` });
      await refresh(m, { body: `{"refresh_token": "${session.refreshToken}"`, headers: json });
      await refresh(m, { json: { refresh_token: session.refreshToken }, headers: { prefer: 'code=418' } });
      const requests = await control(m.url, 'GET', '/__mock/requests');
      answers.push(requests);
      const sessions = await control(m.url, 'GET', '/__mock/sessions');
      answers.push(sessions);
      expect((requests.body as { requests: unknown[] }).requests.length).toBeGreaterThanOrEqual(10);
      // The request log writes a turn's lines within ~10 ms (batched): wait for them rather than race them.
      for (let i = 0; i < 100 && lines.length < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines.length).toBeGreaterThanOrEqual(10);

      const everything = [
        ...lines,
        ...answers.map((a) => a.text),
        ...answers.flatMap((a) => [...a.headers].map(([k, v]) => `${k}: ${v}`)),
        await readFile(stateFile, 'utf8').catch(() => ''),
      ].join('\n');
      for (const password of PASSWORDS) {
        expect(everything).not.toContain(password);
        expect(everything.toLowerCase()).not.toContain(password.toLowerCase());
      }
      const written = [...lines, requests.text, sessions.text, await readFile(stateFile, 'utf8').catch(() => '')].join('\n');
      for (const token of tokens) {
        // A JWS's signature, a JWE's ciphertext and tag: the parts that are secret.
        for (const part of token.split('.').slice(2)) if (part.length >= 16) expect(written).not.toContain(part);
      }
    } finally {
      await m.close();
    }
  });
});
