/** What the customer web app makes of an error answer: the status and the body's `errorCode` and `message`. */
export type Refusal = { readonly status: number; readonly errorCode: string; readonly message: string };

/** What the customer web app makes of a logout answer. */
export type LogoutResult = { readonly loggedOut: true; readonly message: string } | ({ readonly loggedOut: false } & Refusal);

/** What the customer web app keeps of a sign-in: the bearer (id token), the refresh token, who signed in. */
export type SignInResult =
  | {
      readonly signedIn: true;
      readonly idToken: string;
      readonly accessToken: string;
      readonly refreshToken: string;
      readonly user: { readonly id: string; readonly email: string; readonly firstName: string; readonly lastName: string; readonly emailVerified: boolean };
      readonly customer: { readonly id: string; readonly name: string };
      readonly permissions: readonly string[];
    }
  | ({ readonly signedIn: false } & Refusal);

/** What the customer web app keeps of a refresh: the new bearer (id token) and access token. */
export type RefreshResult = { readonly refreshed: true; readonly idToken: string; readonly accessToken: string } | ({ readonly refreshed: false } & Refusal);

/**
 * The customer web app's logout call, as the app makes it: POST {baseUrl}/customer/logout with the
 * customer's bearer token, then read the JSON answer. The consumer pact is written from these functions.
 */
export async function logOut(baseUrl: string, token: string | undefined): Promise<LogoutResult> {
  const response = await fetch(`${baseUrl}/customer/logout`, {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const body = await jsonOf<{ status?: string; message?: string }>(response, 'logout');
  if (response.status === 200) return { loggedOut: true, message: String(body.message) };
  return { loggedOut: false, ...refusalOf(response, body) };
}

/** The login screen's call: POST {baseUrl}/customer/sign-in `{ email, password }`; keeps `data`'s tokens, user and customer. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<SignInResult> {
  const response = await fetch(`${baseUrl}/customer/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  type Body = {
    data?: {
      id_token?: unknown;
      access_token?: unknown;
      refresh_token?: unknown;
      user_details?: { id?: unknown; email?: unknown; first_name?: unknown; last_name?: unknown; is_email_verified?: unknown };
      customer_details?: { id?: unknown; name?: unknown };
      permissions?: unknown;
    };
  };
  const body = await jsonOf<Body>(response, 'sign-in');
  if (response.status !== 200) return { signedIn: false, ...refusalOf(response, body) };
  const data = body.data ?? {};
  const user = data.user_details ?? {};
  const tokens = [data.id_token, data.access_token, data.refresh_token];
  if (tokens.some((t) => typeof t !== 'string')) throw new Error('sign-in answered 200 without data.id_token, data.access_token and data.refresh_token');
  return {
    signedIn: true,
    idToken: data.id_token as string,
    accessToken: data.access_token as string,
    refreshToken: data.refresh_token as string,
    user: {
      id: String(user.id),
      email: String(user.email),
      firstName: String(user.first_name),
      lastName: String(user.last_name),
      emailVerified: user.is_email_verified === true,
    },
    customer: { id: String(data.customer_details?.id), name: String(data.customer_details?.name) },
    permissions: Array.isArray(data.permissions) ? data.permissions.map(String) : [],
  };
}

/** The app's refresh on a 401: POST {baseUrl}/refresh-token/customer `{ refresh_token }` (`{}` when it has none). */
export async function refresh(baseUrl: string, refreshToken: string | undefined): Promise<RefreshResult> {
  const response = await fetch(`${baseUrl}/refresh-token/customer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  });
  const body = await jsonOf<{ data?: { id_token?: unknown; access_token?: unknown } }>(response, 'refresh');
  if (response.status !== 200) return { refreshed: false, ...refusalOf(response, body) };
  const { id_token, access_token } = body.data ?? {};
  if (typeof id_token !== 'string' || typeof access_token !== 'string') throw new Error('refresh answered 200 without data.id_token and data.access_token');
  return { refreshed: true, idToken: id_token, accessToken: access_token };
}

/** The JSON body of an answer; throws when it is not JSON (the app cannot read it). */
export async function jsonOf<T>(response: Response, operation: string): Promise<T> {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/.test(type)) throw new Error(`${operation} answered ${response.status} with ${type || 'no content type'}, not JSON`);
  return (await response.json()) as T;
}

/** What the app keeps of a refusal: the status, `errorCode` and `message`. */
export function refusalOf(response: Response, body: object): Refusal {
  const { message, errorCode } = body as { message?: unknown; errorCode?: unknown };
  return { status: response.status, errorCode: String(errorCode), message: String(message) };
}
