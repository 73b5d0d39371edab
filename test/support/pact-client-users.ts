import { jsonOf, type Refusal, refusalOf } from './pact-client.ts';

// The customer web app's user-management screens, its invitation page and its password pages, as the app calls the
// Auth Service: the consumer pact's interactions for these operations are written from these functions.

/** A user as the user-management list shows one. */
export type ListedUser = {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly active: boolean;
  readonly invited: boolean;
  readonly subrole: string;
};

/** What the list screen keeps: the page's users and how many there are in all. */
export type UsersResult =
  | { readonly listed: true; readonly users: readonly ListedUser[]; readonly total: number; readonly pages: number }
  | ({ readonly listed: false } & Refusal);

/** What the "invite a user" form keeps: the new user's id, or why not. */
export type CreateResult = { readonly created: true; readonly userId: string } | ({ readonly created: false } & Refusal);

/** What the user page keeps: the user, or why not (a 404: no such user). */
export type UserResult = { readonly found: true; readonly user: ListedUser } | ({ readonly found: false } & Refusal);

/** What the invitation page keeps: the new sign-in's tokens. */
export type AcceptResult =
  | { readonly accepted: true; readonly idToken: string; readonly accessToken: string; readonly refreshToken: string; readonly emailVerified: boolean }
  | ({ readonly accepted: false } & Refusal);

/** What the password pages show: the answer's message, or why not. */
export type MessageResult = { readonly ok: true; readonly message: string } | ({ readonly ok: false } & Refusal);

/** A subrole as the app sends it back (from Get Customer Subroles). */
export type Subrole = { readonly id: string; readonly code: string; readonly label: string };

type Json = Record<string, unknown>;

/** The list screen: GET {baseUrl}/customers/{customerId}/users with the signed-in user's id token. */
export async function listUsers(baseUrl: string, idToken: string, customerId: string): Promise<UsersResult> {
  const response = await fetch(`${baseUrl}/customers/${encodeURIComponent(customerId)}/users`, { headers: bearer(idToken) });
  const body = await jsonOf<{ data?: { records?: Json[]; total_items?: unknown; total_pages?: unknown } }>(response, 'get-customer-users');
  if (response.status !== 200) return { listed: false, ...refusalOf(response, body) };
  const { records = [], total_items, total_pages } = body.data ?? {};
  // total_items is a string on the wire (the page's shape); the app counts with it.
  if (typeof total_items !== 'string' || !/^\d+$/.test(total_items))
    throw new Error(`get-customer-users answered total_items ${JSON.stringify(total_items)}, not a count`);
  return { listed: true, users: records.map(userOf), total: Number(total_items), pages: Number(total_pages) };
}

/** The "invite a user" form: POST {baseUrl}/customers/{customerId}/users; the new user is invited by email. */
export async function createUser(
  baseUrl: string,
  idToken: string,
  customerId: string,
  user: { firstName: string; lastName: string; email: string; subrole: Subrole },
): Promise<CreateResult> {
  const response = await fetch(`${baseUrl}/customers/${encodeURIComponent(customerId)}/users`, {
    method: 'POST',
    headers: { ...bearer(idToken), 'content-type': 'application/json' },
    body: JSON.stringify({ first_name: user.firstName, last_name: user.lastName, email: user.email, subrole: user.subrole }),
  });
  const body = await jsonOf<{ data?: { user_id?: unknown } }>(response, 'create-customer-user');
  // Success is 200 (not 201), as the page says.
  if (response.status !== 200) return { created: false, ...refusalOf(response, body) };
  return { created: true, userId: String(body.data?.user_id) };
}

/** The user page: GET {baseUrl}/customers/{customerId}/users/{userId}. */
export async function getUser(baseUrl: string, idToken: string, customerId: string, userId: string): Promise<UserResult> {
  const response = await fetch(`${baseUrl}/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(userId)}`, { headers: bearer(idToken) });
  const body = await jsonOf<{ data?: Json }>(response, 'get-customer-user');
  if (response.status !== 200) return { found: false, ...refusalOf(response, body) };
  return { found: true, user: userOf(body.data ?? {}) };
}

/** The invitation page: POST {baseUrl}/invite/{inviteToken}/accept `{ password }`; the user is signed in. */
export async function acceptInvitation(baseUrl: string, inviteToken: string, password: string): Promise<AcceptResult> {
  const response = await post(`${baseUrl}/invite/${encodeURIComponent(inviteToken)}/accept`, { password });
  const body = await jsonOf<{ data?: Json }>(response, 'accept-invitation');
  if (response.status !== 200) return { accepted: false, ...refusalOf(response, body) };
  const data = body.data ?? {};
  if ([data.id_token, data.access_token, data.refresh_token].some((t) => typeof t !== 'string'))
    throw new Error('accept-invitation answered 200 without data.id_token, data.access_token and data.refresh_token');
  return {
    accepted: true,
    idToken: data.id_token as string,
    accessToken: data.access_token as string,
    refreshToken: data.refresh_token as string,
    emailVerified: data.is_email_verified === true,
  };
}

/** The "forgot password" page: POST {baseUrl}/forgot-password `{ email }`; the same answer whoever the email is. */
export async function forgotPassword(baseUrl: string, email: string): Promise<MessageResult> {
  return messageOf(await post(`${baseUrl}/forgot-password`, { email }), 'forgot-password');
}

/** The "reset password" page, opened from the mailed link: POST {baseUrl}/reset-password `{ password, reset_token }`. */
export async function resetPassword(baseUrl: string, resetToken: string, password: string): Promise<MessageResult> {
  return messageOf(await post(`${baseUrl}/reset-password`, { password, reset_token: resetToken }), 'reset-password');
}

function bearer(idToken: string): Record<string, string> {
  return { authorization: `Bearer ${idToken}` };
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function messageOf(response: Response, operation: string): Promise<MessageResult> {
  const body = await jsonOf<{ message?: unknown }>(response, operation);
  if (response.status !== 200) return { ok: false, ...refusalOf(response, body) };
  return { ok: true, message: String(body.message) };
}

function userOf(record: Json): ListedUser {
  const subrole = (record.subrole ?? {}) as Json;
  return {
    id: String(record.id),
    name: `${String(record.first_name)} ${String(record.last_name)}`,
    email: String(record.email),
    active: record.status === 'ACTIVE',
    invited: record.is_first_login === true,
    subrole: String(subrole.label ?? subrole.code),
  };
}
