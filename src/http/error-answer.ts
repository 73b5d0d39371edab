import { ERRORS, type ErrorCode, InputError, isMockError, MethodNotAllowedError } from '../errors.ts';

// Not `import … from 'node:http'` (see server.ts): an ES import of it loads undici, ~20 ms of every start. Guarded by
// test/http/start-path.test.ts; measured by the bench's start-up row (bench/startup.ts).
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/** An error as the HTTP answer it becomes: status, JSON body `{ message, errorCode, field? }` and extra headers. */
export type ErrorAnswer = {
  readonly status: number;
  readonly body: { readonly message: string; readonly errorCode: ErrorCode; readonly field?: string };
  readonly headers: Readonly<Record<string, string>>;
};

/**
 * The one place errors become HTTP answers (statuses from `ERRORS`). A MockError answers its code's status
 * and its message; anything else is a bug: a warning on stderr, and a 500 that names no detail.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (!isMockError(error)) {
    process.emitWarning(`worth-auth-mock: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return { status: 500, body: { message: 'the mock failed to answer this request', errorCode: 'ERR_INTERNAL' }, headers: {} };
  }
  const status = ERRORS[error.code].status;
  if (status >= 500) return { status, body: { message: 'the mock failed to answer this request', errorCode: error.code }, headers: {} };
  const body =
    error instanceof InputError ? { message: error.message, errorCode: error.code, field: error.field } : { message: error.message, errorCode: error.code };
  return { status, body, headers: error instanceof MethodNotAllowedError ? { allow: error.allow } : {} };
}

/**
 * A whole HTTP/1.1 answer, as raw text, for a request Node could not parse (no response object exists):
 * the code's status, its `message`, `Connection: close`, plus `extraHeaders` (`name: value` lines, e.g. CORS).
 */
export function rawErrorAnswer(code: ErrorCode, message: string, extraHeaders: readonly string[] = []): string {
  const status = ERRORS[code].status;
  const body = JSON.stringify({ message, errorCode: code });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: application/json',
    'cache-control: no-store',
    'connection: close',
    ...extraHeaders,
    `content-length: ${Buffer.byteLength(body)}`,
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}
