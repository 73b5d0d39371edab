import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Body } from '../contract/bodies.ts';
import { headerSafe } from '../errors.ts';
import type { Outcome } from '../operations/outcome.ts';
import { corsHeaders } from './cors.ts';

/**
 * Writes an operation's decided answer: its status and JSON body (text with its length: node:http sends head and body
 * in one write), `Cache-Control: no-store`, the reason in `X-Mock-Reason` (header-safe), the RFC 6750 challenge of a
 * 401 or 403, the fault that answered (`X-Mock-Fault`), cookies, CORS for a request with an Origin, and
 * `Connection: close` when the connection cannot be read further. HEAD gets the same head without the body; a 204 or
 * 304 has neither body nor Content-Type nor Content-Length.
 */
export function writeAnswer(req: IncomingMessage, res: ServerResponse, outcome: Outcome, body: Body, close: boolean): void {
  const reason = headerSafe(outcome.reason);
  // The usual answers' headers in one array of their size (pushing onto it would copy it to a larger one).
  const contentType = body.contentType ?? 'application/json';
  const headers =
    outcome.challenge === undefined
      ? ['content-type', contentType, 'cache-control', 'no-store', 'content-length', body.contentLength, 'x-mock-reason', reason]
      : [
          'content-type',
          contentType,
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
  if (outcome.headers) headers.push(...outcome.headers);
  if (close) headers.push('connection', 'close');
  if (outcome.status === 204 || outcome.status === 304) {
    // No content: no Content-Type or Content-Length either (RFC 9110 §8.6, §15.3.5).
    headers.splice(0, 6, 'cache-control', 'no-store');
    res.writeHead(outcome.status, headers);
    return void res.end();
  }
  res.writeHead(outcome.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body.text);
}
