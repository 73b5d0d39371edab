// The sign-in flow as a browser app runs it, in real Chromium: the refresh token lives only in the HttpOnly
// cookie sign-in sets, and the app refreshes with no body and credentials included (as the service's own web
// apps do). The app is served from another port: another origin, the same site. (Sites go by host: an app on
// localhost calling the mock on 127.0.0.1 is cross-site, and Chromium does not keep the SameSite=Lax cookie.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { launchChromium } from '../support/chromium.ts';
import { DEMO, mockOn } from '../support/mock.ts';

let mock: Mock;
let app: Server;
let browser: Browser;

beforeAll(async () => {
  mock = await mockOn();
  app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Customer app</title>'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => app.close(resolve));
  await mock.close();
});

/** What the page saw of each step: statuses, the reason of the last refresh, and whether script could read the cookie. */
type Walk = { signIn: number; scriptSeesCookie: boolean; refresh: number; logout: number; refreshAfterLogout: number; reason: string | null };

describe('a browser app on another origin of the same site', () => {
  it.each([['localhost'], ['127.0.0.1']])('on %s: sign in, refresh from the HttpOnly cookie alone, log out, refresh refused', async (host) => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`http://${host}:${(app.address() as AddressInfo).port}/app`);
      const api = `http://${host}:${mock.port}${mock.baseUrl.slice(mock.url.length)}`;
      const walk: Walk = await page.evaluate(
        async ({ api, credentials }) => {
          const post = (path: string, init: RequestInit = {}) => fetch(`${api}${path}`, { method: 'POST', credentials: 'include', ...init });
          const json = { 'content-type': 'application/json' };
          const signIn = await post('/customer/sign-in', { headers: json, body: JSON.stringify(credentials) });
          const scriptSeesCookie = (globalThis as unknown as { document: { cookie: string } }).document.cookie.includes('refresh_token');
          const refreshed = await post('/refresh-token/customer');
          const { id_token: idToken } = ((await refreshed.json()) as { data: { id_token: string } }).data;
          const logout = await post('/customer/logout', { headers: { ...json, authorization: `Bearer ${idToken}` }, body: '{}' });
          const after = await post('/refresh-token/customer');
          return {
            signIn: signIn.status,
            scriptSeesCookie,
            refresh: refreshed.status,
            logout: logout.status,
            refreshAfterLogout: after.status,
            reason: after.headers.get('x-mock-reason'),
          };
        },
        { api, credentials: DEMO },
      );
      expect(walk).toEqual({
        signIn: 200,
        scriptSeesCookie: false,
        refresh: 200,
        logout: 200,
        refreshAfterLogout: 401,
        reason: expect.stringMatching(/revoked/),
      });
      const [cookie] = await context.cookies(api);
      expect(cookie).toMatchObject({ name: 'refresh_token', httpOnly: true, sameSite: 'Lax', path: '/auth/api/v1' });
    } finally {
      await context.close();
    }
  });
});
