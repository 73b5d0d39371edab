import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Bodies, jsonBody } from '../contract/bodies.ts';
import { headerSafe } from '../errors.ts';
import { breakConnection, type HangRegistry, sleep } from '../faults/network.ts';
import type { Decide } from '../operations/decision.ts';
import type { BodyReading } from '../operations/operation.ts';
import type { Outcome } from '../operations/outcome.ts';
import type { OperationRequest } from '../operations/request.ts';
import { writeAnswer } from './answer.ts';
import { createConnectionOrder } from './connection-order.ts';
import type { Journal } from './journal-writer.ts';
import { hasBody } from './messages.ts';
import { type ReadRequest, type RequestTarget, readWithBody, readWithoutBody } from './read-request.ts';
import { createTurnBatch } from './turn-batch.ts';

/** Serves one operation's requests: `req`/`res`, the route's path parameters, the query, and when the request arrived (`performance.now()`). */
export type OperationHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Readonly<Record<string, string>>,
  query: URLSearchParams | undefined,
  started: number,
) => Promise<void>;

/** What serving one operation needs. */
export type OperationHandlerDeps = {
  /** The operation's name, as the journal and faults know it. */
  readonly name: string;
  readonly decide: Decide;
  readonly body: BodyReading;
  /** The operation's documented bodies, by status. */
  readonly bodies: Bodies;
  readonly hangs: HangRegistry;
  readonly journal: Journal;
  /** The largest body read, in bytes; a larger one is answered 400 and the connection closed. */
  readonly maxBodyBytes: number;
};

/** A decided answer waiting for the end of its event-loop turn. */
type Due = {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly request: OperationRequest;
  readonly outcome: Outcome;
  readonly close: boolean;
  readonly started: number;
};

/**
 * Builds the handler of one operation. A request goes read → decide → wait → answer: read (bounded) and decided in
 * its connection's order (connection-order.ts); an answer without a delay waits for the end of its event-loop turn
 * and leaves with the others of that turn (turn-batch.ts); a delay or a `hang` is waited out (a hang until its fault
 * is cleared, then decided again as if it had never been armed); a network fault breaks the connection; else the
 * documented answer is written (answer.ts) and journaled.
 */
export function createOperationHandler(deps: OperationHandlerDeps): OperationHandler {
  const { name, bodies, hangs, journal } = deps;
  const order = createConnectionOrder();
  const batch = createTurnBatch<Due>(({ req, res, request, outcome, close, started }) => {
    try {
      answer(req, res, request, outcome, close, started);
    } catch (error) {
      failed(req, res, request, started, error);
    }
  });

  /** Reads a request (its body, when it has one), then decides it. */
  async function readAndDecide(req: IncomingMessage, params: RequestTarget['params'], query: RequestTarget['query']): Promise<[ReadRequest, Outcome]> {
    const read = hasBody(req)
      ? await readWithBody(req, params, query, deps.body, deps.maxBodyBytes)
      : { request: readWithoutBody(req, params, query), close: false };
    return [read, await deps.decide(read.request)];
  }

  /** Waits out a delay or a `hang`; resolves the outcome to answer, or undefined when the client left meanwhile. */
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
    const unheard =
      outcome.network === 'hang'
        ? { ...outcome, status: 0, reason: 'client went away before the answer' }
        : { ...outcome, reason: `${outcome.reason} (client went away before the answer)` };
    journal.record({ req, operation: name, outcome: unheard, started, testSession: request.testSession });
    return undefined;
  }

  /** Writes the documented answer, or breaks the connection for a network fault, and journals it. */
  function answer(req: IncomingMessage, res: ServerResponse, request: OperationRequest, outcome: Outcome, close: boolean, started: number): void {
    if (outcome.network && outcome.network !== 'hang') breakConnection(req.socket, outcome.network);
    else {
      const body = outcome.payload ?? (outcome.body === undefined ? bodies.of(outcome.status, outcome.reason, outcome.message) : jsonBody(outcome.body));
      // A status the operation does not document (the gate's 401 on a mounted document that has none) says so.
      const said = bodies.documents(outcome.status) ? outcome : { ...outcome, reason: `${outcome.reason} (${outcome.status} is not documented for ${name})` };
      writeAnswer(req, res, said, body, close);
    }
    journal.record({ req, operation: name, outcome, started, testSession: request.testSession });
  }

  /** Answers a decided request: at the end of this turn, or after its delay or `hang`. */
  function respond(
    req: IncomingMessage,
    res: ServerResponse,
    request: OperationRequest,
    outcome: Outcome,
    close: boolean,
    started: number,
  ): Promise<void> | void {
    if (outcome.delayMs === 0 && outcome.network !== 'hang') return batch.push({ req, res, request, outcome, close, started });
    return held(req, res, request, outcome, started).then((heard) => heard && answer(req, res, request, heard, close, started));
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

  return (req, res, params, query, started) => {
    const socket = req.socket;
    if (!order.busy(socket) && !hasBody(req)) {
      // The usual request: nothing pending before it on its connection, no body to read; one step from decision to answer.
      const request = readWithoutBody(req, params, query);
      const decision = deps.decide(request);
      order.hold(socket, decision);
      return decision.then((outcome) => {
        order.settled(socket, decision);
        return respond(req, res, request, outcome, false, started);
      });
    }
    const decision = order.next(socket, () => readAndDecide(req, params, query));
    return decision.then(([read, outcome]) => {
      order.settled(socket, decision);
      return respond(req, res, read.request, outcome, read.close, started);
    });
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
