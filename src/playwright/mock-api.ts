import type { Health } from '../control/control-api.ts';
import { RemoteError } from '../errors.ts';
import type { JournalEntry } from '../state/journal.ts';

/** Where the fixture looks for the shared mock when neither the `mockUrl` option nor `WORTH_MOCK_URL` says: `start`'s default. */
export const DEFAULT_MOCK_URL = 'http://127.0.0.1:4010';

/** A mock that is already running, reached over HTTP only (no server code in the test worker). */
export type MockApi = {
  /** The mock's root, `http://host:port` (control API, JWKS). */
  readonly url: string;
  /**
   * Calls the control API (`/__mock/…`) with the admin token when one is set: an object `body` goes as JSON.
   * Resolves the JSON answer; throws RemoteError (`status` set; `ERR_REMOTE_INPUT` for a 400, else `ERR_REMOTE`) for a refusal or an unreachable mock.
   */
  control<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** `GET /__mock/health`: the operations the mock serves; throws RemoteError naming the URL and how to start a mock when nothing answers. */
  health(): Promise<Health>;
  /** The full URL of an operation the mock serves, by name (`sign-in`), as its health lists it; throws RemoteError when it serves none by that name. */
  urlOf(name: string): Promise<string>;
  /** The journal entries of one client session (`GET /__mock/requests?session=…`), oldest first. */
  journal(session: string): Promise<JournalEntry[]>;
};

/** Where the mock is and how to reach its control API. */
export type MockApiOptions = {
  /** The mock's root URL (`http://127.0.0.1:4010`); a path on it is ignored. */
  url: string;
  /** The mock's `--admin-token`, sent as `X-Mock-Admin-Token` (undefined: none). */
  adminToken?: string | undefined;
};

/** How long one control call may take, in milliseconds, before it fails instead of hanging the test. */
const CONTROL_TIMEOUT_MS = 10_000;

/** A client of the running mock at `options.url`; it does not call the mock until asked. */
export function createMockApi(options: MockApiOptions): MockApi {
  const root = new URL(options.url).origin;
  let served: Promise<Health> | undefined;
  const api: MockApi = {
    url: root,
    async control<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const response = await reach(root, `${method} ${path}`, () =>
        fetch(`${root}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.adminToken ? { 'x-mock-admin-token': options.adminToken } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
        }),
      );
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new RemoteError(`${root} answered ${method} ${path} with ${response.status} and a body that is not JSON: is it worth-auth-mock?`, {
          status: response.status,
        });
      }
      if (!response.ok) {
        const message = (parsed as { message?: string } | undefined)?.message ?? response.statusText;
        const hint = response.status === 401 ? ' (give the mock its admin token: WORTH_MOCK_ADMIN_TOKEN or the `mockAdminToken` option)' : '';
        throw new RemoteError(`the mock refused ${method} ${path} (${response.status}): ${message}${hint}`, { status: response.status });
      }
      return parsed as T;
    },
    health() {
      served = api.control<Health>('GET', '/__mock/health');
      return served;
    },
    async urlOf(name) {
      const operation = (await (served ?? api.health())).operations.find((each) => each.name === name);
      if (operation === undefined) throw new RemoteError(`worth-auth-mock at ${root} serves no operation named ${name}`);
      return `${root}${operation.path}`;
    },
    async journal(session) {
      const { requests } = await api.control<{ requests: JournalEntry[] }>('GET', `/__mock/requests?session=${encodeURIComponent(session)}`);
      return requests;
    },
  };
  return api;
}

/** Runs one fetch to the mock; a network failure becomes a RemoteError that says where the fixture looked and how to start one. */
export async function reach(root: string, what: string, call: () => Promise<Response>): Promise<Response> {
  try {
    return await call();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new RemoteError(`${what}: worth-auth-mock at ${root} did not answer within ${CONTROL_TIMEOUT_MS / 1000} s`, { cause: error });
    }
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new RemoteError(
      `${what}: cannot reach worth-auth-mock at ${root} (${cause}); start one (\`npx worth-auth-mock start\`, Playwright's webServer, or startSharedMock() in globalSetup) and give its URL in WORTH_MOCK_URL or the \`mockUrl\` option`,
      { cause: error },
    );
  }
}
