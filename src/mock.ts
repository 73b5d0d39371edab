import { type Config, type ConfigInput, loadConfig } from './config.ts';
import { createBodies } from './contract/bodies.ts';
import { type Contract, loadContract, type OperationContract, type OperationName } from './contract/spec.ts';
import { createControl, type ProviderStates } from './control/control-api.ts';
import { createServices, type IssuedTokens, type SessionView } from './control/services.ts';
import type { Fault } from './faults/fault.ts';
import { armFaultsFile } from './faults/faults-file.ts';
import { HangRegistry } from './faults/network.ts';
import { createApp, type OperationEndpoint } from './http/app.ts';
import { createJournal } from './http/journal-writer.ts';
import { createOperationRoute, type OperationRouteDeps } from './http/operation-route.ts';
import { createLogger } from './http/request-log.ts';
import { type HttpServer, listenHttp } from './http/server.ts';
import { createLogout } from './operations/logout.ts';
import { createStore } from './state/create-store.ts';
import type { JournalEntry, JournalFilter } from './state/journal.ts';
import type { Store } from './state/store.ts';
import { createIssuer, type IssueOptions } from './tokens/issuer.ts';
import { createKeySet, type KeySet } from './tokens/keys.ts';
import { createTokenVerifier } from './tokens/token-verifier.ts';

/** Options of `startMock`: any config key, plus what tests inject. */
export type MockOptions = ConfigInput & {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /** Use this store instead of the one the config names. */
  store?: Store;
  /** Use these keys instead of the ones the config names (the CLI starts making them while this module loads). */
  keys?: KeySet | Promise<KeySet>;
  /** Where request log lines go (default stdout). */
  logTo?: (line: string) => void;
};

/** A running mock: its addresses, the same operations as the control API, and `close()`. */
export type Mock = {
  /** `http://host:port`: the root (control API, JWKS). */
  readonly url: string;
  /** `url` + base path: what an app points at (`…/auth/api/v1`). */
  readonly baseUrl: string;
  /** The full logout URL. */
  readonly logoutUrl: string;
  readonly port: number;
  readonly config: Config;
  readonly contract: Contract;
  readonly store: Store;
  readonly issuer: string;
  /** One sign-in: `token` (access), `claims`, `idToken`, `refreshToken`. */
  issueToken(options?: IssueOptions & { refreshToken?: string }): Promise<IssuedTokens>;
  /** The newest `limit` issued tokens (default 500) and whether each is active, logged out or expired. */
  sessions(limit?: number): Promise<SessionView[]>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  readonly faults: {
    arm(fault: Record<string, unknown>): Promise<Fault>;
    list(): Promise<Fault[]>;
    /** Clears one fault by id, or all; resolves how many were cleared. */
    clear(id?: string): Promise<number>;
  };
  reset(): Promise<void>;
  close(): Promise<void>;
};

/** Starts the mock: the composition root, the one place that builds every part. */
export async function startMock(options: MockOptions = {}): Promise<Mock> {
  const { clock = Date.now, store: givenStore, keys: givenKeys, logTo, ...input } = options;
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
  const services = createServices({
    issuer,
    verifier,
    store,
    hangs,
    statuses: contract.statuses,
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
  const journal = createJournal({
    store,
    log: createLogger(config.log, logTo),
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
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
  });
  const app = createApp({
    basePath,
    operations: [route('logout', logout)],
    control,
    jwks: keys.jwks,
    journal,
    panel: (req, res) => {
      import('./control/panel.ts')
        .then(({ servePanel }) => servePanel(req, res, { contract, basePath, adminRequired: config.adminToken !== undefined }))
        .catch(() => res.destroy());
    },
  });
  server.serve(app);

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
    port,
    config,
    contract,
    store,
    issuer: issuerUrl,
    issueToken: (opts) => services.issueToken(opts ?? {}),
    sessions: (limit) => services.sessions(limit),
    requests: (filter) => services.requests(filter),
    faults: {
      arm: (fault) => services.armFault(fault),
      list: () => services.faults(),
      clear: (id) => services.clearFaults(id),
    },
    reset: () => services.reset(),
    close() {
      closing ??= (async () => {
        hangs.releaseAll();
        await server.close();
        await store.close();
      })();
      return closing;
    },
  };
}
