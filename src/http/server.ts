import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError, type ErrorCode } from '../errors.ts';
import { corsHeaderLines, originInRaw } from './cors.ts';
import { rawErrorAnswer } from './error-answer.ts';

// Not `import … from 'node:http'`: an ES import of it reads every export, and its lazy WebSocket getters load
// undici (~20–60 ms of start-up for code the mock never runs). Guarded by test/http/start-path.test.ts; measured by
// the bench's start-up row (bench/startup.ts).
const { createServer } = process.getBuiltinModule('node:http');

/** A listening HTTP server: its bound address, the app it serves, and a close that cuts held clients. */
export type HttpServer = {
  /** The bound port (the OS's choice for port 0). */
  readonly port: number;
  /** `http://host:port`, IPv6 hosts bracketed. */
  readonly url: string;
  /**
   * Serves `app` for every request (and for any `Expect`, which Node would otherwise answer 417 on its own), those
   * that came in since it listened first.
   */
  serve(app: RequestListener): void;
  /** Stops accepting, closes idle connections, gives answers in flight 1 s, then cuts what is left. */
  close(): Promise<void>;
};

/**
 * Binds `host:port` (0 = any free port) with bounded timeouts (headers 10 s, request 30 s, keep-alive 5 s; checked
 * every second).
 * Throws ConfigError naming `--port` when it is in use and `--host` when it is not an address of this machine.
 */
export async function listenHttp(port: number, host: string): Promise<HttpServer> {
  const server = createServer({
    requestTimeout: 30_000,
    headersTimeout: 10_000,
    keepAliveTimeout: 5_000,
    // Node checks those timeouts every 30 s by default: a stalled client would hold its socket up to 40 s, not 10.
    connectionsCheckingInterval: 1_000,
    noDelay: true,
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // The mock listens before it serves (its URL is the tokens' issuer; mounting an --api document then takes ~1 s):
  // requests that come in between wait for the app, in order, instead of going unanswered.
  let early: [IncomingMessage, ServerResponse][] | undefined = [];
  const hold: RequestListener = (req, res) => early?.push([req, res]);
  server.on('request', hold);
  server.on('checkExpectation', hold);
  const inFlight = new WeakMap<Socket, InFlight>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket as Socket, inFlight.get(socket as Socket)));
  try {
    await listen(server, port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError('--port', `port ${port} on ${host} is in use: stop what runs there, or pick another with --port (0 = any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError('--host', `cannot listen on ${host}: it is not an address of this machine`);
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    serve(app) {
      const handle = tracked(app, inFlight);
      server.off('request', hold);
      server.off('checkExpectation', hold);
      server.on('request', handle);
      // RFC 9110 lets a server ignore an expectation: the app answers as for any request, never an undocumented 417.
      server.on('checkExpectation', handle);
      const waiting = early ?? [];
      early = undefined;
      for (const [req, res] of waiting) if (!res.destroyed) handle(req, res);
    },
    close() {
      closing ??= (async () => {
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Give answers in flight a moment, then cut what is left (held or slow clients).
        const cut = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 1000);
        await done;
        clearTimeout(cut);
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A connection's latest response: answers on a connection end in order, so the others before it have ended once it has. */
type InFlight = { last: ServerResponse | undefined };

/** Keeps each connection's latest response, so a parse error is answered after the answers before it, not before. */
function tracked(app: RequestListener, inFlight: WeakMap<Socket, InFlight>): RequestListener {
  return (req, res) => {
    const socket = req.socket;
    const state = inFlight.get(socket);
    if (state) state.last = res;
    else inFlight.set(socket, { last: res });
    // No listener per response: the parse error, which is rare, looks at the latest one when it comes.
    app(req, res);
  };
}

/**
 * A request Node could not parse: a short JSON answer (431 for oversized headers, 408 for one that did not arrive in
 * time), with CORS when the request's Origin can be read from the bytes that arrived (so browser code sees the
 * status, not an opaque network error), then close. When
 * complete requests pipelined before it are still being answered, it waits for them: written at once,
 * it would reach the client as the answer to the first of them.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, inFlight: InFlight | undefined): void {
  const last = inFlight?.last;
  if (last && !last.writableFinished && !last.destroyed && last.req.complete) {
    last.once('close', () => answerClientError(error, socket, undefined));
    return;
  }
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [code, message] = CLIENT_ERRORS[error.code ?? ''] ?? CLIENT_ERRORS.default!;
  // Browser code reads the status only if the answer carries CORS: the Origin from the bytes that arrived. (A timeout
  // comes with none: headers that never finished were never read, so such a 408 cannot name an origin.)
  const origin = originInRaw((error as ParseError).rawPacket);
  socket.end(rawErrorAnswer(code, message, corsHeaderLines(origin)));
}

/** A parser error as Node gives it to `clientError`: the bytes it was parsing when it failed, when it failed on bytes. */
type ParseError = NodeJS.ErrnoException & { rawPacket?: Buffer };

/** What Node's parser errors become: the catalogue code and the message a client reads. */
const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['ERR_HEADERS_TOO_LARGE', 'request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: ['ERR_TIMEOUT', 'request did not arrive in time'],
  default: ['ERR_BAD_HTTP', 'request is not valid HTTP'],
};
