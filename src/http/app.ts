import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Bodies } from '../contract/bodies.ts';
import { InputError, isMockError } from '../errors.ts';
import { breakConnection, type HangRegistry, sleep } from '../faults/network.ts';
import { clean, type LogoutInput, type Outcome } from '../operations/logout.ts';
import type { JournalEntry } from '../state/journal.ts';
import type { Store } from '../state/store.ts';
import { cookie, countHeader, hasBody, isJsonType, jsonError, originForm, readBody, sendJson } from './messages.ts';

/** Handles `/__mock/*`; throws InputError for a bad request (mapped to 400 here). */
export type ControlHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>;

/** What the app is built from; it knows nothing of sockets it did not receive. */
export type AppDeps = {
  readonly logoutPath: string;
  readonly basePath: string;
  readonly decide: (input: LogoutInput) => Promise<Outcome>;
  readonly bodies: Bodies;
  readonly control: ControlHandler;
  readonly jwks: unknown;
  readonly store: Store;
  readonly hangs: HangRegistry;
  readonly maxBodyBytes: number;
  /** Called once per answered request, after the answer is written. */
  readonly log: (entry: JournalEntry) => void;
  readonly clock: () => number;
};

/** Headers a browser may read from our answers. */
const EXPOSED = 'WWW-Authenticate, X-Mock-Reason, X-Mock-Fault';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Prefer, X-Mock-Session, X-Mock-Admin-Token';
const BODY_TIMEOUT_MS = 10_000;

/** Builds the request → response function: routing, CORS, the contract operation, errors mapped to HTTP. */
export function createApp(deps: AppDeps): RequestListener {
  const { logoutPath, basePath, bodies, store, hangs, clock } = deps;
  const jwksBody = JSON.stringify(deps.jwks);
  const jwksPaths = new Set(['/.well-known/jwks.json', `${basePath}/.well-known/jwks.json`]);

  function cors(req: IncomingMessage): string[] {
    const origin = req.headers.origin;
    if (origin === undefined) return [];
    return ['access-control-allow-origin', origin, 'access-control-allow-credentials', 'true', 'access-control-expose-headers', EXPOSED, 'vary', 'Origin'];
  }

  function preflight(req: IncomingMessage, res: ServerResponse): void {
    const requested = req.headers['access-control-request-headers'];
    const headers = [
      ...cors(req),
      'access-control-allow-methods',
      'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers',
      requested && /^[\w\-, ]{1,1024}$/.test(requested) ? requested : ALLOWED_HEADERS,
      'access-control-max-age',
      '600',
      'content-length',
      '0',
    ];
    if (req.headers['access-control-request-private-network'] === 'true') headers.push('access-control-allow-private-network', 'true');
    res.writeHead(204, headers);
    res.end();
  }

  function notFound(req: IncomingMessage, res: ServerResponse, path: string): void {
    const cors_ = Object.fromEntries(pairs(cors(req)));
    sendJson(res, 404, { message: `no route for ${req.method} ${clean(path)}`, errorCode: 'ERR_NOT_FOUND' }, cors_);
  }

  function wrongMethod(req: IncomingMessage, res: ServerResponse, allow: string): void {
    const cors_ = Object.fromEntries(pairs(cors(req)));
    sendJson(res, 405, { message: `method ${req.method} is not allowed here; allowed: ${allow}`, errorCode: 'ERR_METHOD_NOT_ALLOWED' }, { ...cors_, allow });
  }

  async function logout(req: IncomingMessage, res: ServerResponse, query: URLSearchParams | undefined, started: number, at: number): Promise<void> {
    let malformed: string | undefined;
    let close = false;
    if (hasBody(req)) {
      const result = await readBody(req, deps.maxBodyBytes, BODY_TIMEOUT_MS);
      if (!result.ok) {
        malformed = result.error;
        close = result.tooLarge;
      } else if (result.body.length > 0 && isJsonType(req.headers['content-type'])) {
        try {
          JSON.parse(result.body.toString('utf8'));
        } catch (error) {
          malformed = jsonError(error);
        }
      }
    }
    const input: LogoutInput = {
      authorization: req.headers.authorization,
      authorizationCount: countHeader(req.rawHeaders, 'authorization'),
      prefer: typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined,
      codeParam: query?.get('__code') ?? null,
      delayParam: query?.get('__delay') ?? null,
      malformed,
      session: sessionOf(req),
    };
    let outcome = await deps.decide(input);
    if (outcome.delayMs > 0 || outcome.network === 'hang') {
      const signal = closed(res);
      await sleep(outcome.delayMs, signal);
      if (outcome.network === 'hang') {
        await hangs.wait(outcome.faultId as string, signal);
        // Released because the fault was cleared: answer as if it had never been armed.
        if (!signal.aborted) outcome = { ...(await deps.decide({ ...input, skipFaults: true })), faultId: outcome.faultId, delayMs: outcome.delayMs };
      }
      if (signal.aborted) return journal(req, 0, 'client went away before the answer', outcome, started, at, input.session);
    }
    if (outcome.network && outcome.network !== 'hang') {
      breakConnection(req.socket, outcome.network);
      return journal(req, 0, outcome.reason, outcome, started, at, input.session);
    }
    const body = bodies.of(outcome.status, outcome.reason);
    const headers = [
      'content-type',
      'application/json',
      'cache-control',
      'no-store',
      'content-length',
      String(body.length),
      'x-mock-reason',
      clean(outcome.reason),
    ];
    if (req.headers.origin !== undefined) headers.push(...cors(req));
    if (outcome.challenge) headers.push('www-authenticate', outcome.challenge);
    if (outcome.faultId) headers.push('x-mock-fault', outcome.faultId);
    if (close) headers.push('connection', 'close');
    res.writeHead(outcome.status, headers);
    res.end(body);
    journal(req, outcome.status, outcome.reason, outcome, started, at, input.session);
  }

  function journal(req: IncomingMessage, status: number, reason: string, outcome: Outcome, started: number, at: number, session: string | undefined): void {
    const claims = outcome.claims;
    // Fields in the order the journal has always had them (log lines and stored entries keep their shape).
    const entry = { at: isoTime(at), method: req.method ?? '', path: pathOf(req.url ?? '', logoutPath), status, reason } as Mutable<JournalEntry>;
    if (outcome.faultId) entry.faultId = outcome.faultId;
    if (claims) {
      entry.sub = claims.sub;
      entry.jti = claims.jti;
      entry.sid = claims.origin_jti;
    }
    if (session) entry.session = session;
    entry.ms = Math.round((performance.now() - started) * 100) / 100;
    deps.log(entry);
    store.appendRequest(entry).catch(() => {
      // The journal is best effort: a store that cannot keep it must not fail the answer already sent.
    });
  }

  /** Dispatches a request; a promise only where the answer waits for something (no promise made per request else). */
  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? undefined : new URLSearchParams(url.slice(q + 1));
    if (path === logoutPath) {
      if (req.method === 'POST') return logout(req, res, query, started, clock());
      if (req.method === 'OPTIONS') return preflight(req, res);
      return wrongMethod(req, res, 'POST, OPTIONS');
    }
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (path === '/__mock' || path.startsWith('/__mock/')) {
      const cors_ = pairs(cors(req));
      for (const [name, value] of cors_) res.setHeader(name, value);
      return deps.control(req, res, path, query ?? new URLSearchParams());
    }
    if (jwksPaths.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return wrongMethod(req, res, 'GET, HEAD');
      res.writeHead(200, ['content-type', 'application/json', 'cache-control', 'public, max-age=300', ...cors(req)]);
      res.end(req.method === 'HEAD' ? undefined : jwksBody);
      return;
    }
    return notFound(req, res, path);
  }

  return (req, res) => {
    const failed = (error: unknown) => {
      if (error instanceof InputError) {
        sendJson(res, 400, { message: error.message, errorCode: error.code, field: error.field });
      } else {
        if (!isMockError(error)) process.emitWarning(`worth-auth-mock: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
        sendJson(res, 500, { message: 'the mock failed to answer this request', errorCode: isMockError(error) ? error.code : 'ERR_INTERNAL' });
      }
    };
    try {
      req.url = originForm(req.url ?? '/');
      route(req, res)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

let lastMs = Number.NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, made once per millisecond however many requests arrive in it. */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** An AbortSignal that fires when the client goes away before the answer. */
function closed(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  // A client gone while the decision was awaited has already fired 'close': waiting for it would hold forever.
  if (res.destroyed || res.socket === null || res.socket.destroyed) {
    controller.abort();
    return controller.signal;
  }
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function sessionOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-mock-session'];
  if (typeof header === 'string' && header !== '') return header.slice(0, 256);
  return cookie(req, 'mock_session')?.slice(0, 256);
}

function pathOf(url: string, known: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  // The operation's own path, as the one string the app already holds (the journal keeps it, GC need not copy it).
  return path === known ? known : clean(path);
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
