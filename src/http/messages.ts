import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { parseCookie } from 'cookie';
import { jsonParsePosition } from '../errors.ts';

/**
 * A body read with bounds: the bytes, or why it could not be read and whether the connection must then close (the
 * rest of the body will not be read: it stalled, was cut off, or declares more than is ever thrown away).
 */
export type BodyResult = { ok: true; body: Buffer } | { ok: false; error: string; close: boolean };

/** True when the request declares a body (Content-Length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * How much of a body over the limit is still read and thrown away after the answer, in bytes. A server that answers
 * and closes while the client is still uploading resets the connection, and the client reads the reset instead of
 * the answer (RFC 9112 §9.6): this one answers at once and goes on reading, so the client, done sending, reads it.
 */
const DISCARDED_AT_MOST = 4 * 1024 * 1024;

/**
 * Reads the body, at most `limit` bytes and within `timeoutMs`: a body over the limit or that never finishes gets an
 * answer instead of buffering forever. A body over the limit is refused at once, and its rest read and thrown away
 * (`discardRest`); one that declares more than the limit and DISCARDED_AT_MOST is refused unread, with a close.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    const error = `request body of ${declared} bytes is over the ${limit}-byte limit`;
    const close = declared > limit + DISCARDED_AT_MOST;
    if (!close) discardRest(req, timeoutMs);
    return Promise.resolve({ ok: false, error, close });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      finish({ ok: false, error: `request body is over the ${limit}-byte limit`, close: false });
      discardRest(req, timeoutMs);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = () => finish({ ok: false, error: 'request body was cut off', close: true });
    const timer = setTimeout(() => finish({ ok: false, error: `request body did not finish within ${timeoutMs} ms`, close: true }), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Reads the rest of a refused body and throws it away, so the connection outlives the answer (and serves the next
 * request once the body ends); one that sends more than DISCARDED_AT_MOST, or has not ended within `timeoutMs`, is
 * closed.
 */
function discardRest(req: IncomingMessage, timeoutMs: number): void {
  if (req.complete) return;
  let left = DISCARDED_AT_MOST;
  const stop = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', stop);
    req.off('error', stop);
  };
  const close = () => {
    stop();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) close();
  };
  const timer = setTimeout(close, timeoutMs);
  req.on('data', onData);
  req.on('end', stop);
  req.on('error', stop);
}

/** True for `application/json` and `application/*+json`. */
export function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Why a body declared JSON did not parse, by position only (see `jsonParsePosition`). */
export function jsonError(error: unknown): string {
  return `body is declared JSON but does not parse${jsonParsePosition(error)}`;
}

/** The origin-form (`/path?query`) of a request target: the absolute-form (`http://host/path`), which RFC 9112 says servers must accept, loses its scheme and authority. */
export function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  const authority = /^https?:\/\/[^/?#]*/i.exec(target);
  if (!authority) return target;
  const rest = target.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Counts headers named `name` (lower-case) as they arrived; Node keeps only the first of some. */
export function countHeader(rawHeaders: readonly string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const key = rawHeaders[i]!;
    if (key.length === name.length && key.toLowerCase() === name) n++;
  }
  return n;
}

/**
 * Reads one cookie from the Cookie header (RFC 6265 §4.2.1, parsed by the `cookie` package), percent-decoded,
 * its surrounding double quotes removed (`name="value"` is the quoted form §4.1.1 allows).
 */
export function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const value = parseCookie(header)[name];
  if (value === undefined) return undefined;
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** Writes a JSON response (no-store), unless the client already left; `head`: the same head without the body (a HEAD request). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}, head = false): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(head ? undefined : text);
}
