import type { BrowserContext } from '@playwright/test';
import { InputError } from '../errors.ts';
import type { SignedIn } from './sign-in.ts';

/** What to store for one key: a token by name, or a function of the whole sign-in (e.g. one JSON object of several). */
export type StoredValue = 'idToken' | 'accessToken' | 'refreshToken' | 'sid' | ((signedIn: SignedIn) => string);

/**
 * Where the app under test keeps its tokens, so that `signIn` can put them there before the app loads: localStorage
 * entries and/or cookies of the app's origin. Apps differ; name the keys yours reads.
 * @example { localStorage: { 'auth.idToken': 'idToken', 'auth.refresh': 'refreshToken' } }
 * @example { origin: 'http://localhost:3000', cookies: { session: (s) => JSON.stringify({ token: s.idToken }) } }
 */
export type StorageSeed = {
  /** The app's origin (`http://localhost:3000`); default: the test's `baseURL`. */
  readonly origin?: string;
  /** localStorage key → value, written once into the origin's localStorage of the test's browser context. */
  readonly localStorage?: Readonly<Record<string, StoredValue>>;
  /** Cookie name → value, set for the origin (host-only, path `/`, readable by the page's scripts). */
  readonly cookies?: Readonly<Record<string, StoredValue>>;
};

/**
 * Writes `seed` for `signedIn` into `context`. localStorage is written from a blank page of the origin that never
 * reaches the network (the app's server need not run yet), then closed. Throws InputError when the seed has entries
 * but neither `seed.origin` nor `baseURL` names the origin.
 */
export async function seedStorage(context: BrowserContext, seed: StorageSeed, signedIn: SignedIn, baseURL: string | undefined): Promise<void> {
  const entries = valuesOf(seed.localStorage, signedIn);
  const cookies = valuesOf(seed.cookies, signedIn);
  if (entries.length === 0 && cookies.length === 0) return;
  const where = seed.origin ?? baseURL;
  if (where === undefined) throw new InputError('origin', "the storage seed needs the app's origin: give `origin`, or set Playwright's `baseURL`");
  const origin = new URL(where).origin;
  if (cookies.length > 0) await context.addCookies(cookies.map(([name, value]) => ({ name, value, url: origin })));
  if (entries.length === 0) return;
  const page = await context.newPage();
  try {
    await page.route(
      (url) => url.origin === origin,
      (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>worth-auth-mock storage seed</title>' }),
    );
    await page.goto(`${origin}/`);
    await page.evaluate((pairs) => {
      const { localStorage } = globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } };
      for (const [key, value] of pairs) localStorage.setItem(key, value);
    }, entries);
  } finally {
    await page.close();
  }
}

/** The seed's entries as [name, value] pairs of strings. */
function valuesOf(table: Readonly<Record<string, StoredValue>> | undefined, signedIn: SignedIn): [string, string][] {
  return Object.entries(table ?? {}).map(([name, value]) => [name, typeof value === 'function' ? value(signedIn) : signedIn[value]]);
}
