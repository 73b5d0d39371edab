import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/users/user.ts';
import { runCli } from '../support/cli.ts';
import { useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

const clock = (...args: string[]) => runCli(['clock', ...args, '--url', mock.url]);

/** POSTs JSON (or nothing) to a contract operation with an optional bearer; the status and JSON body. */
async function call(url: string, init: { json?: unknown; bearer?: string } = {}): Promise<{ status: number; body: { data?: Record<string, string> } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, string> } };
}

describe('clock', () => {
  it("shows the mock's time and that it runs on the real time", async () => {
    const run = await clock();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^mock time \d{4}-\d\d-\d\dT[\d:.]+Z: the real time \(no offset\)\n$/);
    expect(Math.abs(Date.parse(/time (\S+):/.exec(run.stdout)![1]!) - Date.now())).toBeLessThan(5000);
  });

  it.each([
    ['1h', 3600, '1h'],
    ['90m', 5400, '90m'],
    ['30s', 30, '30s'],
    ['2d', 172_800, '2d'],
    ['45', 45, '45s'], // a bare number: seconds
  ])('advance %s → %i s ahead, shown as %s', async (duration, seconds, shown) => {
    const run = await clock('advance', duration);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^advanced ${shown}; mock time \\S+: ${shown} ahead of the real time\\n`));
    expect(JSON.parse((await clock('--json')).stdout)).toMatchObject({ offsetSeconds: seconds });
    expect((await clock()).stdout).toContain(`${shown} ahead of the real time`);
  });

  it.each([
    ['soon', /argument 'duration'.*must be a duration such as 30s/],
    ['0s', /argument 'duration'.*at least 1s/],
    ['1500ms', /argument 'duration'.*whole seconds/],
    ['11y', /argument 'duration'.*at most/],
    ['-1h', /unknown option '-1h'/],
  ])('advance %s → exit 2 naming it', async (duration, message) => {
    const run = await clock('advance', duration);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(JSON.parse((await clock('--json')).stdout)).toMatchObject({ offsetSeconds: 0 });
  });

  it('the refresh-on-401 path: advance 1h → logout 401 expired → refresh 200 → logout with the new id token 200', async () => {
    const signIn = await call(mock.urls['sign-in'] as string, { json: { email: DEMO_USER.email, password: DEMO_USER.password } });
    expect(signIn.status).toBe(200);
    const { id_token, refresh_token } = signIn.body.data as Record<string, string>;
    expect((await clock('advance', '1h')).code).toBe(0);
    const expired = await fetch(mock.urls.logout, { method: 'POST', headers: { authorization: `Bearer ${id_token}` } });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/expired/);
    const refreshed = await call(mock.urls.refresh as string, { json: { refresh_token } });
    expect(refreshed.status).toBe(200);
    expect((await call(mock.urls.logout, { bearer: refreshed.body.data?.id_token })).status).toBe(200);
  });

  it('`reset` sets the clock back', async () => {
    await clock('advance', '1h');
    expect((await runCli(['reset', '--url', mock.url])).code).toBe(0);
    expect((await clock()).stdout).toContain('the real time (no offset)');
  });
});
