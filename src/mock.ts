import type { Config, ConfigInput } from './config/config.ts';
import { loadConfig } from './config/load.ts';
import { createBodies } from './contract/bodies.ts';
import { type Contract, loadContract, type OperationContract, type OperationName } from './contract/spec.ts';
import { createControl, type ProviderStates } from './control/control-api.ts';
import { createServices, type IssuedTokens, type SessionView } from './control/services.ts';
import type { Fault, FaultInput } from './faults/fault.ts';
import { armFaultsFile } from './faults/faults-file.ts';
import { HangRegistry } from './faults/network.ts';
import type { ArmedFault } from './faults/scope-warnings.ts';
import { createApp, type OperationEndpoint } from './http/app.ts';
import { createJournal } from './http/journal-writer.ts';
import { createOperationRoute, type OperationRouteDeps } from './http/operation-route.ts';
import { createLogger } from './http/request-log.ts';
import { type HttpServer, listenHttp } from './http/server.ts';
import { createLogout } from './operations/logout.ts';
import { createRefresh } from './operations/refresh.ts';
import { createSignIn } from './operations/sign-in.ts';
import { createStore } from './state/create-store.ts';
import type { JournalEntry, JournalFilter } from './state/journal.ts';
import { createMockClock } from './state/mock-clock.ts';
import type { Store, UserRecord } from './state/store.ts';
import { createIssuer, type IssueOptions } from './tokens/issuer.ts';
import { createKeySet, type KeySet } from './tokens/keys.ts';
import { createTokenVerifier } from './tokens/token-verifier.ts';
import { DEMO_USER, parseUser, type UserInput, type UserView } from './users/user.ts';
import { createUserDirectory } from './users/user-directory.ts';
import { readUsersFile } from './users/users-file.ts';

/** Options of `startMock`: any config key (as `loadConfig` takes it), plus what tests inject. */
export type MockOptions = ConfigInput & {
  /** The real time, in milliseconds since the epoch (default `Date.now`); the mock's clock adds its offset to it. */
  clock?: () => number;
  /** Use this store instead of the one the config names. */
  store?: Store;
  /** Use these keys instead of the ones the config names (the CLI starts making them while this module loads). */
  keys?: KeySet | Promise<KeySet>;
  /**
   * Where request log lines go (default stdout): called once per event-loop turn with that turn's lines joined
   * (split on `\n` to read lines). It may return `false`, as `Writable.write` does, when its destination is backed up.
   */
  logTo?: (lines: string) => unknown;
};

/**
 * A running mock: its addresses, the same operations as the control API (`/__mock/…`), and `close()`.
 * Methods that take input throw InputError naming the field (as the control API answers 400).
 */
export type Mock = {
  /** `http://host:port`: the root (control API, JWKS). */
  readonly url: string;
  /** `url` + base path: what an app points at (`…/auth/api/v1`). */
  readonly baseUrl: string;
  /** The full logout URL. */
  readonly logoutUrl: string;
  /** The full sign-in URL (`…/customer/sign-in`), when the spec documents sign-in. */
  readonly signInUrl: string | undefined;
  /** The full refresh URL (`…/refresh-token/customer`), when the spec documents refresh. */
  readonly refreshUrl: string | undefined;
  /** The bound port (the OS's choice for port 0). */
  readonly port: number;
  readonly config: Config;
  readonly contract: Contract;
  readonly store: Store;
  /** `iss` of the tokens it mints (`--issuer`, else `url`). */
  readonly issuer: string;
  /** One sign-in minted without a request: `token` (access), `claims`, `idToken`, `refreshToken`, `kind`. */
  issueToken(options?: IssueOptions & { refreshToken?: string }): Promise<IssuedTokens>;
  /** The newest `limit` issued tokens (default 500) and whether each is active, logged out or expired. */
  sessions(limit?: number): Promise<SessionView[]>;
  /** Expires one sign-in's current id and access tokens now, its refresh token still valid; throws NotFoundError when it has none. */
  expireSignIn(sid: string): Promise<{ sid: string; expired: string[] }>;
  /** The journal, oldest first, filtered (`sub`, `sid`, `session`, `status`, `operation`, `since`, `faultId`, `limit`). */
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  readonly faults: {
    /** Arms a fault; resolves it with its id, what it has left and `warnings` when its scope matches no known sign-in or customer. */
    arm(fault: FaultInput): Promise<ArmedFault>;
    /** The armed faults, oldest first (the newest armed fires first where several match). */
    list(): Promise<Fault[]>;
    /** Clears one fault by id, or all; resolves how many were cleared. */
    clear(id?: string): Promise<number>;
  };
  readonly users: {
    /** Adds (or replaces, by email) a user who can sign in; forgotten by `reset()`. */
    add(user: UserInput): Promise<UserView>;
    /** Every user, never a password. */
    list(): Promise<UserView[]>;
    /** Removes a user; throws NotFoundError when there is none. */
    remove(email: string): Promise<void>;
  };
  readonly clock: {
    /** The mock's time, epoch milliseconds (the real time plus every advance since the last reset). */
    now(): number;
    /** Moves the mock's clock forward `seconds` (whole, 1 to 10 years) for checks, minting, expiry and pruning. */
    advance(seconds: number): Promise<void>;
  };
  /** Forgets tokens, revocations, faults, the journal and users added at run time; sets the clock back. */
  reset(): Promise<void>;
  /** Stops listening, cuts held clients after 1 s, writes the request log's last lines, closes the store. Idempotent. */
  close(): Promise<void>;
};

/**
 * Starts the mock: the composition root, the one place that builds every part. Throws ConfigError for a bad
 * option (e.g. `--port` in use, a `--users` or `--faults` file that does not parse), SpecError for a spec that
 * lacks what the operations need, StoreError when the state file or Redis cannot be opened.
 */
export async function startMock(options: MockOptions = {}): Promise<Mock> {
  const { clock: realClock = Date.now, store: givenStore, keys: givenKeys, logTo, ...input } = options;
  const mockClock = createMockClock(realClock);
  const clock = mockClock.now;
  const config = loadConfig(input);
  const [contract, keys, store] = await Promise.all([
    loadContract(config.specPath),
    givenKeys ?? createKeySet(config.alg, config.keyFile),
    givenStore ?? createStore(config),
  ]);
  let server: HttpServer;
  try {
    server = await listenHttp(config.port, config.host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const { port, url } = server;
  const basePath = config.basePath ?? contract.basePath;
  const issuerUrl = config.issuer ?? url;
  const hangs = new HangRegistry();

  const issuer = createIssuer({
    keys,
    issuer: issuerUrl,
    clientId: config.clientId,
    ttlSeconds: config.tokenTtlSeconds,
    refreshTtlSeconds: config.refreshTtlSeconds,
    clock,
  });
  const verifier = createTokenVerifier({
    keys,
    issuer: issuerUrl,
    clientId: config.clientId,
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
    isRefreshToken: async (token) => (await issuer.openRefreshToken(token)) !== undefined,
  });
  const users = createUserDirectory(store);
  // The seed users as read at start (--users, else the demo user): a reset restores these, never re-reading the file.
  let seeds: readonly UserRecord[] = [];
  const seedUsers = async () => {
    for (const user of seeds) await store.putUser(user);
  };
  const statuses = Object.fromEntries([...contract.operations].map(([name, operation]) => [name, operation.statuses]));
  const services = createServices({
    issuer,
    verifier,
    store,
    hangs,
    statuses,
    users,
    seedUsers,
    mockClock,
    seed: config.seed,
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
  });
  const providerStates: ProviderStates = async (body) => {
    const { handleProviderState } = await import('./control/provider-states.ts');
    return handleProviderState(body, services);
  };
  const control = createControl({
    services,
    adminToken: config.adminToken,
    unsafeOpenAdmin: config.unsafeOpenAdmin,
    providerStates,
  });
  const requestLog = createLogger(config.log, logTo);
  const journal = createJournal({
    store,
    log: requestLog.log,
    knownPaths: [...contract.operations.values()].map((operation) => `${basePath}${operation.path}`),
    clock,
  });
  const route = (name: OperationName, decide: OperationRouteDeps['decide']): OperationEndpoint => {
    const operation = contract.operations.get(name) as OperationContract;
    return {
      path: `${basePath}${operation.path}`,
      serve: createOperationRoute({
        name,
        decide,
        bodies: createBodies(operation, config),
        hangs,
        journal,
        maxBodyBytes: config.maxBodyBytes,
        parseUntypedJson: name !== 'logout',
      }),
    };
  };
  const logout = createLogout({
    statuses: contract.statuses,
    verifier,
    store,
    idempotentLogout: config.idempotentLogout,
    refreshTtlSeconds: config.refreshTtlSeconds,
    tokenTtlSeconds: config.tokenTtlSeconds,
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
  });
  const operations = [route('logout', logout)];
  const signInOperation = contract.operations.get('sign-in');
  if (signInOperation) {
    const signIn = createSignIn({
      statuses: signInOperation.statuses,
      example: signInOperation.examples.get(200) ?? {},
      store,
      signIn: (user) => services.signIn(user),
      failureStatus: config.signInFailure,
      wrap: config.signInWrap,
      refreshCookie: { name: config.refreshCookie, path: basePath || '/', maxAgeSeconds: config.refreshTtlSeconds },
      clock,
    });
    operations.push(route('sign-in', signIn));
  }
  const refreshOperation = contract.operations.get('refresh');
  if (refreshOperation) {
    const refresh = createRefresh({
      statuses: refreshOperation.statuses,
      example: refreshOperation.examples.get(200) ?? {},
      store,
      check: (token) => issuer.checkRefreshToken(token),
      refresh: (grant) => services.refresh(grant),
      cookieName: config.refreshCookie,
      clock,
    });
    operations.push(route('refresh', refresh));
  }
  const app = createApp({
    basePath,
    operations,
    control,
    jwks: keys.jwks,
    journal,
    panel: (req, res) => {
      import('./control/panel/panel.ts')
        .then(({ servePanel }) => servePanel(req, res, { contract, basePath, adminRequired: config.adminToken !== undefined }))
        .catch(() => res.destroy());
    },
  });
  server.serve(app);

  try {
    seeds = config.usersFile ? await readUsersFile(config.usersFile) : [parseUser(DEMO_USER, 'seed')];
    await seedUsers();
  } catch (error) {
    await server.close();
    await store.close();
    throw error;
  }
  if (config.faultsFile) {
    await armFaultsFile(config.faultsFile, (fault) => services.armFault(fault)).catch(async (error: unknown) => {
      await server.close();
      await store.close();
      throw error;
    });
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrl: `${url}${basePath}`,
    logoutUrl: `${url}${basePath}${contract.operationPath}`,
    signInUrl: signInOperation && `${url}${basePath}${signInOperation.path}`,
    refreshUrl: refreshOperation && `${url}${basePath}${refreshOperation.path}`,
    port,
    config,
    contract,
    store,
    issuer: issuerUrl,
    issueToken: (opts) => services.issueToken(opts ?? {}),
    sessions: (limit) => services.sessions(limit),
    expireSignIn: (sid) => services.expireSignIn(sid),
    requests: (filter) => services.requests(filter),
    faults: {
      arm: (fault) => services.armFault(fault),
      list: () => services.faults(),
      clear: (id) => services.clearFaults(id),
    },
    users: {
      add: (user) => users.add(user),
      list: () => users.list(),
      remove: (email) => users.remove(email),
    },
    clock: {
      now: clock,
      advance: async (seconds) => {
        await services.advanceClock({ advanceSeconds: seconds });
      },
    },
    reset: () => services.reset(),
    close() {
      closing ??= (async () => {
        hangs.releaseAll();
        await server.close();
        // Every answer is out and journaled: its log lines go out before close resolves (the CLI's SIGTERM awaits it).
        requestLog.close();
        await store.close();
      })();
      return closing;
    },
  };
}
