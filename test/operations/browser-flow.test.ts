// The sign-in flow as a browser app runs it, in real Chromium: the refresh token lives only in the HttpOnly
// cookie sign-in sets, and the app refreshes with no body and credentials included (as the service's own web
// apps do). The app is served from another port: another origin, the same site. (Sites go by host: an app on
// localhost calling the mock on 127.0.0.1 is cross-site, and Chromium does not keep the SameSite=Lax cookie.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** What the page saw of signing in and refreshing: statuses, whether script could read the cookie, the new id token. */
type SignedIn = { signIn: number; scriptSeesCookie: boolean; refresh: number; idToken: string };

describe('a browser app on another origin of the same site', () => {
  it.each([['localhost'], ['127.0.0.1']])(
    'on %s: sign in, refresh from the HttpOnly cookie alone, log out: the cookie is cleared, and the refresh token it held is refused',
    async (host) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`http://${host}:${(app.address() as AddressInfo).port}/app`);
        const api = `http://${host}:${mock.port}${mock.baseUrl.slice(mock.url.length)}`;
        const signedIn: SignedIn = await page.evaluate(
          async ({ api, credentials }) => {
            const post = (path: string, init: RequestInit = {}) => fetch(`${api}${path}`, { method: 'POST', credentials: 'include', ...init });
            const signIn = await post('/customer/sign-in', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
            const scriptSeesCookie = (globalThis as unknown as { document: { cookie: string } }).document.cookie.includes('refresh_token');
            const refreshed = await post('/refresh-token/customer');
            const { id_token: idToken } = ((await refreshed.json()) as { data: { id_token: string } }).data;
            return { signIn: signIn.status, scriptSeesCookie, refresh: refreshed.status, idToken };
          },
          { api, credentials: DEMO },
        );
        expect(signedIn).toMatchObject({ signIn: 200, scriptSeesCookie: false, refresh: 200 });
        const [cookie] = await context.cookies(api);
        expect(cookie).toMatchObject({ name: 'refresh_token', httpOnly: true, sameSite: 'Lax', path: '/auth/api/v1' });

        const loggedOut = await page.evaluate(
          async ({ api, idToken }) => {
            const post = (path: string, init: RequestInit = {}) => fetch(`${api}${path}`, { method: 'POST', credentials: 'include', ...init });
            const logout = await post('/customer/logout', { headers: { 'content-type': 'application/json', authorization: `Bearer ${idToken}` }, body: '{}' });
            const after = await post('/refresh-token/customer');
            return { logout: logout.status, refreshAfterLogout: after.status, reason: after.headers.get('x-mock-reason') };
          },
          { api, idToken: signedIn.idToken },
        );
        // The browser dropped the cookie: its refresh sends none.
        expect(loggedOut).toEqual({ logout: 200, refreshAfterLogout: 400, reason: expect.stringMatching(/no refresh token/) });
        expect(await context.cookies(api)).toEqual([]);
        // The refresh token it held is refused all the same, had the app kept a copy.
        await context.addCookies([{ ...(cookie as NonNullable<typeof cookie>) }]);
        const kept = await page.evaluate(async (api) => {
          const answer = await fetch(`${api}/refresh-token/customer`, { method: 'POST', credentials: 'include' });
          return { status: answer.status, reason: answer.headers.get('x-mock-reason') };
        }, api);
        expect(kept).toEqual({ status: 401, reason: expect.stringMatching(/revoked/) });
      } finally {
        await context.close();
      }
    },
  );
});

describe('an https dev server (Vite basicSsl, mkcert) and the http mock are two sites: schemes make sites differ', () => {
  let devServer: Server;
  let certDir: string;

  beforeAll(async () => {
    // A self-signed localhost certificate, as Vite's basicSsl plugin makes one.
    certDir = mkdtempSync(join(tmpdir(), 'wam-tls-'));
    const [key, cert] = [join(certDir, 'key.pem'), join(certDir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-days', '1'], {
      stdio: 'ignore',
    });
    // The dev server serves the app, and forwards /auth/ to the mock as Vite's server.proxy does.
    devServer = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      if (!req.url?.startsWith('/auth/'))
        return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Dev app</title>');
      const forward = request({ host: '127.0.0.1', port: mock.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    }) as unknown as Server;
    await new Promise<void>((resolve) => devServer.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    await new Promise((resolve) => devServer?.close(resolve));
    rmSync(certDir, { recursive: true, force: true });
  });

  /** Sign in, then refresh with no body (the cookie alone), from an https page on localhost, against `api`. */
  async function signInThenRefresh(api: (devOrigin: string) => string): Promise<{ signIn: number; refresh: number; reason: string | null }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      const devOrigin = `https://localhost:${(devServer.address() as AddressInfo).port}`;
      await page.goto(`${devOrigin}/app`);
      return await page.evaluate(
        async ({ api, credentials }) => {
          const post = (path: string, init: RequestInit = {}) => fetch(`${api}${path}`, { method: 'POST', credentials: 'include', ...init });
          const signIn = await post('/customer/sign-in', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
          const refresh = await post('/refresh-token/customer');
          return { signIn: signIn.status, refresh: refresh.status, reason: refresh.headers.get('x-mock-reason') };
        },
        { api: api(devOrigin), credentials: DEMO },
      );
    } finally {
      await context.close();
    }
  }

  it('the app on https://localhost calling http://localhost:<mock port>: sign-in answers 200, its cookie is not stored, the refresh has none', async () => {
    const walk = await signInThenRefresh(() => `http://localhost:${mock.port}${mock.baseUrl.slice(mock.url.length)}`);
    expect(walk).toMatchObject({ signIn: 200, refresh: 400, reason: expect.stringMatching(/no refresh token/i) });
  });

  it("what to do: call the mock through the dev server's proxy (same origin): the cookie is stored and the refresh answers 200", async () => {
    const walk = await signInThenRefresh((devOrigin) => `${devOrigin}${mock.baseUrl.slice(mock.url.length)}`);
    expect(walk).toMatchObject({ signIn: 200, refresh: 200 });
  });
});
