import { InputError } from './errors.ts';
import type { Services } from './services.ts';

/** Sets up a Pact provider state on the mock and returns the values the pact's expressions use. */
export async function handleProviderState(body: unknown, services: Services): Promise<Record<string, unknown>> {
  const { state, action } = (body ?? {}) as { state?: unknown; action?: unknown };
  if (typeof state !== 'string') throw new InputError('state', 'state must be the provider state name');
  if (action === 'teardown') return {};
  const issued = await services.issueToken({});
  return { token: issued.token };
}
