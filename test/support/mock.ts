import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadContract } from '../../src/contract/contract.ts';
import { createSpecValidator, type SpecValidator } from '../../src/contract/validator.ts';
import { type Mock, type MockOptions, startMock } from '../../src/mock.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { Store } from '../../src/state/store.ts';

/** Starts a mock on port 0 (logging off) for one test file or case; close it in afterEach/afterAll. */
export function mockOn(options: MockOptions = {}): Promise<Mock> {
  return startMock({ port: 0, log: 'off', ...options });
}

/** An answer as a client saw it. */
export type Answer = { status: number; headers: Headers; body: unknown; text: string };

/** POSTs to the mock's logout operation with the given headers/body and reads the whole answer. */
export async function logout(mock: Mock, init: { token?: string; headers?: Record<string, string>; body?: string; query?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers };
  const response = await fetch(`${mock.urls.logout}${init.query ?? ''}`, { method: 'POST', headers, body: init.body });
  return read(response);
}

/** Calls the mock's control API at `root` (`mock.url`): an object body goes as JSON, a string as it is. */
export async function control(root: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return read(
    await fetch(`${root}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** Reads a fetch Response into an Answer (body parsed as JSON when it is). */
export async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, text };
}

let validator: Promise<SpecValidator> | undefined;
/** Prism's validator over the bundled spec, loaded once per test file. */
export function specValidator(): Promise<SpecValidator> {
  validator ??= createSpecValidator();
  return validator;
}

/** The violations Prism finds in an answer of `operation` (by name, default logout; empty = it matches the spec). */
export async function violations(answer: Answer, operation = 'logout'): Promise<string[]> {
  const v = await specValidator();
  const found = (await loadContract()).operations.get(operation);
  if (!found) throw new Error(`the spec has no operation ${operation}`);
  const { method, path } = found;
  return v.validateResponse(method, path, {
    status: answer.status,
    headers: Object.fromEntries(answer.headers),
    body: answer.body,
  });
}

/** What a sign-in or refresh request carries: a JSON value (sent as JSON), or a raw body with its own headers. */
export type OperationInit = { json?: unknown; body?: string; headers?: Record<string, string>; query?: string };

/** The demo customer a mock started without `--users` has (docs/operations.md). */
export const DEMO = { email: 'customer@example.com', password: 'Sandbox-Password-1' } as const;

/** POSTs to the mock's sign-in operation (`{ email, password }` as JSON by default) and reads the whole answer. */
export function signIn(mock: Mock, init: OperationInit = {}): Promise<Answer> {
  return post(mock.urls['sign-in'] as string, init);
}

/** POSTs to the mock's refresh operation and reads the whole answer; `{ token }` sends `{ "refresh_token": token }`. */
export function refresh(mock: Mock, init: OperationInit & { token?: string } = {}): Promise<Answer> {
  const { token, ...rest } = init;
  return post(mock.urls.refresh as string, token === undefined ? rest : { ...rest, json: { refresh_token: token } });
}

/** The tokens of a 200 sign-in answer, whichever wrap (`--sign-in-wrap`) it has. */
export function signedIn(answer: Answer): { idToken: string; accessToken: string; refreshToken: string; data: Record<string, unknown> } {
  const outer = (answer.body as { data?: Record<string, unknown> } | undefined)?.data;
  const data = ((outer?.data as Record<string, unknown> | undefined) ?? outer) as Record<string, unknown> | undefined;
  if (answer.status !== 200 || !data) throw new Error(`not a signed-in answer: ${answer.status} ${answer.text}`);
  return { idToken: data.id_token as string, accessToken: data.access_token as string, refreshToken: data.refresh_token as string, data };
}

async function post(url: string, init: OperationInit): Promise<Answer> {
  const json = init.json !== undefined;
  const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const body = json ? JSON.stringify(init.json) : init.body;
  return read(await fetch(`${url}${init.query ?? ''}`, { method: 'POST', headers, body }));
}

/**
 * The one fixture that starts a mock for a test file: started before the file's tests (port 0, log off, with
 * `options`), reset after each test when `resetAfterEach`, closed after the file. Returns the running mock
 * (a stand-in that reaches the mock once it has started: use it inside hooks and tests, not at collection time).
 */
export function useMock(options: MockOptions = {}, { resetAfterEach = false }: { resetAfterEach?: boolean } = {}): Mock {
  let running: Mock | undefined;
  beforeAll(async () => {
    running = await mockOn(options);
  });
  if (resetAfterEach) afterEach(() => running?.reset());
  afterAll(() => running?.close());
  return new Proxy({} as Mock, {
    get(_target, name) {
      if (!running) throw new Error('useMock(): the mock starts in beforeAll; use it inside hooks and tests');
      const value = Reflect.get(running, name, running) as unknown;
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}

/** A memory store whose `method` fails ("connection lost") while `failing` is true: a disk or Redis that went away. */
export function failingStore(method: keyof Store): { store: Store; fail(on: boolean): void } {
  const memory = new MemoryStore({ journalSize: 10 });
  let failing = false;
  const store = new Proxy(memory, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (failing && name === method ? Promise.reject(new Error('connection lost')) : value.apply(target, args));
    },
  });
  return {
    store,
    fail(on) {
      failing = on;
    },
  };
}
