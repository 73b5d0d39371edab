import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { agentFor, describeFailure, isTimeout, timeoutError } from './http-call.ts';

/** The local stand-in for the provider that the Pact Verifier calls: its URL and `close()`. */
export type ProviderProxy = { readonly url: string; close(): Promise<void> };

/** Why a provider request got no answer, named with the URL the user gave; `timedOut` when the limit passed. */
export type ProviderFailure = { readonly cause: string; readonly timedOut: boolean };

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the message, so they are not forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

/**
 * Starts a loopback proxy that forwards every request, unchanged but for `Host` and hop-by-hop headers, to
 * `target` (its path prefix kept; through HTTP(S)_PROXY when set) and streams the answer back unchanged. A request the provider does not answer
 * within `timeoutMs()` — or cannot take (refused, reset, TLS) — gets a quick 504/502 naming the cause instead of
 * hanging the Verifier, and `onFailure` records that cause with the URL the user gave.
 */
export async function startProviderProxy(target: string, timeoutMs: () => number, onFailure: (failure: ProviderFailure) => void): Promise<ProviderProxy> {
  const base = new URL(target);
  const prefix = base.pathname.replace(/\/+$/, '');
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;

  const server = createServer((req, res) => {
    const limit = timeoutMs();
    const headers: IncomingHttpHeaders = { ...req.headers, host: base.host };
    for (const name of HOP_BY_HOP) delete headers[name];
    const url = new URL(`${prefix}${req.url ?? '/'}`, base.origin);
    const upstream = send(url, { method: req.method, headers, agent: agentFor(url) });
    const timer = setTimeout(() => upstream.destroy(timeoutError(limit)), Math.max(1, limit));
    upstream.once('response', (answer) => {
      const back: IncomingHttpHeaders = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete back[name];
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
      answer.once('end', () => clearTimeout(timer));
    });
    let abandoned = false;
    upstream.once('error', (error) => {
      clearTimeout(timer);
      if (abandoned) return;
      const cause = `provider ${describeFailure(error, target)}`;
      onFailure({ cause, timedOut: isTimeout(error) });
      if (res.headersSent) return void res.destroy();
      res.writeHead(isTimeout(error) ? 504 : 502, { 'content-type': 'text/plain; charset=utf-8' }).end(`worth-auth-mock verify: ${cause}\n`);
    });
    // The Verifier gave up (or was stopped): nothing waits for the provider's answer any more.
    res.once('close', () => {
      clearTimeout(timer);
      if (res.writableFinished) return;
      abandoned = true;
      upstream.destroy();
    });
    req.pipe(upstream);
  });

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ready());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
