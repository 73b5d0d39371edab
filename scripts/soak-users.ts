/**
 * The soak's users and passwords (issue 26): traffic that creates users, invitations and reset links as well as
 * sign-ins, and removes what it creates as an operator would — each invitee accepts, works, is deactivated by the
 * owner and removed; each user who resets a password was added for it and is removed after. Also the store's size
 * (users, outbox, tokens) as the control API shows it, sampled by soak.ts at start, middle and end.
 */
import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { DEMO_USER } from '../src/users/user.ts';

/** What one request got (soak.ts's `send`). */
type Reply = { status: number; body: string; ms: number; error?: string };
type Send = (method: string, path: string, headers?: OutgoingHttpHeaders, body?: string) => Promise<Reply>;

/** What the scenarios are given: how to send, the Auth Service's base path, and where problems and statuses are counted. */
export type UserSoakDeps = {
  readonly send: Send;
  /** The Auth Service's base path on the mock (`/auth/api/v1`). */
  readonly base: string;
  /** A request whose answer was not the one expected. */
  readonly unexpected: (what: string) => void;
  /** A request that got no answer. */
  readonly failed: (what: string) => void;
};

/** The store's size as the control API shows it. */
export type StoreSize = {
  readonly atSeconds: number;
  /** Users listed (not removed). */
  readonly users: number;
  readonly outbox: number;
  /** Token records (the store keeps the newest 10,000) and the sign-ins they belong to. */
  readonly tokens: number;
  readonly signIns: number;
};

/** A password the policy takes (accept and reset hold passwords to it). */
const PASSWORD = 'Soak-Password-1';
const CUSTOMER = DEMO_USER.customer_id as string;
const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The scenarios, their weights, and what they did, for soak.ts to mix in and report. */
export function userSoak(deps: UserSoakDeps) {
  const { send, base } = deps;
  const done = { usersCreated: 0, usersRemoved: 0, accepted: 0, resets: 0, deactivated: 0, logouts: 0, byOperation: new Map<string, Map<number, number>>() };

  /** One request expected to answer `want`; resolves its body, or undefined when it did not answer so. */
  async function expect(
    what: string,
    want: number,
    method: string,
    path: string,
    headers: OutgoingHttpHeaders = {},
    body?: unknown,
  ): Promise<string | undefined> {
    const reply = await send(method, path, body === undefined ? headers : { ...headers, ...json }, body === undefined ? undefined : JSON.stringify(body));
    if (reply.error) {
      deps.failed(`${what}: ${reply.error}`);
      return undefined;
    }
    const counts = done.byOperation.get(what) ?? new Map<number, number>();
    counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
    done.byOperation.set(what, counts);
    if (reply.status !== want) {
      deps.unexpected(`${what}: expected ${want}, got ${reply.status} ${reply.body.slice(0, 160)}`);
      return undefined;
    }
    return reply.body;
  }

  /** A sign-in through the operation: its access and refresh tokens. */
  async function signIn(email: string, password: string): Promise<{ token: string; refreshToken: string } | undefined> {
    const body = await expect('sign-in', 200, 'POST', `${base}/customer/sign-in`, {}, { email, password });
    if (body === undefined) return undefined;
    const { data } = JSON.parse(body) as { data: { access_token: string; refresh_token: string } };
    return { token: data.access_token, refreshToken: data.refresh_token };
  }

  async function logout(token: string): Promise<void> {
    if ((await expect('logout', 200, 'POST', `${base}/customer/logout`, bearer(token))) !== undefined) done.logouts++;
  }

  /** The newest mailed token of `kind` for `email`, from the outbox. */
  async function mailed(email: string, kind: 'invitation' | 'password-reset'): Promise<string | undefined> {
    const body = await expect('outbox', 200, 'GET', `/__mock/outbox?recipient=${encodeURIComponent(email)}&kind=${kind}`);
    const messages = body === undefined ? [] : (JSON.parse(body) as { messages: { token: string }[] }).messages;
    const token = messages.at(-1)?.token;
    if (token === undefined) deps.unexpected(`outbox: no ${kind} for ${email}`);
    return token;
  }

  let cro: { id: string; code: string; label: string } | undefined;
  /** The demo customer's `cro` subrole as Create takes it, read once from its subroles. */
  async function croSubrole(owner: string): Promise<{ id: string; code: string; label: string } | undefined> {
    if (cro === undefined) {
      const body = await expect('get-customer-subroles', 200, 'GET', `${base}/customers/${CUSTOMER}/subroles`, bearer(owner));
      const found =
        body === undefined ? undefined : (JSON.parse(body) as { data: { id: string; code: string; label: string }[] }).data.find((s) => s.code === 'cro');
      cro = found && { id: found.id, code: found.code, label: found.label };
    }
    return cro;
  }

  /** The owner invites a new user (Create Customer User): its id and email. */
  async function invite(owner: string): Promise<{ id: string; email: string } | undefined> {
    const email = `soak-${randomUUID()}@soak.example.com`;
    const subrole = await croSubrole(owner);
    if (subrole === undefined) return undefined;
    const body = await expect('create-customer-user', 200, 'POST', `${base}/customers/${CUSTOMER}/users`, bearer(owner), {
      first_name: 'Soak',
      last_name: 'Invitee',
      email,
      subrole,
    });
    if (body === undefined) return undefined;
    done.usersCreated++;
    return { id: (JSON.parse(body) as { data: { user_id: string } }).data.user_id, email };
  }

  /** The invitee accepts, signs in and works; the owner deactivates it (its tab then gets 401); the operator removes it. */
  async function acceptWorkLeave(owner: string, user: { id: string; email: string }): Promise<void> {
    const invitation = await mailed(user.email, 'invitation');
    if (invitation === undefined) return;
    if ((await expect('accept-invitation', 200, 'POST', `${base}/invite/${invitation}/accept`, {}, { password: PASSWORD })) === undefined) return;
    done.accepted++;
    const own = await signIn(user.email, PASSWORD);
    if (own) await expect('get-customer-user', 200, 'GET', `${base}/customers/${CUSTOMER}/users/${user.id}`, bearer(own.token));
    if (
      (await expect('update-customer-user', 200, 'PATCH', `${base}/customers/${CUSTOMER}/users/${user.id}`, bearer(owner), { status: 'INACTIVE' })) !==
      undefined
    )
      done.deactivated++;
    if (own) await expect('get-customer-user (deactivated)', 401, 'GET', `${base}/customers/${CUSTOMER}/users/${user.id}`, bearer(own.token));
    if ((await expect('remove user (control)', 200, 'DELETE', `/__mock/users/${encodeURIComponent(user.email)}`)) !== undefined) done.usersRemoved++;
  }

  let reader: { token: string; at: number } | undefined;
  /** An owner token for the reads, renewed every 30 s (a --token-ttl as short as a minute still works). */
  async function readerToken(): Promise<string | undefined> {
    if (reader === undefined || performance.now() - reader.at > 30_000) {
      const owner = await signIn(DEMO_USER.email, DEMO_USER.password as string);
      if (owner) reader = { token: owner.token, at: performance.now() };
    }
    return reader?.token;
  }

  const scenarios: [weight: number, name: string, run: () => Promise<void>][] = [
    [
      2,
      'the owner invites a user, who accepts, works and is deactivated and removed',
      async () => {
        const owner = await signIn(DEMO_USER.email, DEMO_USER.password as string);
        if (!owner) return;
        const user = await invite(owner.token);
        if (user) await acceptWorkLeave(owner.token, user);
        await logout(owner.token);
      },
    ],
    [
      1,
      'the owner resends an invitation; the newest one is accepted',
      async () => {
        const owner = await signIn(DEMO_USER.email, DEMO_USER.password as string);
        if (!owner) return;
        const user = await invite(owner.token);
        if (
          user &&
          (await expect('resend-invitation', 200, 'POST', `${base}/customers/${CUSTOMER}/users/${user.id}/resend-invite`, bearer(owner.token))) !== undefined
        )
          await acceptWorkLeave(owner.token, user);
        await logout(owner.token);
      },
    ],
    [
      2,
      'a user forgets its password and resets it; the operator removes the user',
      async () => {
        const email = `soak-reset-${randomUUID()}@soak.example.com`;
        const added = await expect(
          'add user (control)',
          201,
          'POST',
          '/__mock/users',
          {},
          { email, password: 'Old-Password-1', customer_id: CUSTOMER, subrole: 'cro' },
        );
        if (added === undefined) return;
        done.usersCreated++;
        if ((await expect('forgot-password', 200, 'POST', `${base}/forgot-password`, {}, { email })) !== undefined) {
          const link = await mailed(email, 'password-reset');
          if (link && (await expect('reset-password', 200, 'POST', `${base}/reset-password`, {}, { password: PASSWORD, reset_token: link })) !== undefined) {
            done.resets++;
            const again = await signIn(email, PASSWORD);
            if (again) await logout(again.token);
          }
        }
        // An unknown email answers the same 200, and nothing is mailed.
        await expect('forgot-password (unknown email)', 200, 'POST', `${base}/forgot-password`, {}, { email: `nobody-${randomUUID()}@soak.example.com` });
        if ((await expect('remove user (control)', 200, 'DELETE', `/__mock/users/${encodeURIComponent(email)}`)) !== undefined) done.usersRemoved++;
      },
    ],
    [
      2,
      "the owner reads the customer's users, one user and the subroles",
      async () => {
        const token = await readerToken();
        if (token === undefined) return;
        const customer = `${base}/customers/${CUSTOMER}`;
        await expect('get-customer-users', 200, 'GET', `${customer}/users?items_per_page=20`, bearer(token));
        await expect('get-customer-user', 200, 'GET', `${customer}/users/${DEMO_USER.id}`, bearer(token));
        await expect('get-customer-subroles', 200, 'GET', `${customer}/subroles`, bearer(token));
      },
    ],
  ];

  /** The store's size now, from the control API. */
  async function size(atSeconds: number): Promise<StoreSize | undefined> {
    const [users, outbox, sessions] = await Promise.all([
      send('GET', '/__mock/users'),
      send('GET', '/__mock/outbox'),
      send('GET', '/__mock/sessions?limit=10000'),
    ]);
    if ([users, outbox, sessions].some((reply) => reply.status !== 200)) return undefined;
    const parsed = JSON.parse(sessions.body) as { sessions: unknown[]; signIns: unknown[] };
    return {
      atSeconds: Math.round(atSeconds),
      users: (JSON.parse(users.body) as { users: unknown[] }).users.length,
      outbox: (JSON.parse(outbox.body) as { messages: unknown[] }).messages.length,
      tokens: parsed.sessions.length,
      signIns: parsed.signIns.length,
    };
  }

  return { scenarios, size, done };
}
