import { randomBytes, randomUUID } from 'node:crypto';
import { InputError, shown } from '../errors.ts';
import type { Services } from './services.ts';

/** What setting the states up needs from the mock's services. */
export type StateServices = Pick<Services, 'issueToken' | 'revokeSignIn' | 'users'>;

/** The values one provider state gives the pact's `fromProviderState` expressions (`${token}`, `${email}`, …). */
export type StateValues = Record<string, string>;

/** Users the "a customer with credentials" state adds have emails of this shape; the oldest beyond PACT_USERS_KEPT are removed. */
const PACT_USER_DOMAIN = '@pact.worth-auth-mock.example';
/** How many users made by that state a mock keeps: enough for several verifications at once, bounded for a long-lived mock. */
const PACT_USERS_KEPT = 20;

/**
 * The provider states the consumer pacts name, and how each is set up: the values its interactions use. The
 * names and the values are the contract with every provider that verifies the pacts: a real Auth Service's state
 * endpoint answers the same ones (README, "For CI: Pact").
 */
const PROVIDER_STATES: Readonly<Record<string, (services: StateServices) => Promise<StateValues>>> = {
  // One sign-in: its access token for logout, its refresh token for refresh.
  'a customer with an active session': async (services) => signInValues(await services.issueToken({})),
  // A sign-in that has logged out: its access token and its refresh token both answer 401.
  'a customer whose session has been logged out': async (services) => {
    const issued = await services.issueToken({});
    await services.revokeSignIn(issued.claims);
    return signInValues(issued);
  },
  'a customer whose token has expired': async (services) => ({ token: (await services.issueToken({ kind: 'expired' })).token }),
  'a signed-in user who is not a customer': async (services) => ({ token: (await services.issueToken({ kind: 'non-customer' })).token }),
  // A user who can sign in, with a password made for this setup: the pact never holds a real one.
  'a customer with credentials': async (services) => {
    const credentials = { email: `pact-${randomUUID()}${PACT_USER_DOMAIN}`, password: randomBytes(18).toString('base64url') };
    await services.users.add(credentials);
    await forgetOldPactUsers(services);
    return credentials;
  },
};

/** The names of the provider states this mock sets up, in the order the README's table lists them. */
export const PROVIDER_STATE_NAMES: readonly string[] = Object.freeze(Object.keys(PROVIDER_STATES));

/**
 * Answers Pact's state-change call `{ state, params, action }`: sets the state up and returns the values the
 * pact's `fromProviderState` expressions use (e.g. `{ token, idToken, refreshToken }`, `{ email, password }`);
 * no state (`""`) and `teardown` return `{}`. Throws InputError naming the field for a call it cannot answer,
 * an unknown state included (a 400, which Pact does not retry).
 */
export async function handleProviderState(body: unknown, services: StateServices): Promise<StateValues> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new InputError('body', 'a provider state change is a JSON object { state, params, action }');
  const { state, action = 'setup' } = body as { state?: unknown; action?: unknown };
  if (typeof state !== 'string') throw new InputError('state', 'state must be the provider state name');
  if (action !== 'setup' && action !== 'teardown') throw new InputError('action', `action must be "setup" or "teardown", got ${shown(action)}`);
  // Pact calls with an empty name for an interaction that names no state (e.g. "no token"): nothing to set up.
  // Tokens simply expire and pact users are bounded (forgetOldPactUsers), so no state has anything to tear down.
  if (state === '' || action === 'teardown') return {};
  const setUp = Object.hasOwn(PROVIDER_STATES, state) ? PROVIDER_STATES[state] : undefined;
  if (!setUp) {
    throw new InputError(
      'state',
      `unknown provider state ${shown(state)}; this mock sets up: ${PROVIDER_STATE_NAMES.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  return setUp(services);
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
