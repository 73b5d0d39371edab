// What a test author writes with the fixture. The first two tests run at the same time in two workers on one mock
// and arm conflicting faults; each sees only its own. fixture.test.ts runs this file and reads the report.

import { expect, SESSION_HEADER, test } from '../../src/playwright/fixture.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { APP_TOKEN_KEY, inApp } from './app-page.ts';
import { meet } from './rendezvous.ts';

// The app keeps its id token in localStorage: signIn() puts it there before the page loads.
test.use({ mockStorage: { localStorage: { [APP_TOKEN_KEY]: 'idToken' } } });

test('sign-in and logout are down for this test: both answer 500 from its own faults', async ({ page, signIn, faults }) => {
  await signIn(); // before the outage: the app starts signed in
  const signInDown = await faults.arm({ status: 500, times: null, match: { operation: 'sign-in' } });
  const logoutDown = await faults.arm({ status: 500, times: null });
  await meet('armed', 'down', ['up']);
  await page.goto('/');
  expect(await inApp(page, 'signIn', DEMO_USER.email, DEMO_USER.password)).toEqual({ status: 500, fault: signInDown.id });
  expect(await inApp(page, 'logout')).toEqual({ status: 500, fault: logoutDown.id });
  await expect(signIn()).rejects.toMatchObject({ code: 'ERR_REMOTE', status: 500 });
  await meet('checked', 'down', ['up']);
});

test('sign-in works for this test meanwhile, and its logout answers its own 403', async ({ page, signIn, faults }) => {
  const forbidden = await faults.arm({ status: 403, times: null });
  await meet('armed', 'up', ['down']);
  await page.goto('/');
  expect(await inApp(page, 'signIn', DEMO_USER.email, DEMO_USER.password)).toEqual({ status: 200, fault: null });
  expect(await inApp(page, 'logout')).toEqual({ status: 403, fault: forbidden.id });
  expect((await signIn()).idToken).toMatch(/^eyJ/);
  await meet('checked', 'up', ['down']);
});

test('signIn yields tokens the mock accepts: a logout with them answers 200, then 401', async ({ signIn, mockApi, mockSession, journal }) => {
  const me = await signIn(undefined, { storage: false });
  expect(me).toMatchObject({ email: DEMO_USER.email, sub: DEMO_USER.sub, sid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  const logoutUrl = await mockApi.urlOf('logout');
  const logout = () => fetch(logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${me.accessToken}`, [SESSION_HEADER]: mockSession } });
  expect((await logout()).status).toBe(200);
  expect((await logout()).status).toBe(401);
  const seen = (await journal()).map(({ operation, status, sid }) => ({ operation, status, sid }));
  expect(seen).toEqual([
    { operation: 'sign-in', status: 200, sid: me.sid },
    { operation: 'logout', status: 200, sid: me.sid },
    { operation: 'logout', status: 401, sid: me.sid },
  ]);
});

test('a new user for this test, seeded into the app: localStorage and a cookie', async ({ page, context, signIn, mockSession }) => {
  const ada = await signIn(
    { newUser: { given_name: 'Ada' } },
    { storage: { localStorage: { [APP_TOKEN_KEY]: 'idToken', 'app.sid': (s) => s.sid }, cookies: { app_refresh: 'refreshToken' } } },
  );
  expect(ada.email).toBe(`${mockSession}-1@example.com`);
  expect(ada.sub).not.toBe(DEMO_USER.sub);
  expect((ada.data.user_details as { first_name?: string }).first_name).toBe('Ada');
  await page.goto('/');
  const stored = await page.evaluate(() => {
    const { localStorage } = globalThis as unknown as { localStorage: { getItem(key: string): string | null } };
    return [localStorage.getItem('app.idToken'), localStorage.getItem('app.sid')];
  });
  expect(stored).toEqual([ada.idToken, ada.sid]);
  expect((await context.cookies()).find((c) => c.name === 'app_refresh')?.value).toBe(ada.refreshToken);
  // The seeded token works from the browser, and the made-up password signs in through the app too.
  expect(await inApp(page, 'logout')).toEqual({ status: 200, fault: null });
  expect(await inApp(page, 'signIn', ada.email, ada.password)).toEqual({ status: 200, fault: null });
});
