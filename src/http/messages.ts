import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { parseCookie } from 'cookie';
import { jsonParsePosition } from '../errors.ts';

/** A body read with bounds: the bytes, or why it could not be read. */
export type BodyResult = { ok: true; body: Buffer } | { ok: false; error: string; tooLarge: boolean };

/** True when the request declares a body (Content-Length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * How much of a body over the limit is still read, and thrown away, before the answer, in bytes: a client that is still
 * uploading when a server answers and closes reads a reset (EPIPE) instead of the answer (RFC 9112 §9.6); one whose
 * upload was read to its end reads the 400. A body declared larger than the limit and this is answered at once.
 */
const DISCARDED_AT_MOST = 4 * 1024 * 1024;

/**
 * Reads the body, at most `limit` bytes and within `timeoutMs`: a body over the limit or that never finishes gets an
 * answer instead of buffering forever. A body over the limit is read to its end and thrown away (up to
 * DISCARDED_AT_MOST more bytes, within the same time), so the client, done sending, reads the answer.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit + DISCARDED_AT_MOST) {
    return Promise.resolve({ ok: false, error: `request body of ${declared} bytes is over the ${limit}-byte limit`, tooLarge: true });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over: string | undefined = declared > limit ? `request body of ${declared} bytes is over the ${limit}-byte limit` : undefined;
    const finish = (result: BodyResult) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over ??= `request body is over the ${limit}-byte limit`;
        chunks.length = 0; // thrown away as it comes
        if (size > limit + DISCARDED_AT_MOST) finish({ ok: false, error: over, tooLarge: true });
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(over === undefined ? { ok: true, body: Buffer.concat(chunks, size) } : { ok: false, error: over, tooLarge: true });
    const onError = () => finish({ ok: false, error: 'request body was cut off', tooLarge: true });
    const timer = setTimeout(() => finish({ ok: false, error: over ?? `request body did not finish within ${timeoutMs} ms`, tooLarge: true }), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
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
