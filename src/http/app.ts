import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Bodies } from '../contract/bodies.ts';
import type { ControlHandler } from '../control/control-api.ts';
import { headerSafe, MethodNotAllowedError, NotFoundError } from '../errors.ts';
import { breakConnection, type HangRegistry, sleep } from '../faults/network.ts';
import type { LogoutInput } from '../operations/logout.ts';
import type { Outcome } from '../operations/outcome.ts';
import type { JournalEntry } from '../state/journal.ts';
import type { Store } from '../state/store.ts';
import { answerPreflight, corsHeaders, headerObject } from './cors.ts';
import { errorAnswer } from './error-answer.ts';
import { readJsonBody } from './json-body.ts';
import { cookie, countHeader, hasBody, isJsonType, jsonError, originForm, readBody, sendJson } from './messages.ts';

/** What the app is built from; it knows nothing of sockets it did not receive. */
export type AppDeps = {
  readonly logoutPath: string;
  readonly basePath: string;
  readonly decide: (input: LogoutInput) => Promise<Outcome>;
  readonly bodies: Bodies;
  readonly control: ControlHandler;
  /** Serves the QA panel page (`GET /__mock/`). */
  readonly panel: (req: IncomingMessage, res: ServerResponse) => void;
  readonly jwks: unknown;
  readonly store: Store;
  readonly hangs: HangRegistry;
  readonly maxBodyBytes: number;
  /** Called once per answered request, after the answer is written. */
  readonly log: (entry: JournalEntry) => void;
  readonly clock: () => number;
};

const BODY_TIMEOUT_MS = 10_000;

/** Builds the request → response function: routing, CORS, the contract operation, errors mapped to HTTP. */
export function createApp(deps: AppDeps): RequestListener {
  const { logoutPath, basePath, bodies, store, hangs, clock } = deps;
  const jwksBody = JSON.stringify(deps.jwks);
  const jwksPaths = new Set(['/.well-known/jwks.json', `${basePath}/.well-known/jwks.json`]);

  const cors = (req: IncomingMessage) => corsHeaders(req.headers.origin);

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
      headerSafe(outcome.reason),
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
      if (req.method === 'OPTIONS') return answerPreflight(req, res);
      throw new MethodNotAllowedError(`method ${req.method} is not allowed here; allowed: POST, OPTIONS`, 'POST, OPTIONS');
    }
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    if (path === '/__mock' || path.startsWith('/__mock/')) return control(req, res, path, query ?? new URLSearchParams());
    if (jwksPaths.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new MethodNotAllowedError(`method ${req.method} is not allowed here; allowed: GET, HEAD`, 'GET, HEAD');
      res.writeHead(200, ['content-type', 'application/json', 'cache-control', 'public, max-age=300', ...cors(req)]);
      res.end(req.method === 'HEAD' ? undefined : jwksBody);
      return;
    }
    throw new NotFoundError(`no route for ${req.method} ${headerSafe(path)}`);
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const allowed = cors(req);
    for (let i = 0; i < allowed.length; i += 2) res.setHeader(allowed[i]!, allowed[i + 1]!);
    const answer = await deps.control({ method: req.method ?? 'GET', path, query, headers: req.headers, json: () => readJsonBody(req, res) });
    if ('panel' in answer) return deps.panel(req, res);
    sendJson(res, answer.status, answer.body);
  }

  return (req, res) => {
    // The one place a thrown error becomes an answer (statuses from the ERR_* catalogue), CORS included.
    const failed = (error: unknown) => {
      const answer = errorAnswer(error);
      sendJson(res, answer.status, answer.body, { ...headerObject(cors(req)), ...answer.headers });
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
  return path === known ? known : headerSafe(path);
}
