/** What the customer web app makes of a logout answer. */
export type LogoutResult =
  | { readonly loggedOut: true; readonly message: string }
  | { readonly loggedOut: false; readonly status: number; readonly errorCode: string; readonly message: string };

/**
 * The customer web app's logout call, as the app makes it: POST {baseUrl}/customer/logout with the
 * customer's bearer token, then read the JSON answer. The consumer pact is written from this function.
 */
export async function logOut(baseUrl: string, token: string | undefined): Promise<LogoutResult> {
  const response = await fetch(`${baseUrl}/customer/logout`, {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/.test(type)) throw new Error(`logout answered ${response.status} with ${type || 'no content type'}, not JSON`);
  const body = (await response.json()) as { status?: string; message?: string; errorCode?: string };
  if (response.status === 200) return { loggedOut: true, message: String(body.message) };
  return { loggedOut: false, status: response.status, errorCode: String(body.errorCode), message: String(body.message) };
}
