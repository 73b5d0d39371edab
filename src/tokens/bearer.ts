/**
 * The bearer credential of a request (RFC 6750 §2.1): `Authorization: Bearer <b64token>`, the scheme
 * case-insensitive.
 */

/** A bearer token as read from the header, or why there is none (no credentials, RFC 6750 §3.1). */
export type Bearer = { readonly token: string; readonly missing?: undefined } | { readonly token?: undefined; readonly missing: string };

/** RFC 6750 §2.1's b64token: the characters a bearer token may have. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

const NO_HEADER: Bearer = Object.freeze({ missing: 'no Authorization header' });
const NOT_BEARER: Bearer = Object.freeze({ missing: 'Authorization scheme is not Bearer' });

/** Reads the bearer token of an `Authorization` header; an empty token is a token (`''`), refused later as invalid. */
export function readBearer(header: string | undefined): Bearer {
  if (header === undefined || header.trim() === '') return NO_HEADER;
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return NOT_BEARER;
  return { token: space === -1 ? '' : header.slice(space + 1).trim() };
}

/** Why a bearer token cannot be a token at all (empty, or characters RFC 6750 does not allow), or undefined. */
export function bearerSyntaxProblem(token: string): string | undefined {
  if (token === '') return 'bearer token is empty';
  if (!B64TOKEN.test(token)) return 'bearer token has characters RFC 6750 does not allow';
  return undefined;
}
