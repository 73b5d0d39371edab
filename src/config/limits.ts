/**
 * The bounds every entry point shares (flags, the control API, the CLI, `Prefer`), one constant each, so that a
 * limit is stated once and every error message names the same number.
 */

/** The longest lifetime a token, a refresh token or a clock advance may take: ten years, in seconds. */
export const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** The longest delay a fault, `Prefer: delay=` or `?__delay=` may ask for: ten minutes, in milliseconds. */
export const MAX_DELAY_MS = 10 * 60 * 1000;

/** The longest a fault may stay armed (`ttlMs`, `fault arm --ttl`): a year, in milliseconds. */
export const MAX_FAULT_TTL_MS = 365 * 24 * 3600 * 1000;

/** How long a request body may take to arrive, in milliseconds; a slower one is answered 400 and the connection closed. */
export const BODY_TIMEOUT_MS = 10_000;
