/**
 * The one error catalogue. Every error the product raises has a stable `ERR_*` code listed in `ERRORS`,
 * with the HTTP status it becomes (mapped in one place, `http/error-answer.ts`) and the exit code it becomes
 * (mapped in one place, `cli/main.ts`). Nothing else inspects messages.
 */

/** Each code: the HTTP status it answers with, the CLI exit code it ends with, and what it means. */
export const ERRORS = {
  ERR_CONFIG: { status: 500, exit: 2, meaning: 'a flag, env var or start option is invalid' },
  ERR_INPUT: { status: 400, exit: 2, meaning: 'a control-API request or a programmatic call carried a bad field' },
  ERR_SPEC: { status: 500, exit: 1, meaning: 'the OpenAPI document could not be read or lacks what the mock needs' },
  ERR_STORE: { status: 500, exit: 1, meaning: 'the state store (disk, Redis) failed' },
  ERR_REMOTE: { status: 502, exit: 1, meaning: 'a CLI command could not reach the running mock, or it answered an error' },
  ERR_REMOTE_INPUT: { status: 502, exit: 2, meaning: "the running mock refused a CLI command's input (400): a usage error" },
  ERR_VERIFICATION: { status: 500, exit: 1, meaning: 'Pact verification or the pact/spec check found failures' },
  ERR_NOT_FOUND: { status: 404, exit: 1, meaning: 'no route (or no such fault) at this path' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, exit: 1, meaning: 'the path exists, the method does not; `Allow` lists those that do' },
  ERR_ADMIN_TOKEN: { status: 401, exit: 1, meaning: 'the control API needs the admin token in X-Mock-Admin-Token' },
  ERR_CROSS_SITE: { status: 403, exit: 1, meaning: 'without an admin token the control API answers only loopback callers' },
  ERR_BAD_HTTP: { status: 400, exit: 1, meaning: 'the request is not valid HTTP' },
  ERR_HEADERS_TOO_LARGE: { status: 431, exit: 1, meaning: 'the request headers are over the server limit' },
  ERR_TIMEOUT: { status: 408, exit: 1, meaning: 'the request did not arrive in time' },
  ERR_INTERNAL: { status: 500, exit: 1, meaning: 'an unexpected failure (a bug): the answer names no detail' },
} as const satisfies Record<string, { status: number; exit: number; meaning: string }>;

/** A stable error code: one of `ERRORS`' keys. */
export type ErrorCode = keyof typeof ERRORS;

/** Base class: a stable `code`, a `name` from the class and an optional `cause`. */
export class MockError extends Error {
  /** Stable machine-readable code, `ERR_*`. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A flag, env var or option is invalid. The CLI exits 2; `startMock` throws it (e.g. the port is in use). */
export class ConfigError extends MockError {
  /** The option that was wrong, as the user wrote it (e.g. `--port`). */
  readonly field: string;
  constructor(field: string, message: string) {
    super('ERR_CONFIG', message);
    this.field = field;
  }
}

/** A control-API request or a programmatic call carried a bad field. HTTP 400. */
export class InputError extends MockError {
  /** The JSON field that was wrong, dotted (`match.sub`), or `body` for the whole body. */
  readonly field: string;
  constructor(field: string, message: string) {
    super('ERR_INPUT', message);
    this.field = field;
  }
}

/** The spec document could not be read or lacks what the mock needs. */
export class SpecError extends MockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SPEC', message, options);
  }
}

/** The state store failed (disk, Redis). Contract operations answer the documented 500. */
export class StoreError extends MockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE', message, options);
  }
}

/** A CLI command talked to a running mock and could not reach it or got an error back (`ERR_REMOTE_INPUT` when it refused the input). */
export class RemoteError extends MockError {
  /** The HTTP status the mock answered, when it answered. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(options?.status === 400 ? 'ERR_REMOTE_INPUT' : 'ERR_REMOTE', message, options);
    this.status = options?.status;
  }
}

/** Pact verification or the pact/spec check found failures (`ERR_VERIFICATION`). The CLI exits 1. */
export class PactVerificationError extends MockError {
  constructor(message: string) {
    super('ERR_VERIFICATION', message);
  }
}

/** No route, or no such resource, at a path. HTTP 404. */
export class NotFoundError extends MockError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message);
  }
}

/** A known path asked with a method it does not take. HTTP 405 with `Allow`. */
export class MethodNotAllowedError extends MockError {
  /** The methods the path takes, as the `Allow` header lists them (`GET, POST`). */
  readonly allow: string;
  constructor(message: string, allow: string) {
    super('ERR_METHOD_NOT_ALLOWED', message);
    this.allow = allow;
  }
}

/** The control API refused the caller: no admin token (401) or not a loopback caller (403). */
export class AccessError extends MockError {
  constructor(code: 'ERR_ADMIN_TOKEN' | 'ERR_CROSS_SITE', message: string) {
    super(code, message);
  }
}

/** True when `error` carries one of our codes. */
export function isMockError(error: unknown): error is MockError {
  return error instanceof MockError;
}

/** A rejected value as error messages quote it: JSON, at most 80 characters, so a message never carries a whole payload. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const UNPRINTABLE = /[^\x20-\x7e]/;

/**
 * Client-sent text as a reason, a header value or a log field may carry it: printable ASCII only (others
 * become `?`), at most 200 characters. Reasons may quote what a client sent; headers must stay valid.
 */
export function headerSafe(text: string): string {
  if (text.length <= 200 && !UNPRINTABLE.test(text)) return text; // The common case, without a copy.
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 200 ? `${ascii.slice(0, 197)}...` : ascii;
}

/**
 * Where JSON.parse failed, as ` (at position N)` or nothing: never V8's own message, which quotes the text
 * around the error, and a body or file may carry a secret (a refresh token, a password).
 */
export function jsonParsePosition(error: unknown): string {
  const at = /at position (\d+)/.exec((error as Error)?.message ?? '')?.[1];
  return at === undefined ? '' : ` (at position ${at})`;
}
