import { RemoteError } from '../errors.ts';
import { type MockApi, reach } from './mock-api.ts';

/** The header that names a test's session to the mock (it also reads a `mock_session` cookie, which browsers may not send). */
export const SESSION_HEADER = 'X-Mock-Session';

/** An email and password that sign in. */
export type Credentials = { readonly email: string; readonly password: string };

/** What a successful sign-in yields: its tokens, who signed in, and the answer's `data` as the mock sent it. */
export type SignedIn = {
  /** The id token (a bearer the mock accepts, as the service's web apps send it). */
  readonly idToken: string;
  /** The access token (the logout bearer). */
  readonly accessToken: string;
  /** The opaque refresh token (`POST …/refresh-token/customer { refresh_token }`). */
  readonly refreshToken: string;
  /** The sign-in's id: the tokens' `origin_jti` (what a fault's `match.sid` and `/__mock/sessions/{sid}/expire` take). */
  readonly sid: string;
  /** The user's `sub` (what a fault's `match.sub` takes). */
  readonly sub: string;
  /** The email and password that signed in (for a login form, when the test signs in through the UI too). */
  readonly email: string;
  readonly password: string;
  /** The answer's `data` (unwrapped once more under `--sign-in-wrap double`): `user_details`, `customer_details`, `permissions`, … */
  readonly data: Readonly<Record<string, unknown>>;
};

/**
 * Signs in through the mock's real sign-in operation with `credentials`, as the client session `session` (so this
 * test's faults apply to it and its journal shows it). Throws RemoteError (`status` set) when the answer is not 200.
 */
export async function signInAs(api: MockApi, credentials: Credentials, session: string): Promise<SignedIn> {
  const url = await api.urlOf('sign-in');
  const response = await reach(api.url, 'sign-in', () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SESSION_HEADER]: session },
      // No timeout of its own: a delay or hang this test armed on sign-in holds it, as it holds the app's.
      body: JSON.stringify({ email: credentials.email, password: credentials.password }),
    }),
  );
  const text = await response.text();
  if (response.status !== 200) {
    const fault = response.headers.get('x-mock-fault');
    const why = response.headers.get('x-mock-reason') ?? (fault ? `fault ${fault}` : undefined);
    throw new RemoteError(`sign-in as ${credentials.email} answered ${response.status}${why ? `: ${why}` : ''}`, { status: response.status });
  }
  const outer = (JSON.parse(text) as { data?: Record<string, unknown> }).data;
  const data = ((outer?.data as Record<string, unknown> | undefined) ?? outer) as Record<string, unknown> | undefined;
  const [idToken, accessToken, refreshToken] = [data?.id_token, data?.access_token, data?.refresh_token];
  if (typeof idToken !== 'string' || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new RemoteError(`sign-in as ${credentials.email} answered 200 without id_token, access_token and refresh_token in data`, { status: 200 });
  }
  const claims = payloadOf(accessToken);
  return {
    idToken,
    accessToken,
    refreshToken,
    sid: String(claims.origin_jti),
    sub: String(claims.sub),
    email: credentials.email,
    password: credentials.password,
    data: data as Record<string, unknown>,
  };
}

/** A JWT's payload, decoded without checking it (the mock that minted it is the one that checks). */
function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
