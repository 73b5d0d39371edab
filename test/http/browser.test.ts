// What browser code on another origin can see, in Debian's Chromium: the status of answers Node's parser writes
// (issue 15, case 3), and which session recipe scopes a fault for a fetch made without credentials (case 4).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { launchChromium } from '../support/chromium.ts';
import { mockOn } from '../support/mock.ts';

let browser: Browser;
let mock: Mock;
let site: Server;
/** Another origin than the mock's (same site: 127.0.0.1, another port), where the test pages live. */
let siteOrigin: string;
let context: BrowserContext | undefined;

beforeAll(async () => {
  [browser, mock] = await Promise.all([launchChromium(), mockOn()]);
  site = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><link rel="icon" href="data:,">'),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  await mock.reset();
});
afterAll(async () => {
  await Promise.all([browser?.close(), mock?.close(), new Promise((resolve) => site?.close(resolve))]);
});

/** A page of the app's origin in a fresh context. */
async function appPage(setUp?: (context: BrowserContext) => Promise<void>): Promise<Page> {
  context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  await setUp?.(context);
  const page = await context.newPage();
  await page.goto(`${siteOrigin}/`);
  return page;
}

/** What the page's `fetch` saw: the status and the reason header, or the network error a CORS refusal becomes. */
type Seen = { status: number; reason: string | null; fault: string | null } | { error: string };

function logoutFrom(page: Page, init: { headers?: Record<string, string>; credentials?: 'omit' | 'same-origin' | 'include' } = {}): Promise<Seen> {
  return page.evaluate(
    async ([url, init]) => {
      try {
        const response = await fetch(url, { method: 'POST', ...init });
        await response.arrayBuffer();
        return { status: response.status, reason: response.headers.get('x-mock-reason'), fault: response.headers.get('x-mock-fault') };
      } catch (error) {
        return { error: String(error) };
      }
    },
    [mock.urls.logout, init] as const,
  );
}

describe('an answer Node writes before the app runs reaches browser code with its status', () => {
  it('headers too large: the page reads 431, not an opaque "Failed to fetch"', async () => {
    const page = await appPage();
    // A custom header makes Chromium preflight first (answered 204 by the app), then send the 20 KB request.
    expect(await logoutFrom(page, { headers: { 'x-big': 'a'.repeat(20_000) } })).toMatchObject({ status: 431 });
    // The same page still logs out normally afterwards.
    const { token } = await mock.issueToken();
    expect(await logoutFrom(page, { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ status: 200 });
  });
});

describe('scoping a fault to one client session from a browser app (docs/faults.md, "Parallel e2e runs on one mock")', () => {
  it("context.setExtraHTTPHeaders({ 'X-Mock-Session' }) scopes the fault for a fetch without credentials; other sessions are untouched", async () => {
    await mock.faults.arm({ status: 500, times: null, match: { session: 'run-a' } });
    const mine = await appPage((c) => c.setExtraHTTPHeaders({ 'X-Mock-Session': 'run-a' }));
    expect(await logoutFrom(mine)).toMatchObject({ status: 500, fault: expect.stringMatching(/^f_/) });
    const { token } = await mock.issueToken();
    const other = await browser.newContext();
    try {
      const page = await other.newPage();
      await page.goto(`${siteOrigin}/`);
      expect(await logoutFrom(page, { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ status: 200, fault: null });
    } finally {
      await other.close();
    }
    const journal = await mock.requests({ session: 'run-a' });
    expect(journal.some((entry) => entry.status === 500 && entry.session === 'run-a')).toBe(true);
  });

  it("the mock_session cookie scopes it only with credentials: 'include' (a same-site app); a plain cross-origin fetch sends no cookie", async () => {
    await mock.faults.arm({ status: 500, times: null, match: { session: 'run-c' } });
    const page = await appPage((c) => c.addCookies([{ name: 'mock_session', value: 'run-c', url: mock.url }]));
    // The silent miss the docs used to lead to: no cookie travels, the fault never fires.
    expect(await logoutFrom(page)).toMatchObject({ status: 401, fault: null });
    expect(await logoutFrom(page, { credentials: 'include' })).toMatchObject({ status: 500, fault: expect.stringMatching(/^f_/) });
  });
});

describe('one-shot network faults in a browser (docs/faults.md, "Network faults in a browser")', () => {
  it.each(['reset', 'empty'] as const)(
    '%s once: Chromium sends the request again on a fresh connection, so the app sees 200 while the journal shows the fault fired',
    async (network) => {
      const page = await appPage();
      const { token } = await mock.issueToken();
      // The preflight opens the connection; the POST on that reused connection meets the fault.
      await mock.faults.arm({ network, times: 1 });
      expect(await logoutFrom(page, { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ status: 200 });
      const journal = await mock.requests({ operation: 'logout' });
      expect(journal.map((entry) => entry.status)).toEqual([0, 200]);
      expect(journal[0]?.faultId).toMatch(/^f_/);
    },
  );

  it('garbage once: not sent again, the app sees the failure', async () => {
    const page = await appPage();
    const { token } = await mock.issueToken();
    await mock.faults.arm({ network: 'garbage', times: 1 });
    expect(await logoutFrom(page, { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ error: expect.stringMatching(/Failed to fetch/) });
    expect((await mock.requests({ operation: 'logout' })).map((entry) => entry.status)).toEqual([0]);
  });

  it.each(['reset', 'empty'] as const)('%s armed --times 2 (or until cleared): the app sees the failure', async (network) => {
    const page = await appPage();
    const { token } = await mock.issueToken();
    await mock.faults.arm({ network, times: 2 });
    expect(await logoutFrom(page, { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ error: expect.stringMatching(/Failed to fetch/) });
    expect((await mock.requests({ operation: 'logout' })).filter((entry) => entry.faultId !== undefined)).toHaveLength(2);
  });
});
