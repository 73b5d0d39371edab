import { InputError, shown } from './errors.ts';
import type { Services } from './services.ts';

/**
 * The provider states the consumer pacts name, and what each needs set up. The names are the contract
 * with every provider that verifies the pacts: a real Auth Service's state endpoint answers the same ones.
 */
export const PROVIDER_STATES = {
  'a customer with an active session': 'a fresh valid customer access token',
  'a customer whose session has been logged out': "a customer access token whose sign-in has logged out",
  'a customer whose token has expired': 'a customer access token past its exp',
  'a signed-in user who is not a customer': 'a valid access token of an admin',
} as const;

/** A provider state this mock sets up. */
export type ProviderStateName = keyof typeof PROVIDER_STATES;

/** What setting the states up needs from the mock's services. */
export type StateServices = Pick<Services, 'issueToken' | 'revokeSignIn'>;

/**
 * Answers Pact's state-change call `{ state, params, action }`: sets the state up and returns the values the
 * pact's `fromProviderState` expressions use (`{ token }`); no state (`""`) and `teardown` return `{}`.
 */
export async function handleProviderState(body: unknown, services: StateServices): Promise<Record<string, unknown>> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError('body', 'a provider state change is a JSON object { state, params, action }');
  const { state, action = 'setup' } = body as { state?: unknown; action?: unknown };
  if (typeof state !== 'string') throw new InputError('state', 'state must be the provider state name');
  if (action !== 'setup' && action !== 'teardown') throw new InputError('action', `action must be "setup" or "teardown", got ${shown(action)}`);
  // Pact calls with an empty name for an interaction that names no state (e.g. "no token"): nothing to set up.
  // Tokens simply expire, so no state has anything to tear down.
  if (state === '' || action === 'teardown') return {};
  if (!Object.hasOwn(PROVIDER_STATES, state)) {
    throw new InputError('state', `unknown provider state ${shown(state)}; this mock sets up: ${Object.keys(PROVIDER_STATES).map((s) => JSON.stringify(s)).join(', ')}`);
  }
  switch (state as ProviderStateName) {
    case 'a customer with an active session':
      return { token: (await services.issueToken({})).token };
    case 'a customer whose session has been logged out': {
      const issued = await services.issueToken({});
      await services.revokeSignIn(issued.claims);
      return { token: issued.token };
    }
    case 'a customer whose token has expired':
      return { token: (await services.issueToken({ kind: 'expired' })).token };
    case 'a signed-in user who is not a customer':
      return { token: (await services.issueToken({ kind: 'non-customer' })).token };
  }
}
