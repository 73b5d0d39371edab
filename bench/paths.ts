import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USER } from '../src/users/user.ts';
import { type Bound, jsonBodies, noToken, onceThenAgain, pooled, type Traffic } from './load.ts';
import { type Kind, type Running, runChild } from './servers.ts';
import { jwksOf, mint } from './tokens.ts';

/** The request paths measured, each on its own kind of traffic. */
export const PATH_NAMES = ['no-token', 'pooled', 'fresh', 'verify', 'fault', 'sign-in', 'refresh'] as const;
/** One measured path. */
export type PathName = (typeof PATH_NAMES)[number];

/** What each path sends and what the mock should answer, for the report. */
export const PATH_LABELS: Readonly<Record<PathName, string>> = {
  'no-token': 'no token → 401',
  pooled: 'pooled minted tokens, --idempotent-logout → 200',
  fresh: 'fresh minted tokens, logged out once each → 200 then 401',
  verify: 'tokens the mock did not mint (signature verified) → 200',
  fault: 'armed fault {status: 500, times: null} → 500',
  'sign-in': 'sign-in of the demo customer (JSON body) → 200, a new sign-in each',
  refresh: "refresh with a sign-in's refresh_token (JSON body) → 200",
};

/** The contract operation a path's requests go to. */
export type PathOperation = 'logout' | 'sign-in' | 'refresh';

/**
 * Starts (or reuses) a mock with these `start` flags; the run owns stopping them. `fresh`: a mock of its own;
 * `logOff`: `--log off`, else the default request log, written to a file (as users run it).
 */
export type MockStarter = (args: readonly string[], options?: { fresh?: boolean; logOff?: boolean }) => Promise<Running>;

/** A path ready to measure: the mock it runs on, and the traffic each server gets. */
export type PathSetup = {
  readonly name: PathName;
  readonly operation: PathOperation;
  /** The mock as users run it: default options, the request log on (to a file). */
  readonly mock: Running;
  /** The same mock with `--log off`, on the paths whose CPU per request is compared with bare Node in both ways. */
  readonly quiet?: Running;
  /** What the mock is held against: bare Node's fixed 200, or the one-core rate of the signing work it needs. */
  readonly ceiling: 'bare' | 'signing';
  /**
   * Traffic for one measured run on `kind` (`server`: which mock, where a path has two); ask for the mock's first
   * (the fresh path mints its tokens then).
   */
  traffic(kind: Kind, connections: number, server?: Running): Promise<Traffic>;
  /** Traffic that warms a server up without using up anything the measured run needs. */
  warmup(kind: Kind, server?: Running): Traffic;
  /** The bound of a measured run. */
  bound(connections: number, seconds: number): Bound;
  /** jose.jwtVerify's one-core rate on this path's tokens (verify path only). */
  jwtVerifyRate?(seconds: number): Promise<number>;
  /** The one-core rate of the signing work one request needs, per second (sign-in and refresh paths). */
  signingRate?(seconds: number): Promise<number>;
  close(): Promise<void>;
};

/** Sizes of the token pools. */
export type PathSizes = { readonly pool: number; readonly fresh: number };

/** The `--issuer` of the bench's mocks that verify tokens signed elsewhere. */
export const BENCH_ISSUER = 'http://127.0.0.1/bench-issuer';

/** Builds a path: starts its mock through `startMock`, mints what it needs. */
export async function setupPath(name: PathName, startMock: MockStarter, sizes: PathSizes): Promise<PathSetup> {
  const timed = (connections: number, seconds: number): Bound => ({ connections, seconds });
  const noop = async () => {};
  const logout = { name, operation: 'logout', ceiling: 'bare' } as const;
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
    case 'sign-in': {
      // Its own mock: every sign-in is remembered by the token verifier (10,000 at most), which would push out the
      // tokens the logout paths replay.
      const mock = await startMock([], { fresh: true });
      const signIns = () => jsonBodies([JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password })]);
      return {
        name,
        operation: 'sign-in',
        ceiling: 'signing',
        mock,
        traffic: async () => signIns(),
        warmup: signIns,
        bound: timed,
        signingRate: (seconds) => signingRate('sign-in', seconds),
        close: async () => mock.stop(),
      };
    }
    case 'refresh': {
      const mock = await startMock([], { fresh: true });
      const bodies = (await mint(mock.origin, sizes.pool)).map((signIn) => JSON.stringify({ refresh_token: signIn.refreshToken }));
      return {
        name,
        operation: 'refresh',
        ceiling: 'signing',
        mock,
        traffic: async () => jsonBodies(bodies),
        warmup: () => jsonBodies(bodies),
        bound: timed,
        signingRate: (seconds) => signingRate('refresh', seconds),
        close: async () => mock.stop(),
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

/** Runs bench/signing-rate.ts: the one-core rate of a sign-in's (or a refresh's) signing work, per second. */
async function signingRate(work: 'sign-in' | 'refresh', seconds: number): Promise<number> {
  const script = fileURLToPath(new URL('./signing-rate.ts', import.meta.url));
  return (JSON.parse(await runChild([script, work, String(seconds)])) as { perSecond: number }).perSecond;
}
