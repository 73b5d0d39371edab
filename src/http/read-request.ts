import type { IncomingMessage } from 'node:http';
import { BODY_TIMEOUT_MS } from '../config/limits.ts';
import type { BodyReading } from '../operations/operation.ts';
import type { OperationRequest } from '../operations/request.ts';
import { cookie, countHeader, isJsonType, jsonError, readBody } from './messages.ts';

/** A request read for its operation, and whether its connection must close after the answer (a body over the limit or cut off). */
export type ReadRequest = { readonly request: OperationRequest; readonly close: boolean };

/** Where a request is read from besides `req`: the route's path parameters and the query string. */
export type RequestTarget = { readonly params: Readonly<Record<string, string>>; readonly query: URLSearchParams | undefined };
type Params = RequestTarget['params'];
type Query = RequestTarget['query'];

/**
 * Reads what an operation's decision needs of a request that has no body, at once (no promise: the usual request).
 * Callers check `hasBody(req)` first; a request with a body goes through `readWithBody`.
 */
export function readWithoutBody(req: IncomingMessage, params: Params, query: Query): OperationRequest {
  return requestOf(req, params, query, false, mediaType(req.headers['content-type']), undefined, undefined);
}

/**
 * Reads a request's body (at most `maxBodyBytes`, within BODY_TIMEOUT_MS) and parses it as JSON as the operation's
 * `reading` says; a body over the limit, cut off or stalled is `malformed` and closes the connection, and one declared
 * JSON that does not parse is `malformed` (named by position, never quoted).
 */
export async function readWithBody(req: IncomingMessage, params: Params, query: Query, reading: BodyReading, maxBodyBytes: number): Promise<ReadRequest> {
  const contentType = mediaType(req.headers['content-type']);
  const result = await readBody(req, maxBodyBytes, BODY_TIMEOUT_MS);
  if (!result.ok) return { request: requestOf(req, params, query, true, contentType, undefined, result.error), close: result.close };
  const parse = reading === 'json-untyped' ? isJsonType(contentType) || contentType === undefined : reading === 'json' && isJsonType(contentType);
  if (!parse || result.body.length === 0) return { request: requestOf(req, params, query, true, contentType, undefined, undefined), close: false };
  try {
    return { request: requestOf(req, params, query, true, contentType, JSON.parse(result.body.toString('utf8')), undefined), close: false };
  } catch (error) {
    return { request: requestOf(req, params, query, true, contentType, undefined, jsonError(error)), close: false };
  }
}

function requestOf(
  req: IncomingMessage,
  params: Params,
  query: Query,
  body: boolean,
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
    params,
    query,
    malformed,
    hasBody: body,
    contentType,
    json,
    cookie: req.headers.cookie === undefined ? noCookie : (name) => cookie(req, name),
    testSession: testSessionOf(req),
  };
}

/** The cookie reader of a request without a Cookie header (most API clients send none): one function for all of them. */
function noCookie(): undefined {
  return undefined;
}

/** The test session that scopes faults: the `X-Mock-Session` header, else the `mock_session` cookie (256 characters at most). */
export function testSessionOf(req: IncomingMessage): string | undefined {
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
