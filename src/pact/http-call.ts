import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One HTTP answer as `callHttp` reads it: the status, headers and at most `maxBody` bytes of the body. */
export type HttpAnswer = { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer };

/** What `callHttp` sends. `timeoutMs` bounds the whole exchange, connecting included. */
export type HttpCall = {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Bytes of the answer's body kept (default 64 KiB); the rest is read and dropped. */
  readonly maxBody?: number;
};

/** The `code` of the error `timeoutError` makes: the other side did not answer within the limit. */
const TIMED_OUT = 'ECALLTIMEOUT';

/** The socket error `callHttp` and the provider proxy destroy a request with when its limit passes (code ECALLTIMEOUT). */
export function timeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: TIMED_OUT, timeoutMs });
}

/** True for an error made by `timeoutError`. */
export function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown })?.code === TIMED_OUT;
}

/** Host names that are this machine: never reached through a proxy. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The agent for one request to `url`: a fresh connection (no keep-alive pool outlives the command) that honours
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY as Pact's own clients do (Node's `proxyEnv`), except for loopback hosts.
 */
export function agentFor(url: URL): HttpAgent {
  const proxyEnv = LOOPBACK.has(url.hostname) ? undefined : process.env;
  return url.protocol === 'https:' ? new HttpsAgent({ keepAlive: false, proxyEnv }) : new HttpAgent({ keepAlive: false, proxyEnv });
}

/**
 * One HTTP(S) exchange on a fresh connection (no keep-alive pool outlives the command). Resolves any answer,
 * whatever its status; rejects with the socket's error (its `code`, e.g. ECONNREFUSED) or a `timeoutError`.
 */
export function callHttp(url: string, call: HttpCall): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBody = call.maxBody ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: call.method, headers: call.headers, agent: agentFor(target) });
    const timer = setTimeout(() => req.destroy(timeoutError(call.timeoutMs)), Math.max(1, call.timeoutMs));
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    req.once('error', fail);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < maxBody) chunks.push(chunk.subarray(0, maxBody - kept));
        kept += chunk.length;
      });
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(call.body);
  });
}

/**
 * Why a call to `url` failed, in words a CI log reader acts on, naming the URL as the user gave it:
 * "http://127.0.0.1:9 refused the connection (ECONNREFUSED)", "… did not answer within 15 s", ….
 */
export function describeFailure(error: unknown, url: string): string {
  if (isTimeout(error)) return `${url} did not answer within ${seconds((error as { timeoutMs: number }).timeoutMs)}`;
  const code = (error as { code?: unknown })?.code;
  const message = (error as Error)?.message ?? String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `${url} refused the connection (ECONNREFUSED: nothing listens on that host and port)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${url}: its host name could not be resolved (${code})`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${url} closed the connection without an answer (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `${url} could not be reached (${code})`;
    default:
      if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/i.test(code)) return `${url}: TLS failed: ${message} (${code})`;
      return `${url} could not be called: ${message}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
}

/** A limit in milliseconds as a CI log shows it: "15 s", "2.5 s", "800 ms". */
export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
