// The user and password operations: forgot and reset password, the customer's users (list, one, subroles, create,
// update, resend an invitation). Each path has a mock of its own (they change its users), stopped when it is done.
import { addUsers, createBody, croSubrole, DEMO, inviteUsers, NEW_PASSWORD, ownerTokens, resetLinks } from './accounts.ts';
import { shaped } from './load.ts';
import { counted, example200, type PathContext, routeOf, timed } from './path-kit.ts';
import type { PathName, PathSetup } from './path-types.ts';

type UserPathName = Exclude<
  PathName,
  'no-token' | 'pooled' | 'fresh' | 'verify' | 'fault' | 'sign-in' | 'refresh' | 'accept-invitation' | 'gate' | 'gate-no-token'
>;

const READS = {
  'get-customer-users': { method: 'GET', params: {} },
  'get-customer-user': { method: 'GET', params: { userID: DEMO.userId } },
  'get-customer-subroles': { method: 'GET', params: {} },
} as const;

export async function userPath(name: UserPathName, context: PathContext): Promise<PathSetup> {
  const { startMock, sizes, auth } = context;
  const mock = await startMock([], { fresh: true });
  const api = `${mock.origin}${auth.basePath}`;
  const operation = name === 'forgot-unknown' || name === 'forgot-known' ? 'forgot-password' : name;
  const base = { name, mock, bareBody: example200(auth, operation), close: async () => mock.stop() };
  const same = <T>(traffic: () => T) => ({ traffic: async () => traffic(), warmup: traffic, bound: timed });
  switch (name) {
    case 'forgot-unknown': {
      const traffic = () => shaped({ name: 'an unknown email', bodies: [JSON.stringify({ email: 'nobody@bench.example.com' })] });
      return { ...base, at: routeOf(auth, operation), ...same(traffic) };
    }
    case 'forgot-known': {
      // A pool of users, round-robin: a link for one user supersedes its earlier one, whoever asked.
      const users = await addUsers(mock.origin, 'known', sizes.pool);
      const bodies = users.map((user) => JSON.stringify({ email: user.email }));
      return { ...base, at: routeOf(auth, operation), ...same(() => shaped({ name: 'known emails', bodies })) };
    }
    case 'reset-password': {
      // Each request uses a link nobody has used: one per user (a new one supersedes the user's earlier link), minted
      // before each of the mock's runs; the warm-ups have users of their own, so they use up none of the run's links.
      const users = (await addUsers(mock.origin, 'reset', sizes.fresh)).map((user) => user.email);
      const warm = await resetLinks(
        api,
        mock.origin,
        (await addUsers(mock.origin, 'reset-warm', Math.ceil(sizes.fresh / 3))).map((user) => user.email),
      );
      const resets = (links: readonly string[]) =>
        shaped({ name: 'fresh reset links', bodies: links.map((link) => JSON.stringify({ password: NEW_PASSWORD, reset_token: link })) });
      let last: string[] = [];
      return {
        ...base,
        at: routeOf(auth, operation),
        async traffic(kind) {
          if (kind === 'mock' || last.length === 0) last = await resetLinks(api, mock.origin, users);
          return resets(last);
        },
        warmup: () => resets(warm),
        bound: counted(sizes.fresh),
      };
    }
    case 'get-customer-users':
    case 'get-customer-user':
    case 'get-customer-subroles': {
      const tokens = await ownerTokens(api, sizes.pool);
      const { method, params } = READS[name];
      const traffic = () => shaped({ name: 'pooled owner tokens', method, tokens });
      return { ...base, at: routeOf(auth, operation, { customerID: DEMO.customerId, ...params }), ...same(traffic) };
    }
    case 'create-customer-user': {
      const tokens = await ownerTokens(api, sizes.pool);
      const subrole = await croSubrole(api, tokens[0] as string);
      // A new email for every request: each traffic its own prefix (bare Node and Prism get the same kind of bodies).
      let made = 0;
      const traffic = () => {
        const prefix = `create-${made++}`;
        return shaped({ name: 'new users', tokens, bodies: (n) => createBody(`${prefix}-${n}@bench.example.com`, subrole) });
      };
      return { ...base, at: routeOf(auth, operation, { customerID: DEMO.customerId }), ...same(traffic) };
    }
    case 'update-customer-user': {
      const tokens = await ownerTokens(api, sizes.pool);
      const users = await addUsers(mock.origin, 'update', sizes.pool);
      // Round-robin over the users; each pass over them flips their first name.
      const traffic = () =>
        shaped({
          name: 'pooled owner tokens, users round-robin',
          method: 'PATCH',
          tokens,
          bodies: (n) => JSON.stringify({ first_name: Math.floor(n / users.length) % 2 === 0 ? 'Ada' : 'Bea' }),
          pathOf: (path, n) => path.replace('{userID}', (users[n % users.length] as { id: string }).id),
        });
      return { ...base, at: routeOf(auth, operation, { customerID: DEMO.customerId }), ...same(traffic) };
    }
    case 'resend-invitation': {
      const tokens = await ownerTokens(api, sizes.pool);
      const invited = await inviteUsers(api, tokens[0] as string, 'resend', sizes.pool);
      const traffic = () =>
        shaped({
          name: 'pooled owner tokens, invited users round-robin',
          tokens,
          pathOf: (path, n) => path.replace('{userID}', (invited[n % invited.length] as { id: string }).id),
        });
      return { ...base, at: routeOf(auth, operation, { customerID: DEMO.customerId }), ...same(traffic) };
    }
  }
}
