import { createSpecValidator, type SpecValidator } from '../../src/contract/validator.ts';
import { type Mock, type MockOptions, startMock } from '../../src/mock.ts';

/** Starts a mock on port 0 (logging off) for one test file or case; close it in afterEach/afterAll. */
export function mockOn(options: MockOptions = {}): Promise<Mock> {
  return startMock({ port: 0, log: 'off', ...options });
}

/** An answer as a client saw it. */
export type Answer = { status: number; headers: Headers; body: unknown; text: string };

/** POSTs to the mock's logout operation with the given headers/body and reads the whole answer. */
export async function logout(mock: Mock, init: { token?: string; headers?: Record<string, string>; body?: string; query?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers };
  const response = await fetch(`${mock.logoutUrl}${init.query ?? ''}`, { method: 'POST', headers, body: init.body });
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

/** The violations Prism finds in a logout answer (empty = it matches the spec). */
export async function violations(answer: Answer): Promise<string[]> {
  const v = await specValidator();
  return v.validateResponse('post', '/customer/logout', {
    status: answer.status,
    headers: Object.fromEntries(answer.headers),
    body: answer.body,
  });
}
