// A tiny browser app as a frontend writes one: axios for its API calls, axios-auth-refresh to refresh on 401. Bundled
// for the page by refresh-app.ts (esbuild); never run by Node. Its tokens live in localStorage, so every tab of the
// app on one origin shares one sign-in, as real apps do.
import axios, { type AxiosError } from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';

/** What the test starts a tab with: where the Auth Service is, the customer whose page it loads, how it refreshes. */
export type AppOptions = {
  readonly authUrl: string;
  readonly customerId: string;
  /** axios-auth-refresh's option; absent: the library's default (true). */
  readonly deduplicateRefresh?: boolean;
};

/** What one page load did: its calls that succeeded, those that failed (with their statuses), and the refreshes this tab sent. */
export type PageLoad = { readonly ok: number; readonly failed: readonly number[]; readonly refreshes: number };

type Storage = { getItem(key: string): string | null; setItem(key: string, value: string): void };
const storage = (globalThis as unknown as { localStorage: Storage }).localStorage;

/** Signs the app in: keeps the tokens where every tab finds them. */
function signIn(idToken: string, refreshToken: string): void {
  storage.setItem('id_token', idToken);
  storage.setItem('refresh_token', refreshToken);
}

/** Starts the app in this tab: its API client with the refresh interceptor, and `loadPage(n)`, n calls at once. */
function startApp(options: AppOptions): { loadPage(calls: number, spreadMs?: number): Promise<PageLoad> } {
  let refreshes = 0;
  const api = axios.create({ baseURL: options.authUrl });
  api.interceptors.request.use((config) => {
    config.headers.Authorization = `Bearer ${storage.getItem('id_token')}`;
    return config;
  });
  createAuthRefresh(
    // The library's types name axios's CommonJS declarations, this file its ESM ones: the same instance, two type identities.
    api as unknown as Parameters<typeof createAuthRefresh>[0],
    async (failed: AxiosError) => {
      refreshes += 1;
      // The refresh goes out on plain axios, not the API client, as the library's README says.
      const { data } = await axios.post(`${options.authUrl}/refresh-token/customer`, { refresh_token: storage.getItem('refresh_token') });
      storage.setItem('id_token', data.data.id_token);
      if (typeof data.data.refresh_token === 'string') storage.setItem('refresh_token', data.data.refresh_token);
      if (failed.response) failed.response.config.headers.Authorization = `Bearer ${data.data.id_token}`;
    },
    options.deduplicateRefresh === undefined ? {} : { deduplicateRefresh: options.deduplicateRefresh },
  );
  return {
    async loadPage(calls, spreadMs = 0) {
      // `spreadMs`: the mock answers call i that much later (its per-request `?__delay=`), as a page whose calls come back at different times.
      const call = (i: number) => api.get(`/customers/${options.customerId}/subroles`, { params: spreadMs ? { __delay: i * spreadMs } : {} });
      const settled = await Promise.allSettled(Array.from({ length: calls }, (_, i) => call(i)));
      const failed = settled.flatMap((each) => (each.status === 'rejected' ? [(each.reason as AxiosError).response?.status ?? 0] : []));
      return { ok: calls - failed.length, failed, refreshes };
    },
  };
}

Object.assign(globalThis, { refreshApp: { signIn, startApp } });
