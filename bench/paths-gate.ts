// The gate in front of a mounted document (`start --api`): the Case Service's customer cases with a pooled owner
// token (verified, its customer bound) → the document's 200, and without a token → the gate's 401.
import { DEMO, ownerTokens } from './accounts.ts';
import { noToken, shaped } from './load.ts';
import { CASE_DOCUMENT, example200, noop, type PathContext, routeOf, timed } from './path-kit.ts';
import type { PathSetup } from './path-types.ts';

/** The mounted operation both gate paths call. */
const OPERATION = 'GetCustomerCases';

export async function gatePath(name: 'gate' | 'gate-no-token', context: PathContext): Promise<PathSetup> {
  // One mock for both paths (the run stops it): the mounted document's answers are made once, when it is mounted.
  const mock = await context.startMock(['--api', CASE_DOCUMENT]);
  const base = {
    name,
    mock,
    at: routeOf(context.mounted, OPERATION, { customerID: DEMO.customerId }),
    document: CASE_DOCUMENT,
    bareBody: example200(context.mounted, OPERATION),
    bound: timed,
    close: noop,
  };
  if (name === 'gate-no-token') {
    const traffic = () => noToken('GET');
    return { ...base, traffic: async () => traffic(), warmup: traffic };
  }
  const tokens = await ownerTokens(`${mock.origin}${context.auth.basePath}`, context.sizes.pool);
  const traffic = () => shaped({ name: 'pooled owner tokens', method: 'GET', tokens });
  return { ...base, traffic: async () => traffic(), warmup: traffic };
}
