import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Bodies } from '../contract/bodies.ts';
import type { OperationName } from '../contract/spec.ts';
import { headerSafe } from '../errors.ts';
import { breakConnection, type HangRegistry, sleep } from '../faults/network.ts';
import type { Outcome } from '../operations/outcome.ts';
import type { OperationRequest } from '../operations/request.ts';
import { corsHeaders } from './cors.ts';
import type { Journal } from './journal-writer.ts';
import { cookie, countHeader, hasBody, isJsonType, jsonError, readBody } from './messages.ts';

/** How long a contract operation's body may take to arrive, in milliseconds. */
const BODY_TIMEOUT_MS = 10_000;

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

/** A connection's decisions in progress: a request is decided only after the ones before it on the connection. */
type Lane = { busy: number; tail: Promise<unknown> | undefined; readonly settled: () => void };

/**
 * Serves one contract operation: reads the request (bounded), decides in request order on the connection
 * (RFC 9112 §9.3.2), waits out a delay or a `hang`, breaks the connection for a network fault, else writes the
 * documented answer with CORS, and journals it.
 */
export function createOperationRoute(
  deps: OperationRouteDeps,
): (req: IncomingMessage, res: ServerResponse, query: URLSearchParams | undefined, started: number) => Promise<void> {
  const { name, bodies, hangs, journal } = deps;
  const lanes = new WeakMap<Socket, Lane>();

  /** Reads the request and decides; returns the request read and the outcome. */
  async function decide(req: IncomingMessage, query: URLSearchParams | undefined): Promise<[OperationRequest, Outcome, boolean]> {
    let malformed: string | undefined;
    let json: unknown;
    let close = false;
    const present = hasBody(req);
    const contentType = mediaType(req.headers['content-type']);
    if (present) {
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
    }
    const request: OperationRequest = {
      authorization: req.headers.authorization,
      authorizationCount: countHeader(req.rawHeaders, 'authorization'),
      prefer: typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined,
      codeParam: query?.get('__code') ?? null,
      delayParam: query?.get('__delay') ?? null,
      malformed,
      hasBody: present,
      contentType,
      json,
      cookie: (cookieName) => cookie(req, cookieName),
      session: sessionOf(req),
    };
    return [request, await deps.decide(request), close];
  }

  /** `decide`, after the decisions of the requests before this one on its connection (no promise made when none is pending). */
  function decideInOrder(req: IncomingMessage, query: URLSearchParams | undefined): Promise<[OperationRequest, Outcome, boolean]> {
    const socket = req.socket;
    let lane = lanes.get(socket);
    if (lane === undefined) {
      const fresh: Lane = {
        busy: 0,
        tail: undefined,
        settled: () => {
          fresh.busy -= 1;
        },
      };
      lane = fresh;
      lanes.set(socket, fresh);
    }
    lane.busy += 1;
    let decision: Promise<[OperationRequest, Outcome, boolean]>;
    if (lane.busy > 1 && lane.tail) {
      const next = () => decide(req, query);
      decision = lane.tail.then(next, next);
    } else decision = decide(req, query);
    lane.tail = decision;
    // One reaction per request, made once per connection: settled before the answer's own await resumes.
    decision.then(lane.settled, lane.settled);
    return decision;
  }

  return async (req, res, query, started) => {
    let [request, outcome, close] = await decideInOrder(req, query);
    if (outcome.delayMs > 0 || outcome.network === 'hang') {
      const signal = closed(res);
      await sleep(outcome.delayMs, signal);
      if (outcome.network === 'hang') {
        await hangs.wait(outcome.faultId as string, signal);
        // Released because the fault was cleared: answer as if it had never been armed.
        if (!signal.aborted) {
          request = { ...request, skipFaults: true };
          outcome = { ...(await deps.decide(request)), faultId: outcome.faultId, delayMs: outcome.delayMs };
        }
      }
      if (signal.aborted) {
        // The decision stands (a logout is stored): the journal says what was decided, and that nobody heard it.
        if (outcome.network === 'hang') return journal.record(req, name, 0, 'client went away before the answer', outcome, started, request.session);
        return journal.record(req, name, outcome.status, `${outcome.reason} (client went away before the answer)`, outcome, started, request.session);
      }
    }
    if (outcome.network && outcome.network !== 'hang') {
      breakConnection(req.socket, outcome.network);
      return journal.record(req, name, 0, outcome.reason, outcome, started, request.session);
    }
    const body = outcome.body === undefined ? bodies.of(outcome.status, outcome.reason) : Buffer.from(JSON.stringify(outcome.body));
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
    if (req.headers.origin !== undefined) headers.push(...corsHeaders(req.headers.origin));
    if (outcome.challenge) headers.push('www-authenticate', outcome.challenge);
    if (outcome.faultId) headers.push('x-mock-fault', outcome.faultId);
    if (outcome.cookies) for (const value of outcome.cookies) headers.push('set-cookie', value);
    if (close) headers.push('connection', 'close');
    res.writeHead(outcome.status, headers);
    res.end(body);
    journal.record(req, name, outcome.status, outcome.reason, outcome, started, request.session);
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
