import type { OutboxMessage } from '../../src/state/records.ts';
import { type Answer, DEMO, read, signedIn } from './mock.ts';

/**
 * The invitation and password-reset story as a client walks it, over real HTTP: the demo owner invites a user
 * (Create Customer User), the user accepts with the link the outbox holds, forgets and resets a password; the owner
 * resends an invitation or deactivates a user (Update Customer User). Each call takes the mock's root URL, so it
 * works as well against a spawned bin as against `startMock`.
 */

/** The demo customer (the sign-in example's "Sandbox") and the subroles Create Customer User gives. */
export const DEMO_CUSTOMER_ID = '00000000-0000-4000-8000-000000000003';
export const CRO = { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO' } as const;
export const RISK_ANALYST = { id: '00000000-0000-4000-8000-000000000009', code: 'risk_analyst', label: 'Risk Analyst' } as const;

/** A password every rule of the policy passes. */
export const STRONG = 'Invited-Password-1';

/** The base path every Auth Service operation is served under. */
const BASE = '/auth/api/v1';

/** What one call sends: a JSON value, or a raw body; headers; a bearer token. */
export type CallInit = { json?: unknown; body?: string; headers?: Record<string, string>; token?: string; method?: string };

/** Sends one request to `root` + `path` (the Auth Service's base path added for a path starting with `/customers`, `/invite`, …) and reads the answer. */
export async function call(root: string, path: string, init: CallInit = {}): Promise<Answer> {
  const headers: Record<string, string> = {
    ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}),
    ...init.headers,
  };
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const url = path.startsWith('/__mock') ? `${root}${path}` : `${root}${BASE}${path}`;
  return read(await fetch(url, { method: init.method ?? 'POST', headers, body }));
}

/** Where accepting `token` goes: `POST …/invite/<token>/accept`. */
export function acceptPath(token: string): string {
  return `/invite/${encodeURIComponent(token)}/accept`;
}

/** Accepts the invitation `token` with `{ password }` (or what `init` sends instead). */
export function accept(root: string, token: string, init: CallInit = { json: { password: STRONG } }): Promise<Answer> {
  return call(root, acceptPath(token), init);
}

/** Asks for a password-reset link for `email`. */
export function forgot(root: string, email: string, init: CallInit = {}): Promise<Answer> {
  return call(root, '/forgot-password', { json: { email }, ...init });
}

/** Resets a password with the mailed `reset_token`. */
export function resetPassword(root: string, token: string, password: string, init: CallInit = {}): Promise<Answer> {
  return call(root, '/reset-password', { json: { password, reset_token: token }, ...init });
}

/** Signs in as `email` with `password` at `root`. */
export function signInAt(root: string, email: string, password: string): Promise<Answer> {
  return call(root, '/customer/sign-in', { json: { email, password } });
}

/** Logs out with `token` as the bearer. */
export function logoutAt(root: string, token: string): Promise<Answer> {
  return call(root, '/customer/logout', { token });
}

/** Refreshes with `refreshToken` in the body. */
export function refreshAt(root: string, refreshToken: string): Promise<Answer> {
  return call(root, '/refresh-token/customer', { json: { refresh_token: refreshToken } });
}

/** The demo owner's id token (a fresh sign-in): the bearer of the customer operations. */
export async function ownerToken(root: string): Promise<string> {
  return signedIn(await signInAt(root, DEMO.email, DEMO.password)).idToken;
}

/** The outbox at `root`, filtered as `GET /__mock/outbox?recipient=&kind=` filters it. */
export async function outboxAt(root: string, filter: { recipient?: string; kind?: string } = {}): Promise<OutboxMessage[]> {
  const query = new URLSearchParams(filter as Record<string, string>).toString();
  const answer = await call(root, `/__mock/outbox${query ? `?${query}` : ''}`, { method: 'GET' });
  if (answer.status !== 200) throw new Error(`GET /__mock/outbox answered ${answer.status}: ${answer.text}`);
  return (answer.body as { messages: OutboxMessage[] }).messages;
}

/** The newest message of `kind` to `recipient`; throws when there is none. */
export async function newestMessage(root: string, recipient: string, kind: 'invitation' | 'password-reset'): Promise<OutboxMessage> {
  const messages = await outboxAt(root, { recipient, kind });
  const newest = messages.at(-1);
  if (newest === undefined) throw new Error(`no ${kind} for ${recipient} in the outbox`);
  return newest;
}

/** Who to invite: an email, and optionally names and the subrole (default cro). */
export type Invitee = { email: string; first_name?: string; last_name?: string; subrole?: { id: string; code: string; label: string } };

/** The demo owner invites `invitee` (Create Customer User); resolves the new user's id and the invitation the outbox got. */
export async function invite(root: string, invitee: Invitee, owner?: string): Promise<{ userId: string; invitation: OutboxMessage; answer: Answer }> {
  const bearer = owner ?? (await ownerToken(root));
  const answer = await call(root, `/customers/${DEMO_CUSTOMER_ID}/users`, {
    token: bearer,
    json: { first_name: invitee.first_name ?? 'Ivy', last_name: invitee.last_name ?? 'Invited', email: invitee.email, subrole: invitee.subrole ?? CRO },
  });
  if (answer.status !== 200) throw new Error(`Create Customer User answered ${answer.status}: ${answer.text}`);
  const userId = (answer.body as { data: { user_id: string } }).data.user_id;
  return { userId, invitation: await newestMessage(root, invitee.email.toLowerCase(), 'invitation'), answer };
}

/** The owner resends `userId`'s invitation; resolves the new one. */
export async function resend(root: string, owner: string, userId: string, email: string): Promise<OutboxMessage> {
  const answer = await call(root, `/customers/${DEMO_CUSTOMER_ID}/users/${userId}/resend-invite`, { token: owner });
  if (answer.status !== 200) throw new Error(`Resend answered ${answer.status}: ${answer.text}`);
  return newestMessage(root, email.toLowerCase(), 'invitation');
}

/** The owner sets `userId`'s status (`INACTIVE` deactivates). */
export function setStatus(root: string, owner: string, userId: string, status: 'ACTIVE' | 'INACTIVE'): Promise<Answer> {
  return call(root, `/customers/${DEMO_CUSTOMER_ID}/users/${userId}`, { method: 'PATCH', token: owner, json: { status } });
}

/** An invited user who has accepted: its id, email and password, and the tokens accept answered. */
export type Member = { userId: string; email: string; password: string; tokens: ReturnType<typeof signedIn> };

/** Invites `email` and accepts as them with `password`: a user who signs in. */
export async function member(root: string, email: string, password = STRONG, owner?: string): Promise<Member> {
  const { userId, invitation } = await invite(root, { email }, owner);
  const accepted = await accept(root, invitation.token, { json: { password } });
  return { userId, email, password, tokens: signedIn(accepted) };
}

/** The user's record as Get Customer User By ID shows it to the owner. */
export async function customerUser(root: string, owner: string, userId: string): Promise<Record<string, unknown>> {
  const answer = await call(root, `/customers/${DEMO_CUSTOMER_ID}/users/${userId}`, { method: 'GET', token: owner });
  if (answer.status !== 200) throw new Error(`Get Customer User answered ${answer.status}: ${answer.text}`);
  return (answer.body as { data: Record<string, unknown> }).data;
}
