/**
 * worth-auth-mock's Playwright fixture (`worth-auth-mock/playwright`): every test gets its own isolation on one
 * shared mock — its own client session on the browser context, a `signIn()` through the real sign-in operation,
 * faults scoped to it and cleared after it, and its journal attached to the report when it fails.
 * @example
 * import { expect, test } from 'worth-auth-mock/playwright';
 * test('the login screen shows the outage', async ({ page, faults }) => {
 *   await faults.arm({ status: 500, match: { operation: 'sign-in' } });
 *   // … the app's sign-in answers 500; every other test's sign-in still works
 * });
 */
import { randomBytes } from 'node:crypto';
import { test as base } from '@playwright/test';
import { RemoteError } from '../errors.ts';
import type { JournalEntry } from '../state/journal.ts';
import { DEMO_USER, type UserInput } from '../users/user.ts';
import { createMockApi, DEFAULT_MOCK_URL, type MockApi } from './mock-api.ts';
import { createSessionFaults, type SessionFaults } from './session-faults.ts';
import { type Credentials, SESSION_HEADER, type SignedIn, signInAs } from './sign-in.ts';
import { type StorageSeed, seedStorage } from './storage-seed.ts';

export { expect } from '@playwright/test';
export type { JournalEntry } from '../state/journal.ts';
export type { MockApi } from './mock-api.ts';
export type { SessionFaults, TestFaultInput } from './session-faults.ts';
export { startSharedMock } from './shared-mock.ts';
export { type Credentials, SESSION_HEADER, type SignedIn } from './sign-in.ts';
export type { StorageSeed, StoredValue } from './storage-seed.ts';

/** The name of the attachment a failed test gets: `{ session, mock, requests }` as JSON, its journal entries oldest first. */
export const JOURNAL_ATTACHMENT = 'worth-auth-mock journal';

/**
 * Who `signIn` signs in: omitted, the demo customer; `{ email, password }`, a user the mock already has;
 * `{ newUser }`, a user added for this test (`POST /__mock/users`; email and password made up unless given) and
 * removed after it — give no email an existing user has, or that user is replaced, then removed.
 */
export type Persona = Credentials | { readonly newUser: Partial<UserInput> };

/** What `signIn` takes besides the persona: `storage` replaces the `mockStorage` option for this call (`false`: seed nothing). */
export type SignInOptions = { readonly storage?: StorageSeed | false };

/**
 * Signs `persona` in through the mock's sign-in operation as this test's session, seeds the app's storage when
 * `mockStorage` (or `options.storage`) says how, and resolves the tokens. Throws RemoteError (`status` set) when the
 * sign-in is refused — by this test's own faults too — and InputError when a seed has no origin.
 */
export type SignIn = (persona?: Persona, options?: SignInOptions) => Promise<SignedIn>;

/**
 * The fixtures every test gets. `mockStorage` is an option: `test.use({ mockStorage })`, or the `use` of a config made
 * with `defineConfig<MockTestFixtures, MockWorkerFixtures>({ … })` (which types it).
 */
export type MockTestFixtures = {
  /**
   * This test's client session (`pw-<title>-<12 hex>`), sent as `X-Mock-Session` on every request of the `context`
   * and `page` fixtures (the app's own calls to the mock included, cross-origin, with or without credentials; other
   * origins get it too, so their CORS must allow it). Not on the `request` fixture or a `browser.newContext()` of the
   * test's own: give those `{ [SESSION_HEADER]: mockSession }`.
   */
  mockSession: string;
  /** Where the app keeps its tokens, for `signIn` to seed (default: nowhere). */
  mockStorage: StorageSeed | undefined;
  signIn: SignIn;
  /** Faults scoped to this test's session; those still armed are cleared when the test ends. */
  faults: SessionFaults;
  /** This test's journal entries (`GET /__mock/requests?session=…`), oldest first. */
  journal: () => Promise<JournalEntry[]>;
};

/** The per-worker options and client (`mockUrl`, `mockAdminToken` in the config's `use`). */
export type MockWorkerFixtures = {
  /** The shared mock's root URL; default `WORTH_MOCK_URL`, else `http://127.0.0.1:4010`. */
  mockUrl: string | undefined;
  /** The mock's `--admin-token`; default `WORTH_MOCK_ADMIN_TOKEN`. */
  mockAdminToken: string | undefined;
  /** The control API of the shared mock, checked to answer once per worker (throws RemoteError when nothing answers). */
  mockApi: MockApi;
};

/** Playwright's `test` with the fixtures above; `context` and `page` carry this test's `X-Mock-Session`. */
export const test = base.extend<MockTestFixtures, MockWorkerFixtures>({
  mockUrl: [undefined, { option: true, scope: 'worker' }],
  mockAdminToken: [undefined, { option: true, scope: 'worker' }],
  mockApi: [
    async ({ mockUrl, mockAdminToken }, use) => {
      const api = createMockApi({
        url: mockUrl ?? process.env.WORTH_MOCK_URL ?? DEFAULT_MOCK_URL,
        adminToken: mockAdminToken ?? process.env.WORTH_MOCK_ADMIN_TOKEN,
      });
      await api.health();
      await use(api);
    },
    { scope: 'worker' },
  ],
  mockStorage: [undefined, { option: true }],

  mockSession: async ({ mockApi }, use, testInfo) => {
    const session = sessionName(testInfo.title);
    await use(session);
    if (testInfo.status === testInfo.expectedStatus) return;
    let journal: unknown;
    try {
      journal = { session, mock: mockApi.url, requests: await mockApi.journal(session) };
    } catch (error) {
      journal = { session, mock: mockApi.url, error: (error as Error).message };
    }
    await testInfo.attach(JOURNAL_ATTACHMENT, { body: JSON.stringify(journal, null, 2), contentType: 'application/json' });
  },

  context: async ({ context, extraHTTPHeaders, mockSession }, use) => {
    await context.setExtraHTTPHeaders({ ...extraHTTPHeaders, [SESSION_HEADER]: mockSession });
    await use(context);
  },

  signIn: async ({ mockApi, mockSession, mockStorage, context, baseURL }, use) => {
    const added: string[] = [];
    const addUser = async (user: Partial<UserInput>): Promise<Credentials> => {
      const email = user.email ?? `${mockSession}-${added.length + 1}@example.com`;
      const password = user.password ?? `Pw-${randomBytes(12).toString('base64url')}`;
      await mockApi.control('POST', '/__mock/users', { ...user, email, password });
      added.push(email);
      return { email, password };
    };
    await use(async (persona, options = {}) => {
      const credentials = persona !== undefined && 'newUser' in persona ? await addUser(persona.newUser) : (persona ?? DEMO_USER);
      const signedIn = await signInAs(mockApi, credentials, mockSession);
      const seed = options.storage === undefined ? mockStorage : options.storage || undefined;
      if (seed) await seedStorage(context, seed, signedIn, baseURL);
      return signedIn;
    });
    for (const email of added) {
      await mockApi.control('DELETE', `/__mock/users/${encodeURIComponent(email)}`).catch((error: unknown) => {
        if (!(error instanceof RemoteError && error.status === 404)) throw error;
      });
    }
  },

  faults: async ({ mockApi, mockSession }, use) => {
    const faults = createSessionFaults(mockApi, mockSession);
    await use(faults);
    await faults.clear();
  },

  journal: async ({ mockApi, mockSession }, use) => {
    await use(() => mockApi.journal(mockSession));
  },
});

/** A session name unique across workers and runs that still says which test it is: `pw-<title slug>-<12 hex>`. */
function sessionName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 32)
    .replace(/^-+|-+$/g, '');
  return `pw-${slug || 'test'}-${randomBytes(6).toString('hex')}`;
}
