// A test that fails on purpose, so that fixture.test.ts can check what its report holds: the test's own journal.
// Run it alone with `--grep @fails-on-purpose`; the normal run leaves it out with `--grep-invert @fails-on-purpose`.

import { expect, test } from '../../src/playwright/fixture.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { inApp } from './app-page.ts';

test('a failing test gets its journal attached', { tag: '@fails-on-purpose' }, async ({ page, mockSession }, testInfo) => {
  testInfo.annotations.push({ type: 'mock-session', description: mockSession });
  await page.goto('/');
  expect(await inApp(page, 'signIn', DEMO_USER.email, DEMO_USER.password)).toEqual({ status: 200, fault: null });
  expect(await inApp(page, 'logout')).toEqual({ status: 200, fault: null });
  // Wrong on purpose: a second logout of the same sign-in answers 401.
  expect(await inApp(page, 'logout')).toEqual({ status: 200, fault: null });
});
