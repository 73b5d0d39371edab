import type { Config, ConfigInput } from './config/config.ts';
import { loadConfig } from './config/load.ts';
import { createBodies } from './contract/bodies.ts';
import { type Contract, loadContract, type OperationContract } from './contract/contract.ts';
import { createControl, type ProviderStates } from './control/control-api.ts';
import { createServices, type IssuedTokens, type RefreshesFilter, type Services, type TokenRequest, type TokenView } from './control/services.ts';
import { type SessionsFilter, type SessionsView, sessionsFilter } from './control/sign-in-history.ts';
import type { Fault, FaultInput } from './faults/fault.ts';
import { armFaultsFile } from './faults/faults-file.ts';
import { HangRegistry } from './faults/network.ts';
import type { ArmedFault } from './faults/scope-warnings.ts';
import { createApp } from './http/app.ts';
import { createJournal } from './http/journal-writer.ts';
import { createLogger } from './http/request-log.ts';
import { documentsOf, faultTargets, mountDocuments, type Served, type ServedDocument, serveAuthOperations } from './http/served.ts';
import { type HttpServer, listenHttp } from './http/server.ts';
import { createAuthenticate } from './operations/authenticate.ts';
import type { AuthOperationName } from './operations/index.ts';
import type { OperationContext } from './operations/operation.ts';
import { createStore } from './state/create-store.ts';
import type { JournalEntry, JournalFilter } from './state/journal.ts';
import { createMockClock } from './state/mock-clock.ts';
import type { OutboxFilter, OutboxMessage } from './state/records.ts';
import type { SignInRefreshes } from './state/refresh-records.ts';
import type { Store } from './state/store.ts';
import { createIssuer } from './tokens/issuer.ts';
import { createKeySet, type KeySet } from './tokens/keys.ts';
import { createMailTokens } from './tokens/mail-tokens.ts';
import { createSignIns } from './tokens/sign-ins.ts';
import { createTokenVerifier } from './tokens/token-verifier.ts';
import { createMailer } from './users/mailer.ts';
import { demoSeeds, readUsersFile } from './users/seeds.ts';
import type { UserInput, UserView } from './users/user.ts';
import { createUserDirectory } from './users/user-directory.ts';

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
  /**
   * Each operation it serves, by name (the Auth Service's, and a mounted document's by operationId, else `<method> <path>`):
   * its full URL, path parameters as the spec writes them (`…/customers/{customerID}/users`).
   */
  readonly urls: Readonly<Record<AuthOperationName, string>> & Readonly<Record<string, string | undefined>>;
  /** The documents it serves: the Auth Service's, then each mounted one (`--api`), with their base paths, gates and example problems. */
  readonly apis: readonly (ServedDocument & { readonly operations: number })[];
  /** The bound port (the OS's choice for port 0). */
  readonly port: number;
  readonly config: Config;
  /** The Auth Service's contract, as read from the spec. */
  readonly contract: Contract;
  readonly store: Store;
  /** `iss` of the tokens it mints (`--issuer`, else `url`). */
  readonly issuer: string;
  /** One sign-in minted without a request: `token` (access), `claims`, `idToken`, `refreshToken`, `kind`. */
  issueToken(options?: TokenRequest): Promise<IssuedTokens>;
  /** The newest `limit` issued tokens (default 500) and whether each is active, expired, logged out or ended. */
  tokens(limit?: number): Promise<TokenView[]>;
  /**
   * What `GET /__mock/sessions` answers: each sign-in with its state (`active`, `tokens-expired`, `logged-out`, `ended`,
   * `expired`), its tokens, refreshes and storms, and those tokens; filtered by `sub`, `status` and `limit` (throws
   * InputError naming a bad one).
   */
  sessions(filter?: SessionsFilter): Promise<SessionsView>;
  /** Expires one sign-in's current id and access tokens now, its refresh token still valid; throws NotFoundError when it has none. */
  expireSignIn(sid: string): Promise<{ sid: string; expired: string[] }>;
  /** The journal, oldest first, filtered (`sub`, `sid`, `session`, `status`, `operation`, `since`, `faultId`, `warned`, `limit`). */
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  /**
   * Each refreshed sign-in's refreshes and refresh storms (`{ sid, refreshes, storms, lastStorm?, generation? }`),
   * ordered by sign-in id; of one sign-in (`{ sid }`), or only those that stormed (`{ stormed: true }`).
   */
  refreshes(filter?: RefreshesFilter): Promise<SignInRefreshes[]>;
  /** Fails a test when any sign-in stormed: rejects with an AssertionError naming each (how many refreshes, when). */
  expectNoRefreshStorms(): Promise<void>;
  /** What the service would have mailed (invitations, password-reset links), oldest first; filtered by `recipient` and `kind`. */
  outbox(filter?: OutboxFilter): Promise<OutboxMessage[]>;
  readonly faults: {
    /** Arms a fault; resolves it with its id, what it has left and `warnings` when its scope matches no known sign-in or user. */
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
  const { url } = server;
  const basePath = config.basePath ?? contract.basePath;
  const issuerUrl = config.issuer ?? url;
  const hangs = new HangRegistry();
  const requestLog = createLogger(config.log, logTo);
  const stop = async () => {
    hangs.releaseAll();
    await server.close();
    // Every answer is out and journaled: its log lines go out before close resolves (the CLI's SIGTERM awaits it).
    requestLog.close();
    await store.close();
  };

  try {
    const { issuer, verifier, signIns, context } = tokenParts({ config, keys, store, clock, basePath, issuerUrl });
    // The Auth Service's literal paths: an entry keeps the app's one string for each, not the request's own, which
    // the journal's ring would hold for ~1000 requests, long enough to be promoted to V8's old generation (~40 B a
    // request of garbage there: RSS, the bench's RSS row; guarded by test/http/journal-promotion.test.ts).
    const knownPaths = [...contract.operations.values()].map((operation) => `${basePath}${operation.path}`).filter((path) => !path.includes('{'));
    const journal = createJournal({ store, log: requestLog.log, knownPaths, clock, clockOffsetSeconds: mockClock.offsetSeconds });
    const serving = { context, hangs, journal };
    const auth = serveAuthOperations(contract, basePath, serving);
    // A status a mounted document does not document answers the Auth Service's shared body (logout documents each).
    const shared = createBodies(contract.operations.get('logout') as OperationContract, config);
    const served = await mountDocuments(config, auth, shared, serving);
    const panelOperations = served.map(({ name, operation, contract: found, route }) => ({
      name,
      contract: found,
      scopes: operation.scopes,
      path: route.path,
    }));
    // The seeds as read at start (--users, else the demo customer): a reset restores these, never re-reading the file.
    const seeds = config.usersFile ? await readUsersFile(config.usersFile, clock()) : demoSeeds(clock());
    const users = createUserDirectory(store, seeds, clock);
    const services = createServices({
      issuer,
      verifier,
      signIns,
      store,
      hangs,
      targets: faultTargets(served),
      users,
      mockClock,
      seed: config.seed,
      clockToleranceSeconds: config.clockToleranceSeconds,
      clock,
    });
    server.serve(
      createApp({
        basePaths: [...new Set(served.map((each) => each.document.basePath))],
        routes: served.map((each) => each.route),
        control: createControl({
          services,
          operations: served.map(({ name, route }) => ({ name, method: route.method, path: route.path })),
          apis: documentsOf(served),
          adminToken: config.adminToken,
          unsafeOpenAdmin: config.unsafeOpenAdmin,
          providerStates: providerStates(services, context),
        }),
        jwks: keys.jwks,
        issuer: issuerUrl,
        alg: keys.alg,
        journal,
        panel: (req, res) => {
          import('./control/panel/panel.ts')
            .then(({ servePanel }) => servePanel(req, res, { operations: panelOperations, basePath, adminRequired: config.adminToken !== undefined }))
            .catch(() => res.destroy());
        },
      }),
    );
    await users.seed();
    if (config.faultsFile) await armFaultsFile(config.faultsFile, (fault) => services.armFault(fault));
    return mockOf({ server, config, contract, store, issuer: issuerUrl, basePath, served, services, clock, stop });
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The token parts every operation shares — issuer, verifier, sign-ins, mailed-link tokens, the mailer — and the operations' context. */
function tokenParts(parts: { config: Config; keys: KeySet; store: Store; clock: () => number; basePath: string; issuerUrl: string }) {
  const { config, keys, store, clock, basePath, issuerUrl } = parts;
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
  const signIns = createSignIns({ issuer, verifier, store, clockToleranceSeconds: config.clockToleranceSeconds, clock });
  const mailTokens = createMailTokens({ keys, issuer: issuerUrl, clock });
  const context: OperationContext = {
    config,
    store,
    clock,
    issuer,
    signIns,
    mailer: createMailer({
      tokens: mailTokens,
      appUrl: config.appUrl,
      inviteTtlSeconds: config.inviteTtlSeconds,
      resetTtlSeconds: config.resetTtlSeconds,
      clock,
    }),
    mailTokens,
    authenticate: createAuthenticate({ verifier, store, clock }),
    basePath,
  };
  return { issuer, verifier, signIns, context };
}

/** Pact's state-change calls, answered by the provider states module (loaded at the first call) with the services and the operations' parts. */
function providerStates(services: Services, parts: OperationContext): ProviderStates {
  return async (body) => {
    const { handleProviderState } = await import('./control/provider-states.ts');
    return handleProviderState(body, services, parts);
  };
}

/** The running mock's programmatic face: its addresses and the control API's operations as methods. */
function mockOf(parts: {
  server: HttpServer;
  config: Config;
  contract: Contract;
  store: Store;
  issuer: string;
  basePath: string;
  served: readonly Served[];
  services: Services;
  clock: () => number;
  stop: () => Promise<void>;
}): Mock {
  const { server, services, basePath } = parts;
  const { url, port } = server;
  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrl: `${url}${basePath}`,
    urls: Object.freeze(Object.fromEntries(parts.served.map(({ name, route }) => [name, `${url}${route.path}`]))) as Mock['urls'],
    apis: documentsOf(parts.served),
    port,
    config: parts.config,
    contract: parts.contract,
    store: parts.store,
    issuer: parts.issuer,
    issueToken: (opts) => services.issueToken(opts ?? {}),
    tokens: (limit) => services.tokens(limit),
    sessions: async (filter) => services.sessions(sessionsFilter(filter ?? {})),
    expireSignIn: (sid) => services.expireSignIn(sid),
    requests: (filter) => services.requests(filter),
    refreshes: (filter) => services.refreshes(filter),
    expectNoRefreshStorms: () => services.expectNoRefreshStorms(),
    outbox: (filter) => services.outbox(filter),
    faults: {
      arm: (fault) => services.armFault(fault),
      list: () => services.faults(),
      clear: (id) => services.clearFaults(id),
    },
    users: {
      add: (user) => services.users.add(user),
      list: () => services.users.list(),
      remove: (email) => services.users.remove(email),
    },
    clock: {
      now: parts.clock,
      advance: async (seconds) => {
        await services.advanceClock({ advanceSeconds: seconds });
      },
    },
    reset: () => services.reset(),
    close() {
      closing ??= parts.stop();
      return closing;
    },
  };
}
