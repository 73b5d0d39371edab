import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/services.ts';
import type { Mock } from '../../src/mock.ts';
import { launchChromium } from '../support/chromium.ts';
import { decode } from '../support/crafted.ts';
import { control, DEMO, mockOn, signedIn, signIn } from '../support/mock.ts';
import { type RefreshApp, startRefreshApp } from '../support/refresh-app.ts';
import type { AppOptions, PageLoad } from '../support/refresh-app-client.ts';

/**
 * The storm detector against a real client library in Chromium (docs/operations.md, "Refresh storms"): an app that
 * refreshes on 401 with axios-auth-refresh, as a frontend would, in one tab and in two tabs of one sign-in. Each page
 * load makes several calls with an expired id token; the mock's refresh is slowed as a real one is (a delay fault), so
 * the race is the one a real app meets.
 */

const lines: string[] = [];
let mock: Mock;
let app: RefreshApp;
let browser: Browser;
let context: BrowserContext;
const others: Mock[] = [];

beforeAll(async () => {
  [mock, app, browser] = await Promise.all([
    mockOn({ log: 'pretty', logTo: (text) => lines.push(...text.split('\n').filter(Boolean)) }),
    startRefreshApp(),
    launchChromium(),
  ]);
});
afterEach(async () => {
  await context?.close();
  await mock.reset();
  lines.length = 0;
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([mock?.close(), app?.close(), ...others.map((m) => m.close())]);
});

type Session = { readonly sid: string; readonly customerId: string; readonly idToken: string; readonly refreshToken: string };

/** Signs the demo customer in on `on` and expires its id and access tokens (its refresh token still works): the app's next calls get 401. */
async function expiredSession(on: Mock = mock): Promise<Session> {
  const { idToken, refreshToken, data } = signedIn(await signIn(on, { json: DEMO }));
  const sid = decode(idToken).payload.origin_jti as string;
  await on.expireSignIn(sid);
  return { sid, customerId: (data.customer_details as { id: string }).id, idToken, refreshToken };
}

/** A new tab of the app, signed in with the session (its tokens in localStorage, which every tab of the app shares). */
async function openTab(session: Session, options: Partial<AppOptions> = {}, on: Mock = mock): Promise<Page> {
  context ??= await browser.newContext();
  const page = await context.newPage();
  await page.goto(app.url);
  await page.evaluate(
    ({ session, options }) => {
      type RefreshAppGlobal = { signIn(idToken: string, refreshToken: string): void; startApp(options: AppOptions): unknown };
      const scope = globalThis as unknown as { refreshApp: RefreshAppGlobal; app: unknown };
      scope.refreshApp.signIn(session.idToken, session.refreshToken);
      scope.app = scope.refreshApp.startApp({ customerId: session.customerId, ...options } as AppOptions);
    },
    { session, options: { authUrl: on.baseUrl, ...options } },
  );
  return page;
}

/** Loads the app's page in a tab: `calls` API calls at once (answered `spreadMs` apart by the mock, when given). */
function loadPage(page: Page, calls: number, spreadMs = 0): Promise<PageLoad> {
  return page.evaluate(
    ([n, spread]) => (globalThis as unknown as { app: { loadPage(n: number, spread: number): Promise<PageLoad> } }).app.loadPage(n, spread),
    [calls, spreadMs] as const,
  );
}

/** The sign-in's counts as `GET /__mock/sessions` shows them. */
async function countsOf(on: Mock, sid: string): Promise<SessionsView['signIns'][number] | undefined> {
  const { signIns } = (await control(on.url, 'GET', '/__mock/sessions')).body as SessionsView;
  return signIns.find((s) => s.sid === sid);
}

describe('axios-auth-refresh in one tab', () => {
  it("with the library's defaults (deduplicateRefresh on), a page's calls that fail together share one refresh: no storm", async () => {
    context = await browser.newContext();
    const session = await expiredSession();
    await mock.faults.arm({ delayMs: 300, times: null, match: { operation: 'refresh' } });
    const load = await loadPage(await openTab(session), 6);
    expect(load.refreshes).toBe(1);
    // The library's own way: the 401s that came back while it refreshed are rejected, not retried (deduplicateRefresh).
    expect(load.ok + load.failed.length).toBe(6);
    expect(load.ok).toBeGreaterThanOrEqual(1);
    expect(await countsOf(mock, session.sid)).toMatchObject({ refreshes: 1, storms: 0 });
    expect(await mock.requests({ warned: true })).toEqual([]);
    await expect(mock.expectNoRefreshStorms()).resolves.toBeUndefined();
  });

  it.each([
    ["the library's defaults", {}],
    ['deduplicateRefresh: false', { deduplicateRefresh: false }],
  ])('with %s, a page whose calls come back at different times storms: a 401 after the refresh settled starts another', async (_name, options) => {
    context = await browser.newContext();
    const session = await expiredSession();
    const load = await loadPage(await openTab(session, options), 4, 300);
    expect(load.refreshes).toBeGreaterThanOrEqual(2);
    const counts = await countsOf(mock, session.sid);
    expect(counts).toMatchObject({ refreshes: load.refreshes, storms: 1 });
    expect(await mock.requests({ warned: true })).toHaveLength(load.refreshes - 1);
  });
});

describe('axios-auth-refresh in two tabs of one sign-in', () => {
  it('each tab refreshes the one refresh token: the detector says so in the journal, GET /__mock/sessions, the request log and expectNoRefreshStorms', async () => {
    context = await browser.newContext();
    const session = await expiredSession();
    await mock.faults.arm({ delayMs: 500, times: null, match: { operation: 'refresh' } });
    const [first, second] = [await openTab(session), await openTab(session)];
    const loads = await Promise.all([loadPage(first, 3), loadPage(second, 3)]);
    expect(loads.map((load) => load.refreshes)).toEqual([1, 1]);

    const refreshes = await mock.requests({ operation: 'refresh' });
    expect(refreshes.map((entry) => entry.status)).toEqual([200, 200]);
    // The second refresh to arrive carries the warning (both wait out the delay, so either may be answered first).
    const warned = refreshes.filter((entry) => entry.warning !== undefined);
    expect(warned).toHaveLength(1);
    const warning = warned[0]?.warning;
    expect(warning).toMatch(
      new RegExp(`^refresh storm: sign-in ${session.sid} refreshed 2 times in \\d+ ms, \\d+ ms after the one before \\(a storm: 2 within 10 s\\)$`),
    );
    expect(await countsOf(mock, session.sid)).toMatchObject({ refreshes: 2, storms: 1, lastStorm: { refreshes: 2 } });
    await expect.poll(() => lines.some((line) => line.endsWith(` WARNING ${warning}`))).toBe(true);
    await expect(mock.expectNoRefreshStorms()).rejects.toThrow(new RegExp(`^refresh storm: sign-in ${session.sid} refreshed 2 times`));
  });
});

describe('two tabs of one sign-in, with rotation', () => {
  it('without a grace, the second tab refreshes a superseded token: 401 as reused, its calls fail (the tab is signed out)', async () => {
    const rotating = await mockOn({ refreshRotation: true });
    others.push(rotating);
    context = await browser.newContext();
    const session = await expiredSession(rotating);
    await rotating.faults.arm({ delayMs: 500, times: null, match: { operation: 'refresh' } });
    const tabs = [await openTab(session, {}, rotating), await openTab(session, {}, rotating)];
    const loads = await Promise.all(tabs.map((tab) => loadPage(tab, 2)));
    expect(loads.map((load) => load.ok).sort()).toEqual([0, 1]);
    // Both wait out the delay: the journal lists them as they were answered, whichever came first.
    const refreshes = await rotating.requests({ operation: 'refresh' });
    expect(refreshes.map((entry) => entry.status).sort()).toEqual([200, 401]);
    const reused = refreshes.find((entry) => entry.status === 401);
    expect(reused?.reason).toMatch(/^refresh token reused \(superseded by rotation \d+ ms ago, grace 0 s\): refused;/);
    expect(reused?.warning).toMatch(/^refresh storm: /);
  });

  it('with --refresh-grace 5s, both tabs refresh: the second gets the current refresh token again', async () => {
    const graceful = await mockOn({ refreshRotation: true, refreshGraceSeconds: 5 });
    others.push(graceful);
    context = await browser.newContext();
    const session = await expiredSession(graceful);
    await graceful.faults.arm({ delayMs: 500, times: null, match: { operation: 'refresh' } });
    const tabs = [await openTab(session, {}, graceful), await openTab(session, {}, graceful)];
    const loads = await Promise.all(tabs.map((tab) => loadPage(tab, 2)));
    expect(loads.map((load) => load.ok)).toEqual([1, 1]);
    expect((await graceful.requests({ operation: 'refresh' })).map((entry) => entry.status)).toEqual([200, 200]);
    expect(await graceful.refreshes({ sid: session.sid })).toEqual([expect.objectContaining({ refreshes: 2, storms: 1, generation: 1 })]);
  });
});
