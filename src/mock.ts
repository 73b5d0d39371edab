import { readFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Config, type ConfigInput, loadConfig } from './config.ts';
import { createBodies } from './contract/bodies.ts';
import { type Contract, loadContract } from './contract/spec.ts';
import { createControl, type ProviderStates } from './control/control-api.ts';
import { createServices, type IssuedTokens, type Services, type SessionView } from './control/services.ts';
import { ConfigError, InputError } from './errors.ts';
import type { Fault } from './faults/fault.ts';
import { HangRegistry } from './faults/network.ts';
import { createApp } from './http/app.ts';
import { createLogger } from './http/request-log.ts';
import { createLogout } from './operations/logout.ts';
import { createStore } from './state/create-store.ts';
import type { JournalEntry, JournalFilter } from './state/journal.ts';
import type { Store } from './state/store.ts';
import { createIssuer, type IssueOptions } from './tokens/issuer.ts';
import { createKeySet, type KeySet } from './tokens/keys.ts';
import { createVerifier } from './tokens/token-verifier.ts';

// Not `import … from 'node:http'`: an ES import of it reads every export, and its lazy WebSocket getters load
// undici (~60 ms of start-up for code the mock never runs).
const { createServer } = process.getBuiltinModule('node:http');

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
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, noDelay: true });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const inFlight = new WeakMap<Socket, InFlight>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket as Socket, inFlight.get(socket as Socket)));
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError('--port', `port ${config.port} on ${config.host} is in use: stop what runs there, or pick another with --port (0 = any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new ConfigError('--host', `cannot listen on ${config.host}: it is not an address of this machine`);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
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
  const verifier = createVerifier({
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
    panel: (req, res) => {
      import('./control/panel.ts')
        .then(({ servePanel }) => servePanel(req, res, { contract, basePath, adminRequired: config.adminToken !== undefined }))
        .catch(() => res.destroy());
    },
  });
  const decide = createLogout({
    statuses: contract.statuses,
    verifier,
    store,
    idempotentLogout: config.idempotentLogout,
    refreshTtlSeconds: config.refreshTtlSeconds,
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
  });
  const app = createApp({
    logoutPath: `${basePath}${contract.operationPath}`,
    basePath,
    decide,
    bodies: createBodies(contract, config),
    control,
    jwks: keys.jwks,
    store,
    hangs,
    maxBodyBytes: config.maxBodyBytes,
    log: createLogger(config.log, logTo),
    clock,
  });
  const handle = tracked(app, inFlight);
  server.on('request', handle);
  // Node answers an Expect other than 100-continue with 417 on its own, a status the contract does not
  // document; RFC 9110 lets a server ignore the expectation, so the app answers as for any request.
  server.on('checkExpectation', handle);

  if (config.faultsFile) {
    await preloadFaults(config.faultsFile, services).catch(async (error: unknown) => {
      await new Promise((resolve) => server.close(resolve));
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
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Give answers in flight a moment, then cut what is left (held or slow clients).
        const cut = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 1000);
        await done;
        clearTimeout(cut);
        await store.close();
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The requests of one connection that have no complete answer yet, and the parse error waiting for them. */
type InFlight = { open: number; last: IncomingMessage | undefined; deferred: (() => void) | undefined };

/** Counts each connection's unanswered requests, so a parse error is answered after them, not before. */
function tracked(app: RequestListener, inFlight: WeakMap<Socket, InFlight>): RequestListener {
  // One listener for every response (no closure per request): the response finds its connection's count.
  function answered(this: ServerResponse): void {
    const state = inFlight.get(this.req.socket as Socket);
    if (!state) return;
    state.open -= 1;
    if (state.open === 0 && state.deferred) state.deferred();
  }
  return (req, res) => {
    const socket = req.socket;
    let state = inFlight.get(socket);
    if (!state) {
      state = { open: 0, last: undefined, deferred: undefined };
      inFlight.set(socket, state);
    }
    state.open += 1;
    state.last = req;
    res.on('close', answered);
    app(req, res);
  };
}

/**
 * A request Node could not parse: a short JSON answer (431 for oversized headers), then close. When
 * complete requests pipelined before it are still being answered, it waits for them: written at once,
 * it would reach the client as the answer to the first of them.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, inFlight: InFlight | undefined): void {
  if (inFlight && inFlight.open > 0 && inFlight.last?.complete) {
    inFlight.deferred = () => answerClientError(error, socket, undefined);
    return;
  }
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? '431 Request Header Fields Too Large' : timeout ? '408 Request Timeout' : '400 Bad Request';
  const body = JSON.stringify({
    message: tooLarge ? 'request headers are too large' : timeout ? 'request did not arrive in time' : 'request is not valid HTTP',
    errorCode: tooLarge ? 'ERR_HEADERS_TOO_LARGE' : timeout ? 'ERR_TIMEOUT' : 'ERR_BAD_HTTP',
  });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncache-control: no-store\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Arms the faults of a `--faults` file; an error names the entry and the field. */
async function preloadFaults(path: string, services: Services): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('--faults', `--faults ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { faults?: unknown })?.faults;
  if (!Array.isArray(list)) throw new ConfigError('--faults', `--faults ${path} must hold a JSON array of faults (or { "faults": [...] })`);
  for (const [index, entry] of list.entries()) {
    try {
      await services.armFault(entry);
    } catch (error) {
      if (error instanceof InputError) throw new ConfigError('--faults', `--faults ${path}: entry ${index}, field ${error.field}: ${error.message}`);
      throw error;
    }
  }
}
