import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/users/user.ts';
import { backgroundCli, runCli } from '../support/cli.ts';
import { logout, useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

const requests = (...args: string[]) => runCli(['requests', ...args, '--url', mock.url]);

const signIn = (password = DEMO_USER.password, session?: string) =>
  fetch(mock.urls['sign-in'] as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(session ? { 'x-mock-session': session } : {}) },
    body: JSON.stringify({ email: DEMO_USER.email, password }),
  }).then((r) => r.status);

describe('requests', () => {
  it('each row shows the time, operation, status, path, reason, and the sign-in (sid), customer, session and email', async () => {
    const { token, claims } = await mock.issueToken({ sub: 'cust-7' });
    await logout(mock, { token, headers: { 'x-mock-session': 'run-a' } });
    expect(await signIn('wrong-password', 'run-b')).toBe(400);
    const run = await requests();
    expect(run.code).toBe(0);
    const [out, failed] = run.stdout.trimEnd().split('\n');
    expect(out).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  logout   200  POST /auth/api/v1/customer/logout  .+  sid=${claims.origin_jti}  sub=cust-7  session=run-a$`),
    );
    expect(failed).toMatch(/ {2}sign-in {2}400 {2}POST \/auth\/api\/v1\/customer\/sign-in {2}.+ {2}session=run-b {2}email=customer@example\.com$/);
    expect(run.stdout).not.toContain('wrong-password');
  });

  it('says when a time is mock time: a request answered after `clock advance 1h` shows "(mock time +1h)" after its time', async () => {
    await logout(mock);
    await runCli(['clock', 'advance', '1h', '--url', mock.url]);
    await logout(mock);
    const [before, after] = (await requests()).stdout.trimEnd().split('\n');
    expect(before).toMatch(/^\S+Z {2}logout /);
    expect(after).toMatch(/^\S+Z \(mock time \+1h\) {2}logout /);
    expect(JSON.parse((await requests('--json')).stdout.trimEnd().split('\n')[1] as string)).toMatchObject({ clockOffsetSeconds: 3600 });
  });

  it('--operation filters by operation', async () => {
    await logout(mock);
    expect(await signIn()).toBe(200);
    const run = await requests('--operation', 'sign-in', '--json');
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { operation: string }).operation),
    ).toEqual(['sign-in']);
    expect((await requests('--operation', 'signin')).code).toBe(2);
  });

  it('says so when the journal is empty, and when nothing matches', async () => {
    expect(await requests()).toEqual({ code: 0, stdout: 'no requests yet\n', stderr: '' });
    await logout(mock);
    expect(await requests('--status', '500')).toEqual({ code: 0, stdout: 'no requests match these filters\n', stderr: '' });
    expect((await requests('--json')).stdout).not.toMatch(/no requests/);
  });

  it('--follow prints the journal, then each new request once, until interrupted', async () => {
    await logout(mock);
    const follow = backgroundCli(['requests', '--follow', '--url', mock.url]);
    try {
      await follow.waitFor(/logout +401/);
      await signIn();
      await follow.waitFor(/sign-in +200/);
    } finally {
      const run = await follow.stop();
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('following requests; Ctrl-C stops\n');
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(2);
    }
  });

  it('--new follows only the requests that arrive from now on', async () => {
    await logout(mock);
    await signIn();
    const follow = backgroundCli(['requests', '--new', '--url', mock.url]);
    try {
      await new Promise((r) => setTimeout(r, 700)); // the first poll: the journal so far is the starting point
      expect(follow.stdout()).toBe('');
      await logout(mock, { headers: { 'x-mock-session': 'after' } });
      await follow.waitFor(/session=after/);
    } finally {
      const run = await follow.stop();
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('following new requests; Ctrl-C stops\n');
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('--new from a mock whose clock was advanced still starts from now', async () => {
    await logout(mock);
    await mock.clock.advance(3600);
    const follow = backgroundCli(['requests', '--follow', '--new', '--url', mock.url]);
    try {
      await new Promise((r) => setTimeout(r, 700));
      await signIn();
      await follow.waitFor(/sign-in +200/);
      expect(follow.stdout()).not.toMatch(/logout/);
    } finally {
      await follow.stop();
    }
  });
});
