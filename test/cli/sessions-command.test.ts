import { describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/sign-in-history.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { runCli } from '../support/cli.ts';
import { logout, useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

const sessions = (...args: string[]) => runCli(['sessions', ...args, '--url', mock.url]);

/** Signs the demo customer in as an app would: its tokens. */
async function signIn(): Promise<{ id_token: string; access_token: string; refresh_token: string }> {
  const response = await fetch(mock.urls['sign-in'] as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id_token: string; access_token: string; refresh_token: string } }).data;
}

const refresh = (refresh_token: string) =>
  fetch(mock.urls.refresh as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token }) });

describe('sessions (list)', () => {
  it('one row per sign-in under a header: sid, sub, status, expiry, its token jtis (newest first)', async () => {
    const a = await mock.issueToken({ sub: 'cust-a' });
    const b = await mock.issueToken({ sub: 'cust-b' });
    await logout(mock, { token: a.token });
    const run = await sessions();
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^SID +SUB +STATUS +TOKENS EXPIRE +REFRESH EXPIRES +REFRESHES +TOKENS \(newest first\)$/);
    const time = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
    expect(lines[1]).toMatch(
      new RegExp(
        `^${a.claims.origin_jti} +cust-a +logged-out +${time} \\(in (1h|59m( \\d+s)?)\\) +${time} \\(in (24h|23h 59m)\\) +0 +id:[\\w-]+ access:${a.claims.jti}$`,
      ),
    );
    expect(lines[2]).toMatch(new RegExp(`^${b.claims.origin_jti} +cust-b +active .* access:${b.claims.jti}$`));
  });

  it('a refreshed sign-in stays one row, its newest tokens first', async () => {
    const { refresh_token } = await signIn();
    const refreshed = (await (await refresh(refresh_token)).json()) as { data: { access_token: string } };
    const [row] = (JSON.parse((await sessions('--json')).stdout) as SessionsView).signIns;
    expect(row?.tokens).toHaveLength(4);
    const lines = (await sessions()).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const newest = JSON.parse(Buffer.from(refreshed.data.access_token.split('.')[1]!, 'base64url').toString()) as { jti: string };
    expect(lines[1]!.match(/(id|access):[\w-]+/g)).toHaveLength(4);
    expect(lines[1]!.indexOf(newest.jti)).toBeLessThan(lines[1]!.indexOf(row!.tokens[0]!.jti));
  });

  it('--sub and --status filter; --json prints exactly what GET /__mock/sessions answers for the same filters', async () => {
    const a = await mock.issueToken({ sub: 'cust-a' });
    const b = await mock.issueToken({ sub: 'cust-b' });
    await logout(mock, { token: a.token });
    const byStatus = JSON.parse((await sessions('--status', 'active', '--json')).stdout) as SessionsView;
    expect(byStatus.signIns.map((s) => [s.sub, s.status])).toEqual([['cust-b', 'active']]);
    expect(byStatus.sessions.map((t) => t.sid)).toEqual([b.claims.origin_jti, b.claims.origin_jti]);
    expect(byStatus).toEqual(await (await fetch(`${mock.url}/__mock/sessions?status=active`)).json());
    expect(JSON.parse((await sessions('--json')).stdout)).toEqual(await (await fetch(`${mock.url}/__mock/sessions`)).json());
    const bySub = (await sessions('--sub', 'cust-a')).stdout.trimEnd().split('\n');
    expect(bySub).toHaveLength(2);
    expect(bySub[1]).toMatch(/^\S+ +cust-a +logged-out/);
  });

  it('says so when there is no sign-in, and when none matches', async () => {
    expect(await sessions()).toEqual({
      code: 0,
      stdout: 'no sign-ins yet: sign in (POST …/customer/sign-in) or mint one with `worth-auth-mock token`\n',
      stderr: '',
    });
    await mock.issueToken({ sub: 'cust-a' });
    expect((await sessions('--status', 'expired')).stdout).toBe('no sign-ins match --status expired\n');
    expect((await sessions('--sub', 'cust-z', '--status', 'active')).stdout).toBe('no sign-ins match --sub cust-z --status active\n');
  });

  it('--status takes only a sign-in status', async () => {
    const run = await sessions('--status', 'revoked');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--status/);
  });
});

describe('sessions expire <sid>', () => {
  it('expires that sign-in now: its id token answers 401, its refresh token still refreshes, the new id token logs out; others untouched', async () => {
    const tokens = await signIn();
    const other = await mock.issueToken({ sub: 'cust-other' });
    const sid = (JSON.parse((await sessions('--sub', DEMO_USER.sub as string, '--json')).stdout) as SessionsView).signIns[0]!.sid;
    const run = await sessions('expire', sid);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^expired sign-in ${sid}: 2 tokens \\(.+\\) now answer 401; its refresh token still refreshes it\\n$`));
    expect((await sessions('--sub', DEMO_USER.sub as string)).stdout).toMatch(/ tokens-expired +\S+Z \(expired early\) /);
    expect((await logout(mock, { token: tokens.id_token })).status).toBe(401);
    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const { id_token } = ((await refreshed.json()) as { data: { id_token: string } }).data;
    expect((await sessions('--sub', DEMO_USER.sub as string)).stdout).toMatch(/ active /);
    expect((await logout(mock, { token: id_token })).status).toBe(200);
    expect((await logout(mock, { token: other.token })).status).toBe(200);
  });

  it('a sign-in with no live token → exit 1 naming it', async () => {
    const run = await sessions('expire', 'no-such-sign-in');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no-such-sign-in');
  });

  it('--json prints the expired jtis', async () => {
    const { claims } = await mock.issueToken();
    const answer = JSON.parse((await sessions('expire', claims.origin_jti, '--json')).stdout) as { sid: string; expired: string[] };
    expect(answer.sid).toBe(claims.origin_jti);
    expect(answer.expired).toContain(claims.jti);
  });
});
