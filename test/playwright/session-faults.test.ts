// The fixture's parts without a browser: the client of a running mock and the faults scoped to one session.
import { describe, expect, it } from 'vitest';
import { createMockApi } from '../../src/playwright/mock-api.ts';
import { createSessionFaults } from '../../src/playwright/session-faults.ts';
import { signInAs } from '../../src/playwright/sign-in.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { useMock } from '../support/mock.ts';

const mock = useMock({ adminToken: 'faults-secret' }, { resetAfterEach: true });
const api = () => createMockApi({ url: mock.url, adminToken: 'faults-secret' });

describe('the client of a running mock', () => {
  it('names the URL and WORTH_MOCK_URL when nothing answers there', async () => {
    const nowhere = createMockApi({ url: 'http://127.0.0.1:9' });
    await expect(nowhere.health()).rejects.toMatchObject({ code: 'ERR_REMOTE', message: expect.stringMatching(/127\.0\.0\.1:9 .*WORTH_MOCK_URL/) });
  });

  it('names WORTH_MOCK_ADMIN_TOKEN when the mock refuses a call for want of its admin token', async () => {
    const without = createMockApi({ url: mock.url });
    await without.health(); // open without the token
    await expect(without.control('GET', '/__mock/faults')).rejects.toMatchObject({
      code: 'ERR_REMOTE',
      status: 401,
      message: expect.stringContaining('WORTH_MOCK_ADMIN_TOKEN'),
    });
  });

  it('signs in through the sign-in operation as the session, and says why when refused', async () => {
    const me = await signInAs(api(), DEMO_USER, 'session-a');
    expect(me).toMatchObject({ sub: DEMO_USER.sub, email: DEMO_USER.email });
    expect(me.sid).toBe((await mock.requests({ session: 'session-a' }))[0]?.sid);
    await expect(signInAs(api(), { email: DEMO_USER.email, password: 'wrong' }, 'session-a')).rejects.toMatchObject({ code: 'ERR_REMOTE_INPUT', status: 400 });
  });
});

describe("faults scoped to one test's session", () => {
  it('arms with match.session filled in, lists and clears only its own', async () => {
    const a = createSessionFaults(api(), 'session-a');
    const b = createSessionFaults(api(), 'session-b');
    const armed = await a.arm({ status: 500, times: null, match: { operation: 'sign-in' } });
    expect(armed.match).toEqual({ operation: 'sign-in', session: 'session-a' });
    await b.arm({ status: 403 });
    expect((await a.list()).map((f) => f.id)).toEqual([armed.id]);
    await expect(signInAs(api(), DEMO_USER, 'session-a')).rejects.toMatchObject({ status: 500 });
    await signInAs(api(), DEMO_USER, 'session-b');
    expect(await a.clear()).toBe(1);
    expect((await mock.faults.list()).map((f) => f.match.session)).toEqual(['session-b']);
  });

  it("refuses a fault scoped to another session, and the mock's refusal names the field", async () => {
    const a = createSessionFaults(api(), 'session-a');
    await expect(a.arm({ status: 500, match: { session: 'session-b' } })).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'match.session' });
    await expect(a.arm({ status: 418 })).rejects.toMatchObject({ code: 'ERR_REMOTE_INPUT', status: 400, message: expect.stringContaining('418') });
  });
});
