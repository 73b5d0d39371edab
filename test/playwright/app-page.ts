// The browser app the Playwright tests drive: one page whose script calls the mock the way an app does — a plain
// cross-origin `fetch`, no credentials — and keeps its id token in localStorage under `app.idToken`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';

/** The localStorage key the app keeps its id token under (what `mockStorage` seeds). */
export const APP_TOKEN_KEY = 'app.idToken';

/** What the page's `fetch` saw: the status and the fault that answered, or the error a refused request becomes. */
export type Seen = { status: number; fault: string | null } | { error: string };

/** The app's functions, as the page defines them on `window.app`. */
type AppApi = {
  signIn(email: string, password: string): Promise<Seen>;
  logout(): Promise<Seen>;
};

/** The page, calling the contract at `authBase` (the mock's base URL). */
function appHtml(authBase: string): string {
  return `<!doctype html><title>app</title><link rel="icon" href="data:,">
<script>
const AUTH = ${JSON.stringify(authBase)};
async function call(path, init) {
  try {
    const response = await fetch(AUTH + path, { method: 'POST', ...init });
    const body = await response.json().catch(() => null);
    return { response, body, seen: { status: response.status, fault: response.headers.get('x-mock-fault') } };
  } catch (error) {
    return { seen: { error: String(error) } };
  }
}
window.app = {
  async signIn(email, password) {
    const { body, seen } = await call('/customer/sign-in', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (seen.status === 200) localStorage.setItem(${JSON.stringify(APP_TOKEN_KEY)}, body.data.id_token);
    return seen;
  },
  async logout() {
    const token = localStorage.getItem(${JSON.stringify(APP_TOKEN_KEY)});
    return (await call('/customer/logout', { headers: token ? { authorization: 'Bearer ' + token } : {} })).seen;
  },
};
</script>`;
}

/** Serves the app on 127.0.0.1 (port 0): another origin than the mock's. Resolves its URL and how to stop it. */
export async function serveApp(authBase: string): Promise<{ url: string; close(): Promise<void> }> {
  const html = appHtml(authBase);
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs one of the app's functions in `page` (opened on the app) and resolves what its fetch saw. */
export function inApp<K extends keyof AppApi>(page: Page, name: K, ...args: Parameters<AppApi[K]>): Promise<Seen> {
  return page.evaluate(
    ([name, args]) => {
      const { app } = globalThis as unknown as { app: Record<string, (...a: unknown[]) => Promise<Seen>> };
      return app[name]!(...args);
    },
    [name, args] as const,
  );
}
