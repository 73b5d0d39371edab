import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BODY_TIMEOUT_MS } from '../config/limits.ts';
import { type Bodies, jsonBody } from '../contract/bodies.ts';
import type { OperationName } from '../contract/spec.ts';
import { headerSafe } from '../errors.ts';
import { breakConnection, type HangRegistry, sleep } from '../faults/network.ts';
import type { Outcome } from '../operations/outcome.ts';
import type { OperationRequest } from '../operations/request.ts';
import { corsHeaders } from './cors.ts';
import type { Journal } from './journal-writer.ts';
import { cookie, countHeader, hasBody, isJsonType, jsonError, readBody } from './messages.ts';

/** What serving one contract operation needs. */
export type OperationRouteDeps = {
  readonly name: OperationName;
  /** The operation's decision (DESIGN.md's table for it). */
  readonly decide: (request: OperationRequest) => Promise<Outcome>;
  /** The spec's example bodies of this operation, by status. */
  readonly bodies: Bodies;
  readonly hangs: HangRegistry;
  readonly journal: Journal;
  /** The largest body read, in bytes; a larger one is answered 400 and the connection closed. */
  readonly maxBodyBytes: number;
  /**
   * Parse a body sent with no Content-Type as JSON too (sign-in, refresh: clients of a JSON API often omit it).
   * Logout reads only bodies declared JSON.
   */
  readonly parseUntypedJson: boolean;
};

/** A request read, its operation's outcome, and whether the connection closes after the answer. */
type Decided = [OperationRequest, Outcome, boolean];

/** An answer decided, waiting for the end of its event-loop turn. */
type Due = {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly request: OperationRequest;
  readonly outcome: Outcome;
  readonly close: boolean;
  readonly started: number;
};

/**
 * Serves one contract operation: reads the request (bounded), decides in request order on the connection
 * (RFC 9112 §9.3.2), waits out a delay or a `hang`, breaks the connection for a network fault, else writes the
 * documented answer with CORS, and journals it. Answers decided without a delay are written together at the end of
 * the event-loop turn (`setImmediate`), once every request that came in it has been read and decided.
 */
export function createOperationRoute(
  deps: OperationRouteDeps,
): (req: IncomingMessage, res: ServerResponse, query: URLSearchParams | undefined, started: number) => Promise<void> {
  const { name, bodies, hangs, journal } = deps;
  /** Each connection's latest decision still pending. */
  const pending = new WeakMap<Socket, Promise<unknown>>();

  /**
   * Reads the request and decides; resolves the request read, the outcome and whether to close the connection.
   * A request without a body is read at once: no async function (its frame is the largest allocation of a request).
   */
  function decide(req: IncomingMessage, query: URLSearchParams | undefined): Promise<Decided> {
    const contentType = mediaType(req.headers['content-type']);
    if (hasBody(req)) return readAndDecide(req, query, contentType);
    const request = requestOf(req, query, false, contentType, undefined, undefined);
    return deps.decide(request).then((outcome): Decided => [request, outcome, false]);
  }

  async function readAndDecide(req: IncomingMessage, query: URLSearchParams | undefined, contentType: string | undefined): Promise<Decided> {
    let malformed: string | undefined;
    let json: unknown;
    let close = false;
    const result = await readBody(req, deps.maxBodyBytes, BODY_TIMEOUT_MS);
    if (!result.ok) {
      malformed = result.error;
      close = result.tooLarge;
    } else if (result.body.length > 0 && (isJsonType(contentType) || (deps.parseUntypedJson && contentType === undefined))) {
      try {
        json = JSON.parse(result.body.toString('utf8'));
      } catch (error) {
        malformed = jsonError(error);
      }
    }
    const request = requestOf(req, query, true, contentType, json, malformed);
    return [request, await deps.decide(request), close];
  }

  /**
   * `decide`, after the decision of the request before this one on its connection when that one is still pending
   * (each connection's latest pending decision is kept until it settles; none kept, nothing chained).
   */
  function decideInOrder(req: IncomingMessage, query: URLSearchParams | undefined): Promise<Decided> {
    const socket = req.socket;
    const before = pending.get(socket);
    let decision: Promise<Decided>;
    if (before === undefined) decision = decide(req, query);
    else {
      const next = () => decide(req, query);
      decision = before.then(next, next);
    }
    pending.set(socket, decision);
    return decision;
  }

  /** Forgets a connection's pending decision once it settled, unless a later request's is pending after it. */
  function settled(socket: Socket, decision: Promise<unknown>): void {
    if (pending.get(socket) === decision) pending.delete(socket);
  }

  /** Waits out a delay or a `hang`; resolves the outcome to answer (decided again when a hang's fault is cleared), or undefined when the client left. */
  async function held(req: IncomingMessage, res: ServerResponse, request: OperationRequest, decided: Outcome, started: number): Promise<Outcome | undefined> {
    let outcome = decided;
    const signal = closed(res);
    await sleep(outcome.delayMs, signal);
    if (outcome.network === 'hang') {
      await hangs.wait(outcome.faultId as string, signal);
      // Released because the fault was cleared: answer as if it had never been armed.
      if (!signal.aborted) outcome = { ...(await deps.decide({ ...request, skipFaults: true })), faultId: outcome.faultId, delayMs: outcome.delayMs };
    }
    if (!signal.aborted) return outcome;
    // The decision stands (a logout is stored): the journal says what was decided, and that nobody heard it.
    if (outcome.network === 'hang') journal.record(req, name, 0, 'client went away before the answer', outcome, started, request.session);
    else journal.record(req, name, outcome.status, `${outcome.reason} (client went away before the answer)`, outcome, started, request.session);
    return undefined;
  }

  /** Writes the documented answer (or breaks the connection for a network fault) and journals it. */
  function answer(req: IncomingMessage, res: ServerResponse, request: OperationRequest, outcome: Outcome, close: boolean, started: number): void {
    if (outcome.network && outcome.network !== 'hang') {
      breakConnection(req.socket, outcome.network);
      journal.record(req, name, 0, outcome.reason, outcome, started, request.session);
      return;
    }
    const body = outcome.body === undefined ? bodies.of(outcome.status, outcome.reason) : jsonBody(outcome.body);
    const reason = headerSafe(outcome.reason);
    // The usual answers' headers in one array of their size (pushing onto it would copy it to a larger one).
    const headers =
      outcome.challenge === undefined
        ? ['content-type', 'application/json', 'cache-control', 'no-store', 'content-length', body.contentLength, 'x-mock-reason', reason]
        : [
            'content-type',
            'application/json',
            'cache-control',
            'no-store',
            'content-length',
            body.contentLength,
            'x-mock-reason',
            reason,
            'www-authenticate',
            outcome.challenge,
          ];
    if (req.headers.origin !== undefined) headers.push(...corsHeaders(req.headers.origin));
    if (outcome.faultId) headers.push('x-mock-fault', outcome.faultId);
    if (outcome.cookies) for (const value of outcome.cookies) headers.push('set-cookie', value);
    if (close) headers.push('connection', 'close');
    res.writeHead(outcome.status, headers);
    res.end(body.text);
    journal.record(req, name, outcome.status, outcome.reason, outcome, started, request.session);
  }

  /** Answers decided in this event-loop turn, not written yet. */
  let due: Due[] = [];

  /** Answers a decided request: at the end of this event-loop turn, or after its delay or `hang`. */
  function respond(
    req: IncomingMessage,
    res: ServerResponse,
    request: OperationRequest,
    decided: Outcome,
    close: boolean,
    started: number,
  ): Promise<void> | void {
    if (decided.delayMs === 0 && decided.network !== 'hang') {
      // Written with the others of this turn once it has read and decided every request that came in it: under load
      // the answers leave, and the clients' next requests come back, in bursts (a bare node:http server answering from
      // setImmediate used ~16% less CPU a request than answering at once, A/B over 30 rounds); a request alone in its
      // turn is answered a few µs later at most.
      if (due.length === 0) setImmediate(writeDue);
      due.push({ req, res, request, outcome: decided, close, started });
      return;
    }
    return held(req, res, request, decided, started).then((outcome) => outcome && answer(req, res, request, outcome, close, started));
  }

  function writeDue(): void {
    const batch = due;
    due = [];
    for (const { req, res, request, outcome, close, started } of batch) {
      try {
        answer(req, res, request, outcome, close, started);
      } catch (error) {
        failed(req, res, request, started, error);
      }
    }
  }

  /** An answer that could not be written (a bug): the documented 500 if it still can be, else the connection cut. */
  function failed(req: IncomingMessage, res: ServerResponse, request: OperationRequest, started: number, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      answer(req, res, request, { status: 500, reason: `answer failed: ${headerSafe((error as Error)?.message ?? String(error))}`, delayMs: 0 }, true, started);
    } catch {
      res.destroy();
    }
  }

  return (req, res, query, started) => {
    const socket = req.socket;
    // A decision that fails leaves its entry behind: the next request on the connection waits one turn more for it.
    if (!pending.has(socket) && !hasBody(req)) {
      // The usual request: nothing pending before it on its connection, no body to read; one step from decision to answer.
      const request = requestOf(req, query, false, mediaType(req.headers['content-type']), undefined, undefined);
      const decision = deps.decide(request);
      pending.set(socket, decision);
      return decision.then((outcome) => {
        settled(socket, decision);
        return respond(req, res, request, outcome, false, started);
      });
    }
    const decision = decideInOrder(req, query);
    return decision.then(([request, decided, close]) => {
      settled(socket, decision);
      return respond(req, res, request, decided, close, started);
    });
  };
}

/** The cookie reader of a request without a Cookie header (most API clients send none): one function for all of them. */
function noCookie(): undefined {
  return undefined;
}

/** What the route reads of a request, for the operation's decision. */
function requestOf(
  req: IncomingMessage,
  query: URLSearchParams | undefined,
  hasBody: boolean,
  contentType: string | undefined,
  json: unknown,
  malformed: string | undefined,
): OperationRequest {
  return {
    authorization: req.headers.authorization,
    authorizationCount: countHeader(req.rawHeaders, 'authorization'),
    prefer: typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined,
    codeParam: query?.get('__code') ?? null,
    delayParam: query?.get('__delay') ?? null,
    malformed,
    hasBody,
    contentType,
    json,
    cookie: req.headers.cookie === undefined ? noCookie : (cookieName) => cookie(req, cookieName),
    session: sessionOf(req),
  };
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

/** The client session that scopes faults: the `X-Mock-Session` header, else the `mock_session` cookie (256 characters at most). */
function sessionOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-mock-session'];
  if (typeof header === 'string' && header !== '') return header.slice(0, 256);
  return cookie(req, 'mock_session')?.slice(0, 256);
}

/** A Content-Type's media type, lower-cased, without parameters; undefined when there is none. */
function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const type = header.split(';', 1)[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}
