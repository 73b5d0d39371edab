import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { decode } from '../support/crafted.ts';
import { DEMO, refresh, signedIn, signIn, useMock } from '../support/mock.ts';

/** The QA panel shows a refresh storm: a badge on the sign-in's row, the warning under the refresh in the journal. */

const mock = useMock();
let browser: Browser;
let context: BrowserContext;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  context.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the QA panel', () => {
  it('badges a sign-in that stormed (its title says how often and when), not one refreshed once; the journal row carries the warning', async () => {
    const panel = await context.newPage();
    await panel.goto(`${mock.url}/__mock/`);
    await panel.locator('#connection[data-state="live"]').waitFor();

    const calm = signedIn(await signIn(mock, { json: DEMO }));
    const stormy = signedIn(await signIn(mock, { json: DEMO }));
    const sidOf = (idToken: string) => decode(idToken).payload.origin_jti as string;
    await refresh(mock, { token: calm.refreshToken });
    await refresh(mock, { token: stormy.refreshToken });
    await refresh(mock, { token: stormy.refreshToken });

    const badge = panel.locator(`#sessions-rows tr[data-sid="${sidOf(stormy.idToken)}"] .badge.storm`);
    await badge.waitFor({ state: 'visible' });
    expect(await badge.textContent()).toBe('storm');
    expect(await badge.getAttribute('title')).toMatch(
      /^Refresh storm: refreshed 2 times in all, the latest storm 2 refreshes from \d\d:\d\d:\d\d\.\d{3} to \d\d:\d\d:\d\d\.\d{3}\./,
    );
    await panel.locator(`#sessions-rows tr[data-sid="${sidOf(calm.idToken)}"]`).waitFor();
    expect(await panel.locator(`#sessions-rows tr[data-sid="${sidOf(calm.idToken)}"] .badge.storm`).isVisible()).toBe(false);

    const warned = panel.locator('#journal-rows tr[data-warned="true"]');
    await warned.waitFor();
    expect(await warned.count()).toBe(1);
    expect(await warned.locator('.warning').textContent()).toMatch(new RegExp(`^refresh storm: sign-in ${sidOf(stormy.idToken)} refreshed 2 times`));
    expect(problems).toEqual([]);
  });
});
