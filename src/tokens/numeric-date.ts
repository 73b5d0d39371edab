/**
 * NumericDate claims (RFC 7519 §2: seconds since 1970-01-01T00:00:00Z, integer or not) and the checks of time a
 * token gets. Both verification paths (node:crypto and jose's `jwtVerify`) and the minted-token path use these, so
 * a malformed claim gets one verdict and one reason whichever way a token is checked.
 */

/** The NumericDate claims a token may carry: `exp`, `nbf`, `iat` (RFC 7519 §4.1.4–4.1.6), `auth_time` (OpenID Connect Core §2). */
export const NUMERIC_DATE_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;

/**
 * The latest NumericDate a token may carry, in seconds: 9999-12-31T23:59:59Z. Anything later (or `1e400`, which
 * JSON.parse reads as Infinity) is refused, so every time derived from a claim is a finite number a `Date`, JSON
 * and every store can hold.
 */
export const LATEST_NUMERIC_DATE = 253_402_300_799;

/** The largest magnitude of a valid `Date`, in epoch milliseconds (ECMA-262 §21.4.1.1). */
const DATE_RANGE_MS = 8.64e15;

/** The reason given for a token past its `exp` (`error_description`, `X-Mock-Reason`, the journal). */
export const TOKEN_EXPIRED = 'token expired';

/** True for a NumericDate this mock accepts: a finite number of seconds from 0 to LATEST_NUMERIC_DATE. */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= LATEST_NUMERIC_DATE;
}

/**
 * Why a claims set's NumericDates are malformed, or undefined: `exp` absent (Cognito's tokens always expire, and a
 * token that never does could outlive any logout), or any of NUMERIC_DATE_CLAIMS present but not a number,
 * not finite, or outside 0…LATEST_NUMERIC_DATE. The reason names the claim and what is wrong with it.
 */
export function numericDateProblem(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of NUMERIC_DATE_CLAIMS) {
    const value = claims[name];
    if (value === undefined) {
      if (name === 'exp') return 'token has no exp claim: a token must expire';
      continue;
    }
    if (typeof value !== 'number') return `token claim ${name} is malformed: not a NumericDate (a number of seconds since 1970)`;
    if (!isNumericDate(value)) return `token claim ${name} is malformed: out of range (0 to ${LATEST_NUMERIC_DATE} seconds)`;
  }
  return undefined;
}

/** Why `nowMs` cannot be checked against (not finite, or not a time a `Date` holds), or undefined. */
export function clockProblem(nowMs: number): string | undefined {
  return Number.isFinite(nowMs) && Math.abs(nowMs) <= DATE_RANGE_MS ? undefined : "the mock's clock does not tell a valid time: no token can be checked";
}

/**
 * Why well-formed NumericDates (see numericDateProblem) fail at `nowMs` with `toleranceSeconds` of leeway, or
 * undefined. In jose's order (nbf, exp, iat), so a token both not yet valid and expired gets one reason whichever
 * path checks it; `now` is whole seconds, as jose takes it.
 */
export function timeProblem(
  claims: { readonly exp?: unknown; readonly nbf?: unknown; readonly iat?: unknown },
  nowMs: number,
  toleranceSeconds: number,
): string | undefined {
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.nbf === 'number' && claims.nbf > now + toleranceSeconds) return 'token is not yet valid (nbf)';
  if (typeof claims.exp === 'number' && claims.exp <= now - toleranceSeconds) return TOKEN_EXPIRED;
  if (typeof claims.iat === 'number' && claims.iat > now + toleranceSeconds) return 'token was issued in the future (iat)';
  return undefined;
}

/**
 * The first epoch millisecond at which a token expiring at `exp` (a valid NumericDate) is refused as expired
 * with `toleranceSeconds` of leeway: it is accepted while `floor(now / 1000) < exp + tolerance`, that is while
 * `now < ceil(exp + tolerance) * 1000`. A revocation kept until then covers every moment the token can be presented.
 */
export function refusedFromMs(exp: number, toleranceSeconds: number): number {
  return Math.ceil(exp + toleranceSeconds) * 1000;
}
