import { InputError, shown } from '../errors.ts';
import type { Services } from './services.ts';

/** What setting the states up needs from the mock's services. */
export type StateServices = Pick<Services, 'issueToken' | 'revokeSignIn'>;

/**
 * The provider states the consumer pacts name, and how each is set up: the token its interaction sends. The
 * names are the contract with every provider that verifies the pacts: a real Auth Service's state endpoint
 * answers the same ones.
 */
const PROVIDER_STATES: Readonly<Record<string, (services: StateServices) => Promise<string>>> = {
  'a customer with an active session': async (services) => (await services.issueToken({})).token,
  'a customer whose session has been logged out': async (services) => {
    const issued = await services.issueToken({});
    await services.revokeSignIn(issued.claims);
    return issued.token;
  },
  'a customer whose token has expired': async (services) => (await services.issueToken({ kind: 'expired' })).token,
  'a signed-in user who is not a customer': async (services) => (await services.issueToken({ kind: 'non-customer' })).token,
};

/**
 * Answers Pact's state-change call `{ state, params, action }`: sets the state up and returns the values the
 * pact's `fromProviderState` expressions use (`{ token }`); no state (`""`) and `teardown` return `{}`.
 */
export async function handleProviderState(body: unknown, services: StateServices): Promise<Record<string, unknown>> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new InputError('body', 'a provider state change is a JSON object { state, params, action }');
  const { state, action = 'setup' } = body as { state?: unknown; action?: unknown };
  if (typeof state !== 'string') throw new InputError('state', 'state must be the provider state name');
  if (action !== 'setup' && action !== 'teardown') throw new InputError('action', `action must be "setup" or "teardown", got ${shown(action)}`);
  // Pact calls with an empty name for an interaction that names no state (e.g. "no token"): nothing to set up.
  // Tokens simply expire, so no state has anything to tear down.
  if (state === '' || action === 'teardown') return {};
  const setUp = Object.hasOwn(PROVIDER_STATES, state) ? PROVIDER_STATES[state] : undefined;
  if (!setUp) {
    throw new InputError(
      'state',
      `unknown provider state ${shown(state)}; this mock sets up: ${Object.keys(PROVIDER_STATES)
        .map((s) => JSON.stringify(s))
        .join(', ')}`,
    );
  }
  return { token: await setUp(services) };
}
