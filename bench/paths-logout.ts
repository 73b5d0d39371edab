// The logout paths: no token, pooled and fresh minted tokens, tokens verified by signature, an armed fault.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noToken, onceThenAgain, pooled } from './load.ts';
import { noop, type PathContext, routeOf, timed } from './path-kit.ts';
import { BENCH_ISSUER, type PathSetup } from './path-types.ts';
import { type Kind, type Running, runChild } from './servers.ts';
import { jwksOf, mint } from './tokens.ts';

export async function logoutPath(name: 'no-token' | 'pooled' | 'fresh' | 'verify' | 'fault', context: PathContext): Promise<PathSetup> {
  const { startMock, sizes } = context;
  const logout = { name, at: routeOf(context.auth, 'logout') } as const;
  switch (name) {
    case 'no-token': {
      const mock = await startMock(['--idempotent-logout']);
      const quiet = await startMock(['--idempotent-logout'], { logOff: true });
      return { ...logout, mock, quiet, traffic: async () => noToken(), warmup: () => noToken(), bound: timed, close: noop };
    }
    case 'pooled': {
      const mock = await startMock(['--idempotent-logout']);
      const quiet = await startMock(['--idempotent-logout'], { logOff: true });
      // Each mock knows only the tokens it minted (the others would cost a signature check): the same number from each.
      const tokens = new Map<Running, string[]>();
      for (const each of [mock, quiet])
        tokens.set(
          each,
          (await mint(each.origin, sizes.pool)).map((signIn) => signIn.token),
        );
      const mine = (server: Running | undefined) => pooled(tokens.get(server ?? mock) ?? (tokens.get(mock) as string[]));
      return {
        ...logout,
        mock,
        quiet,
        traffic: async (_kind, _connections, server) => mine(server),
        warmup: (_kind, server) => mine(server),
        bound: timed,
        close: noop,
      };
    }
    case 'fault': {
      const mock = await startMock(['--idempotent-logout']);
      const tokens = (await mint(mock.origin, sizes.pool)).map((signIn) => signIn.token);
      const armed = await fetch(`${mock.origin}/__mock/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 500, times: null }),
      });
      if (armed.status !== 201) throw new Error(`arming the fault answered ${armed.status}: ${await armed.text()}`);
      // Prism has no armed faults; its per-request `Prefer: code=500` is what a user would reach for.
      const traffic = (kind: Kind) => (kind === 'prism' ? pooled(tokens, { prefer: 'code=500' }) : pooled(tokens));
      return {
        ...logout,
        mock,
        traffic: async (kind) => traffic(kind),
        warmup: traffic,
        bound: timed,
        async close() {
          await fetch(`${mock.origin}/__mock/faults`, { method: 'DELETE' });
        },
      };
    }
    case 'fresh': {
      const mock = await startMock([], { fresh: true });
      // Warm-up traffic of the path's own kind (like every other path's): sign-ins logged out, then again. Warmed
      // with 401s only, the measured run would pay for V8 compiling the revocation path.
      const warm = (await mint(mock.origin, Math.ceil(sizes.fresh / 3))).map((signIn) => signIn.token);
      let last: string[] = [];
      return {
        ...logout,
        mock,
        async traffic(kind) {
          // Each mock run gets sign-ins nobody has used; bare Node and Prism replay the same requests.
          if (kind === 'mock' || last.length === 0) last = (await mint(mock.origin, sizes.fresh)).map((signIn) => signIn.token);
          return onceThenAgain(last);
        },
        warmup: () => onceThenAgain(warm),
        bound: (connections) => ({ connections, amount: 2 * Math.floor(sizes.fresh / connections) * connections }),
        close: async () => mock.stop(),
      };
    }
    case 'verify': {
      // Mint with a key file, then restart on the same keys: the new process knows none of these strings,
      // so every request pays a real signature check.
      const dir = await mkdtemp(join(tmpdir(), 'worth-bench-'));
      const keyArgs = ['--key-file', join(dir, 'keys.json'), '--issuer', BENCH_ISSUER];
      const minter = await startMock(keyArgs, { fresh: true, logOff: true });
      const tokens = (await mint(minter.origin, sizes.pool)).map((signIn) => signIn.token);
      await minter.stop();
      const mock = await startMock([...keyArgs, '--idempotent-logout'], { fresh: true });
      const jwks = await jwksOf(mock.origin);
      return {
        ...logout,
        mock,
        traffic: async () => pooled(tokens),
        warmup: () => pooled(tokens),
        bound: timed,
        async jwtVerifyRate(seconds) {
          const input = join(dir, 'jwt-rate.json');
          await writeFile(input, JSON.stringify({ tokens, jwks, issuer: BENCH_ISSUER, alg: 'RS256', seconds }));
          const script = fileURLToPath(new URL('./jwt-rate.ts', import.meta.url));
          return (JSON.parse(await runChild([script, input])) as { perSecond: number }).perSecond;
        },
        async close() {
          await mock.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
  }
}
