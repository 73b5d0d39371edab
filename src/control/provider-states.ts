/**
 * The provider states the consumer pacts name, and how `POST /__mock/provider-states` sets each up. Pact v3 and v4
 * give a state `params` (pact-specification v3, "Allow multiple provider states with parameters"); each built-in
 * state takes these, every one optional, and answers the same values with or without them:
 *
 * - `a customer with an active session`, `a customer whose session has been logged out`, `a customer whose token
 *   has expired`: `email` (a customer of this mock: the sign-in is theirs, with their `sub` and names) or `sub`
 *   (the tokens' `sub`).
 * - `a signed-in user who is not a customer`: `sub`; `role` (any but `customer`; default `admin`).
 * - `a customer with credentials`: `email` and `password`: that user then signs in with that password (a new user,
 *   or an existing one whose password is set, enabled, its other fields kept); one left out is made up.
 *
 * The states of the user-management and password flows (the `/customers/…` operations, forgot and reset password,
 * accept invitation) give these values:
 *
 * - `a customer owner signed in` (param `email`: an active customer user of this mock; default: the first active
 *   owner, the demo customer's on a mock without `--users`, else one these states made, else a new owner of a new
 *   customer): a new sign-in of that user, as Customer Sign In makes one: `idToken` (the web app's bearer), `token`
 *   (access) and `refreshToken`; `customerId` and `userId` (its customer's id and its own); `email` (its email: one a
 *   new user may not have); `subroleId`, `subroleCode`, `subroleLabel` (a subrole its customer gives its users, `cro`
 *   when it has one, as Get Customer Subroles lists it); `newEmail` (an email no user has, for a new user).
 * - `another customer exists` (no params): `otherCustomerId`, a customer other than any the other states sign in
 *   (made once, with an owner of its own).
 * - `a customer user invited` (param `email`: the invited user's, an email no user has; default a new one): a user of
 *   the default owner's customer, invited (no password yet) as Create Customer User invites one, its invitation in the
 *   outbox: `inviteToken` (the invitation link's token), `email`, `userId`, `customerId`, and `password` (a new
 *   password that meets the policy, for accepting).
 * - `a password reset requested` (param `email`: an active user who has signed up; default a new user of the
 *   default owner's customer): a password-reset link in the outbox, as Forgot Password sends one: `resetToken` (the
 *   link's token), `email`, and `password` (a new password that meets the policy).
 *
 * The users these states and the credentials state make have emails `…@pact.worth-auth-mock.example`; a mock keeps
 * the newest 20 of them. The new passwords these states answer are made for the setup: never one a user had.
 *
 * A param a state does not take, or of the wrong type, fails the state with a 400 naming it (the Verifier reports
 * the state as failed): a state is never set up as if a param had not been given.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InputError, shown } from '../errors.ts';
import type { CustomerRecord, SubroleRecord, UserRecord } from '../state/records.ts';
import type { Store } from '../state/store.ts';
import { CUSTOMER_ROLE } from '../tokens/issuer.ts';
import type { SignIns } from '../tokens/sign-ins.ts';
import { isEmail } from '../users/formats.ts';
import { derivedUuid } from '../users/ids.ts';
import type { Mailer } from '../users/mailer.ts';
import type { Services } from './services.ts';

/** What setting the states up needs from the mock's services. */
export type StateServices = Pick<Services, 'issueToken' | 'revokeSignIn' | 'users'>;

/**
 * What the states of the user-management and password flows need besides: the parts the operations are built from
 * (the store, the mailer that fills the outbox, real sign-ins, the mock's clock), so a state makes what an operation
 * would have made.
 */
export type StateParts = { readonly store: Store; readonly mailer: Mailer; readonly signIns: SignIns; readonly clock: () => number };

/** The values one provider state gives the pact's `fromProviderState` expressions (`${token}`, `${email}`, …). */
export type StateValues = Record<string, string>;

/** The params a state was given, each checked: a non-empty string (an email address for `email`). */
type Params = { readonly email?: string; readonly password?: string; readonly sub?: string; readonly role?: string };
type ParamName = keyof Params;

/** One built-in state: the params it takes and how it is set up. */
type StateSetup = {
  readonly takes: readonly ParamName[];
  readonly setUp: (services: StateServices, params: Params, parts: StateParts) => Promise<StateValues>;
};

/** Users the "a customer with credentials" state adds have emails of this shape; the oldest beyond PACT_USERS_KEPT are removed. */
const PACT_USER_DOMAIN = '@pact.worth-auth-mock.example';
/** How many users made by that state a mock keeps: enough for several verifications at once, bounded for a long-lived mock. */
const PACT_USERS_KEPT = 20;
/** The customer the `another customer exists` state makes (once), and its owner's email. */
const ANOTHER_CUSTOMER = { id: derivedUuid('pact:another-customer'), name: 'Another customer', owner: `another-customer-owner${PACT_USER_DOMAIN}` };
/** Longest param value taken (a token's `sub` and a password are bounded the same way elsewhere). */
const PARAM_MAX = 1024;

/**
 * The provider states the consumer pacts name, and how each is set up: the values its interactions use. The
 * names and the values are the contract with every provider that verifies the pacts: a real Auth Service's state
 * endpoint answers the same ones (docs/pact.md, provider states).
 */
const PROVIDER_STATES: Readonly<Record<string, StateSetup>> = {
  // One sign-in: its access token for logout, its refresh token for refresh.
  'a customer with an active session': {
    takes: ['email', 'sub'],
    setUp: async (services, params) => signInValues(await services.issueToken(await customerSignIn(services, params))),
  },
  // A sign-in that has logged out: its access token and its refresh token both answer 401.
  'a customer whose session has been logged out': {
    takes: ['email', 'sub'],
    setUp: async (services, params) => {
      const issued = await services.issueToken(await customerSignIn(services, params));
      await services.revokeSignIn(issued.claims);
      return signInValues(issued);
    },
  },
  'a customer whose token has expired': {
    takes: ['email', 'sub'],
    setUp: async (services, params) => ({ token: (await services.issueToken({ ...(await customerSignIn(services, params)), kind: 'expired' })).token }),
  },
  'a signed-in user who is not a customer': {
    takes: ['sub', 'role'],
    setUp: async (services, { sub, role }) => ({
      token: (await services.issueToken({ kind: 'non-customer', ...(sub ? { sub } : {}), ...(role ? { role } : {}) })).token,
    }),
  },
  // A user who can sign in. Without params, with a password made for this setup: the pact never holds a real one.
  'a customer with credentials': {
    takes: ['email', 'password'],
    setUp: async (services, params) => {
      const credentials = {
        email: params.email ?? pactEmail(),
        password: params.password ?? randomBytes(18).toString('base64url'),
      };
      await ensureCredentials(services, credentials);
      await forgetOldPactUsers(services);
      return credentials;
    },
  },
  // The user-management screens' caller: a customer's owner, signed in as Customer Sign In signs one in.
  'a customer owner signed in': {
    takes: ['email'],
    setUp: async (services, { email }, parts) => {
      const { owner, customer } = await ownerOf(services, parts, email);
      return {
        ...signInValues(await parts.signIns.start(owner)),
        customerId: customer.id,
        userId: owner.id,
        email: owner.email,
        ...subroleValues(givenSubrole(customer)),
        newEmail: pactEmail(),
      };
    },
  },
  'another customer exists': {
    takes: [],
    setUp: async (services) => {
      // Made once (an operator's later change stays); an owner names it, as every customer has one.
      const { owner, id, name } = ANOTHER_CUSTOMER;
      const existing = (await services.users.list()).find((user) => user.email === owner);
      if (existing === undefined) await services.users.add({ email: owner, password: newPassword(), customer_id: id, customer_name: name, subrole: 'owner' });
      return { otherCustomerId: existing?.customer_id ?? id };
    },
  },
  // A new user of the owner's customer, invited as Create Customer User invites one: the invitation is in the outbox.
  'a customer user invited': {
    takes: ['email'],
    setUp: async (services, params, parts) => {
      const { owner, customer } = await ownerOf(services, parts, undefined);
      const email = params.email ?? pactEmail();
      const now = parts.clock();
      const invited: UserRecord = {
        ...{ id: randomUUID(), sub: randomUUID(), email, role: CUSTOMER_ROLE, givenName: 'Invited', familyName: 'User', customerId: customer.id },
        ...{ subrole: givenSubrole(customer).code, status: 'ACTIVE', isEmailVerified: false, isFirstLogin: true },
        ...{ createdAt: now, createdBy: owner.id, updatedAt: now, updatedBy: owner.id, version: 0, source: 'runtime' },
      };
      const { user, message } = await parts.mailer.invitation(invited);
      if ((await parts.store.putUser(user)) !== 'ok')
        throw new InputError('params.email', `${email} is a user of this mock already: an invitation goes to a new user`);
      await parts.store.appendMessage(message);
      await forgetOldPactUsers(services);
      return { inviteToken: message.token, email, userId: user.id, customerId: customer.id, password: newPassword() };
    },
  },
  // A password-reset link in the outbox, as Forgot Password sends one to an active user who has signed up.
  'a password reset requested': {
    takes: ['email'],
    setUp: async (services, params, parts) => {
      const email = params.email ?? pactEmail();
      if (params.email === undefined) {
        const { customer } = await ownerOf(services, parts, undefined);
        await services.users.add({ email, password: newPassword(), customer_id: customer.id, subrole: givenSubrole(customer).code });
      }
      const user = await parts.store.getUser({ email });
      if (user === undefined || user.status !== 'ACTIVE' || user.isFirstLogin)
        throw new InputError('params.email', `${email} is no active user of this mock who has signed up: Forgot Password sends such a user no link`);
      const { user: mailed, message } = await parts.mailer.passwordReset(user);
      if ((await parts.store.putUser(mailed, user.version)) !== 'ok') throw new InputError('params.email', `${email} changed meanwhile: try again`);
      await parts.store.appendMessage(message);
      await forgetOldPactUsers(services);
      return { resetToken: message.token, email, password: newPassword() };
    },
  },
};

/** The names of the provider states this mock sets up, in the order docs/pact.md lists them. */
export const PROVIDER_STATE_NAMES: readonly string[] = Object.freeze(Object.keys(PROVIDER_STATES));

/**
 * Answers Pact's state-change call `{ state, params, action }`: sets the state up with its params (module
 * docstring) and returns the values the pact's `fromProviderState` expressions use (e.g. `{ token, idToken,
 * refreshToken }`, `{ email, password }`); no state (`""`) and `teardown` return `{}`. Throws InputError naming the
 * field for a call it cannot answer — an unknown state (`state`), params that are not an object (`params`), params
 * the state does not take (`params`, the message names each), a param of the wrong type (`params.<name>`) — a 400,
 * which Pact does not retry.
 */
export async function handleProviderState(body: unknown, services: StateServices, parts: StateParts): Promise<StateValues> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new InputError('body', 'a provider state change is a JSON object { state, params, action }');
  const { state, params, action = 'setup' } = body as { state?: unknown; params?: unknown; action?: unknown };
  if (typeof state !== 'string') throw new InputError('state', 'state must be the provider state name');
  if (action !== 'setup' && action !== 'teardown') throw new InputError('action', `action must be "setup" or "teardown", got ${shown(action)}`);
  // Pact calls with an empty name for an interaction that names no state (e.g. "no token"): nothing to set up.
  // Tokens simply expire and pact users are bounded (forgetOldPactUsers), so no state has anything to tear down.
  if (state === '' || action === 'teardown') return {};
  const setup = Object.hasOwn(PROVIDER_STATES, state) ? PROVIDER_STATES[state] : undefined;
  if (!setup) {
    throw new InputError(
      'state',
      `unknown provider state ${shown(state)}; this mock sets up: ${PROVIDER_STATE_NAMES.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  return setup.setUp(services, paramsOf(state, setup.takes, params), parts);
}

/** The state's params, checked: every one a param it takes, each a non-empty string (an email address for `email`). */
function paramsOf(state: string, takes: readonly ParamName[], params: unknown): Params {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params))
    throw new InputError('params', `params must be a JSON object of the state's params, got ${shown(params)}`);
  const given = params as Record<string, unknown>;
  const unused = Object.keys(given).filter((name) => !(takes as readonly string[]).includes(name));
  if (unused.length > 0) {
    const names = unused.map((name) => JSON.stringify(name.slice(0, 64))).join(', ');
    throw new InputError(
      'params',
      `provider state ${JSON.stringify(state)} does not use the param${unused.length === 1 ? '' : 's'} ${names}; it takes ${takes.map((t) => `"${t}"`).join(', ')}`,
    );
  }
  const out: Record<string, string> = {};
  for (const name of takes) {
    const value = given[name];
    if (value === undefined) continue;
    // A password is never quoted back, not even a wrong one.
    const got = name === 'password' ? `a ${Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value}` : shown(value);
    if (typeof value !== 'string' || value === '' || value.length > PARAM_MAX)
      throw new InputError(`params.${name}`, `param "${name}" of ${JSON.stringify(state)} must be a non-empty string, got ${got}`);
    if (name === 'email' && !isEmail(value.trim().toLowerCase()))
      throw new InputError('params.email', `param "email" of ${JSON.stringify(state)} must be an email address, got ${got}`);
    if (name === 'role' && value === CUSTOMER_ROLE)
      throw new InputError('params.role', `param "role" of ${JSON.stringify(state)} must be a role other than "${CUSTOMER_ROLE}"`);
    out[name] = name === 'email' ? value.trim().toLowerCase() : value;
  }
  if (out.email !== undefined && out.sub !== undefined)
    throw new InputError('params', `params "email" and "sub" of ${JSON.stringify(state)} both name the customer: give one`);
  return out;
}

/** A sign-in's token options: the customer whose `email` is given (their `sub`, names and email), or a `sub`, or any customer. */
async function customerSignIn(services: StateServices, { email, sub }: Params): Promise<Record<string, unknown>> {
  if (email === undefined) return sub === undefined ? {} : { sub };
  const user = (await services.users.list()).find((u) => u.email === email);
  if (!user)
    throw new InputError(
      'params.email',
      `no user ${email} on this mock: add one (--users, POST /__mock/users), or set it up with "a customer with credentials"`,
    );
  if (user.role !== CUSTOMER_ROLE) throw new InputError('params.email', `user ${email} is not a customer (role ${shown(user.role)})`);
  return { sub: user.sub, claims: { email: user.email, given_name: user.given_name, family_name: user.family_name } };
}

/** Makes `email` sign in with `password`: a new user, or an existing one with this password, enabled, its other fields as they were. */
async function ensureCredentials(services: StateServices, credentials: { email: string; password: string }): Promise<void> {
  const existing = (await services.users.list()).find((u) => u.email === credentials.email);
  if (!existing) {
    await services.users.add(credentials);
    return;
  }
  // The user as it is, with this password and active: its id, names, customer and subrole stay (a seed stays a seed).
  await services.users.add({
    email: existing.email,
    password: credentials.password,
    role: existing.role,
    id: existing.id,
    sub: existing.sub,
    given_name: existing.given_name,
    family_name: existing.family_name,
    customer_id: existing.customer_id,
    customer_name: existing.customer_name,
    subrole: existing.subrole,
    status: 'ACTIVE',
  });
}

/**
 * The customer owner a state signs in (with its customer): the active customer user `email` names, else the first
 * active owner who has signed up (one of the mock's own before one a state made; never the other customer's), else a
 * new owner of a new customer.
 */
async function ownerOf(services: StateServices, parts: StateParts, email: string | undefined): Promise<{ owner: UserRecord; customer: CustomerRecord }> {
  let owner: UserRecord | undefined;
  if (email !== undefined) {
    owner = await parts.store.getUser({ email });
    if (owner === undefined || owner.status !== 'ACTIVE' || owner.isFirstLogin || owner.role !== CUSTOMER_ROLE)
      throw new InputError('params.email', `${email} is no active customer user of this mock who has signed up`);
  } else {
    const owners = (await parts.store.listUsers()).filter((u) => u.subrole === 'owner' && u.role === CUSTOMER_ROLE && u.status === 'ACTIVE' && !u.isFirstLogin);
    // A mock's own owner first; else one a state made before (not the other customer's), so customers do not pile up.
    owner = owners.find((u) => !u.email.endsWith(PACT_USER_DOMAIN)) ?? owners.find((u) => u.email !== ANOTHER_CUSTOMER.owner);
    if (owner === undefined) {
      const made = await services.users.add({ email: pactEmail(), password: newPassword(), customer_id: randomUUID(), customer_name: 'Pact customer' });
      owner = await parts.store.getUser({ id: made.id });
    }
  }
  const customer = owner === undefined ? undefined : await parts.store.getCustomer(owner.customerId);
  if (owner === undefined || customer === undefined) throw new InputError('params.email', 'the owner was removed meanwhile: try again');
  return { owner, customer };
}

/** The subrole a state gives a new user: `cro` when the customer gives it, else the first it gives; throws when it gives none. */
function givenSubrole(customer: CustomerRecord): SubroleRecord {
  const given = customer.subroles.filter((subrole) => subrole.assignable);
  const subrole = given.find((s) => s.code === 'cro') ?? given[0];
  if (subrole === undefined) throw new InputError('params.email', `customer ${customer.id} gives its users no subrole`);
  return subrole;
}

/** A subrole as a user-management screen sends it back (Get Customer Subroles' `id`, `code`, `label`). */
function subroleValues(subrole: SubroleRecord): StateValues {
  return { subroleId: subrole.id, subroleCode: subrole.code, subroleLabel: subrole.label };
}

/** A new email no user has, of the shape the states' users have (the oldest beyond PACT_USERS_KEPT are removed). */
function pactEmail(): string {
  return `pact-${randomUUID()}${PACT_USER_DOMAIN}`;
}

/** A new password that meets the password policy (8+ characters, lower- and upper-case letters, a symbol). */
function newPassword(): string {
  return `Pact-${randomBytes(12).toString('base64url')}!a`;
}

/** A sign-in's values: `token` (its access token, the logout bearer), `idToken` and `refreshToken`. */
function signInValues(issued: { token: string; idToken: string; refreshToken: string }): StateValues {
  return { token: issued.token, idToken: issued.idToken, refreshToken: issued.refreshToken };
}

/** Removes the oldest users the credentials state made, beyond PACT_USERS_KEPT: every verification adds some. */
async function forgetOldPactUsers(services: StateServices): Promise<void> {
  const made = (await services.users.list()).filter((user) => user.source === 'runtime' && user.email.endsWith(PACT_USER_DOMAIN));
  for (const user of made.slice(0, Math.max(0, made.length - PACT_USERS_KEPT))) {
    // Another verification on the same mock may have removed it first.
    await services.users.remove(user.email).catch(() => {});
  }
}
