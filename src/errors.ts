/**
 * The one error catalogue. Every error the product raises has a stable `code`; the two edges map
 * them: `app.ts` to HTTP statuses, `cli.ts` to exit codes. Nothing else inspects messages.
 */

/** Base class: a stable `code`, a `name` from the class and an optional `cause`. */
export class MockError extends Error {
  /** Stable machine-readable code, `ERR_*`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A flag, env var or option is invalid. The CLI exits 2. */
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

/** The state store failed (disk, Redis). Logouts answer the documented 500. */
export class StoreError extends MockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE', message, options);
  }
}

/** A CLI command talked to a running mock and could not reach it or got an error back. */
export class RemoteError extends MockError {
  /** The HTTP status the mock answered, when it answered. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super('ERR_REMOTE', message, options);
    this.status = options?.status;
  }
}

/** Pact verification or the pact/spec check found failures (`ERR_VERIFICATION`). The CLI exits 1. */
export class PactVerificationError extends MockError {
  constructor(message: string) {
    super('ERR_VERIFICATION', message);
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
