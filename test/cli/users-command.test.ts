import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/users/user.ts';
import { runCli } from '../support/cli.ts';
import { useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

/** `worth-auth-mock users …` in-process, against the test's mock. */
const users = (...args: string[]) => runCli(['users', ...args, '--url', mock.url]);

/** Signs in on the mock as an app would; the status. */
const signIn = (email: string, password: string) =>
  fetch(mock.urls['sign-in'] as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }).then(
    (r) => r.status,
  );

describe('users add', () => {
  it('adds a user who can then sign in; the output names it and never the password', async () => {
    const run = await users('add', '--email', 'Ada@Example.com', '--password', 'Correct-Horse-9', '--given-name', 'Ada', '--role', 'customer');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^ada@example\.com can sign in: id [0-9a-f-]{36}, sub [0-9a-f-]{36}, role customer, customer example\.com \([0-9a-f-]{36}\), subrole owner, 13 permissions$/m,
    );
    expect(run.stdout + run.stderr).not.toContain('Correct-Horse-9');
    expect(await signIn('ada@example.com', 'Correct-Horse-9')).toBe(200);
    expect(await signIn('ada@example.com', 'wrong')).toBe(400);
  });

  it('every field reaches the user (--json), repeatable --permission, --disabled (INACTIVE) refuses its sign-in', async () => {
    const run = await users(
      'add',
      '--email',
      'grace@example.com',
      '--password',
      'pw-Grace-1',
      '--role',
      'admin',
      '--sub',
      'cust-grace',
      '--given-name',
      'Grace',
      '--family-name',
      'Hopper',
      '--customer-id',
      '3f2a6c1e-8b7d-4e5f-9a0b-1c2d3e4f5a6b',
      '--customer-name',
      'Navy',
      '--subrole',
      'risk_analyst',
      '--mobile',
      '+16075550100',
      '--permission',
      'case:read',
      '--permission',
      'case:write',
      '--disabled',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const user = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'grace@example.com',
      sub: 'cust-grace',
      role: 'admin',
      given_name: 'Grace',
      family_name: 'Hopper',
      mobile: '+16075550100',
      customer_id: '3f2a6c1e-8b7d-4e5f-9a0b-1c2d3e4f5a6b',
      customer_name: 'Navy',
      subrole: 'risk_analyst',
      status: 'INACTIVE',
      is_email_verified: true,
      is_first_login: false,
      permissions: ['case:read', 'case:write'],
      source: 'runtime',
    });
    expect(await signIn('grace@example.com', 'pw-Grace-1')).toBe(400);
  });

  it.each([
    [['--email', 'not-an-email', '--password', 'x'], /email/],
    [['--email', 'a@example.com', '--password', 'x', '--customer-id', 'nope'], /customer_id/],
    [['--password', 'x'], /required option '--email <email>'/],
    [['--email', 'a@example.com'], /required option '--password <password>'/],
  ])('bad input %j → exit 2 naming it', async (args, named) => {
    const run = await users('add', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(named);
    expect((await mock.users.list()).map((u) => u.email)).toEqual([DEMO_USER.email]);
  });
});

describe('users list', () => {
  it('one row per user under a header, never a password', async () => {
    await users('add', '--email', 'ada@example.com', '--password', 'Secret-Ada-1', '--disabled');
    const run = await users('list');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EMAIL +ID +ROLE +NAME +CUSTOMER +SUBROLE +PERMISSIONS +STATUS +SOURCE$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^customer@example\.com +00000000-0000-4000-8000-000000000001 +customer +Sandbox Customer Admin +Sandbox +owner +13 +ACTIVE +seed/,
    );
    expect(lines[2]).toMatch(/^ada@example\.com .* owner +13 +INACTIVE +added \(reset forgets\)$/);
    expect(run.stdout).not.toContain('Secret-Ada-1');
    expect(run.stdout).not.toContain(DEMO_USER.password);
  });

  it('--json: the users, without password or digest', async () => {
    const run = await users('list', '--json');
    const listed = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(listed.map((u) => u.email)).toEqual([DEMO_USER.email]);
    expect(Object.keys(listed[0]!).some((k) => /password/i.test(k))).toBe(false);
  });

  it('says so when there is none', async () => {
    await mock.users.remove(DEMO_USER.email);
    expect(await users('list')).toEqual({ code: 0, stdout: 'no users: add one with `worth-auth-mock users add --email … --password …`\n', stderr: '' });
  });
});

describe('users remove', () => {
  it('removes the user: its sign-in then fails', async () => {
    expect(await signIn(DEMO_USER.email, DEMO_USER.password)).toBe(200);
    const run = await users('remove', DEMO_USER.email);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^removed customer@example\.com/);
    expect(await signIn(DEMO_USER.email, DEMO_USER.password)).toBe(400);
  });

  it('an unknown email → exit 1 naming it', async () => {
    const run = await users('remove', 'nobody@example.com');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nobody@example.com');
  });
});
