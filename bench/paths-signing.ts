// The paths whose every request makes a new sign-in or refreshes one: each held to the two-core rate of its signing
// work (bench/signing-rate.ts), not to bare Node.
import { DEMO_USER } from '../src/users/user.ts';
import { invitations, NEW_PASSWORD, ownerTokens } from './accounts.ts';
import { jsonBodies, shaped } from './load.ts';
import { counted, type PathContext, routeOf, timed } from './path-kit.ts';
import type { PathSetup } from './path-types.ts';
import { mint } from './tokens.ts';

export async function signingPath(name: 'sign-in' | 'refresh' | 'accept-invitation', context: PathContext): Promise<PathSetup> {
  const { startMock, sizes, auth } = context;
  switch (name) {
    case 'sign-in': {
      // Its own mock: every sign-in is remembered by the token verifier (10,000 at most), which would push out the
      // tokens the logout paths replay.
      const mock = await startMock([], { fresh: true });
      const signIns = () => jsonBodies([JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password })]);
      return { name, at: routeOf(auth, 'sign-in'), mock, traffic: async () => signIns(), warmup: signIns, bound: timed, close: async () => mock.stop() };
    }
    case 'refresh': {
      const mock = await startMock([], { fresh: true });
      const bodies = (await mint(mock.origin, sizes.pool)).map((signIn) => JSON.stringify({ refresh_token: signIn.refreshToken }));
      return {
        name,
        at: routeOf(auth, 'refresh'),
        mock,
        traffic: async () => jsonBodies(bodies),
        warmup: () => jsonBodies(bodies),
        bound: timed,
        close: async () => mock.stop(),
      };
    }
    case 'accept-invitation': {
      // Each request accepts an invitation nobody has used: new users invited by the owner (Create Customer User),
      // their tokens read from the outbox before each of the mock's runs; bare Node and Prism replay the same requests.
      const mock = await startMock([], { fresh: true });
      const api = `${mock.origin}${auth.basePath}`;
      const [owner] = await ownerTokens(api, 1);
      let batch = 0;
      const fresh = () => invitations(api, mock.origin, owner as string, `accept-${batch++}`, sizes.invitations);
      // Warm-ups accept these; past them they go round again (400: already accepted), which still warms the decision.
      const warm = await fresh();
      let last: string[] = [];
      const accepts = (tokens: readonly string[]) =>
        shaped({
          name: 'invitations accepted',
          bodies: [JSON.stringify({ password: NEW_PASSWORD })],
          pathOf: (path, n) => path.replace('{inviteToken}', tokens[n % tokens.length] as string),
        });
      return {
        name,
        at: routeOf(auth, 'accept-invitation'),
        mock,
        async traffic(kind) {
          if (kind === 'mock' || last.length === 0) last = await fresh();
          return accepts(last);
        },
        warmup: () => accepts(warm),
        bound: counted(sizes.invitations),
        close: async () => mock.stop(),
      };
    }
  }
}
