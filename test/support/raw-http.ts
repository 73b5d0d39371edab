import { connect } from 'node:net';
import type { Answer } from './mock.ts';

/** What came back on one raw connection. */
export type Exchange = { data: Buffer; closedByServer: boolean; responses: Answer[] };

/** Options of `exchange`. */
export type ExchangeOptions = {
  /** Give up (and destroy the socket) after this long; default 5 s. */
  waitMs?: number;
  /** Stop as soon as this holds for the responses parsed so far. */
  enough?: (responses: Answer[]) => boolean;
  /** End the writing side once everything is written. */
  halfClose?: boolean;
};

/**
 * Opens a raw TCP connection (node:net) to `port` on loopback, writes `chunks` (each one `write`), and collects what
 * comes back until the server closes the connection, `enough(responses)` holds, or `waitMs` passes.
 */
export function exchange(port: number, chunks: (string | Buffer)[], options: ExchangeOptions = {}): Promise<Exchange> {
  const { waitMs = 5_000, enough, halfClose = false } = options;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const done = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(received);
      resolve({ data, closedByServer, responses: parseResponses(data) });
    };
    socket.on('data', (chunk) => {
      received.push(chunk);
      if (enough?.(parseResponses(Buffer.concat(received)))) done(false);
    });
    socket.on('end', () => done(true));
    socket.on('close', () => done(true));
    socket.on('error', () => done(true));
    const timer = setTimeout(() => done(false), waitMs);
    for (const chunk of chunks) socket.write(chunk);
    if (halfClose) socket.end();
  });
}

/** Parses the complete HTTP/1.1 responses in `data` (Content-Length or chunked bodies; a body parsed as JSON when it is). */
export function parseResponses(data: Buffer): Answer[] {
  const out: Answer[] = [];
  let at = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd === -1) break;
    const [statusLine = '', ...lines] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    const headers = new Headers();
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    let bodyStart = headEnd + 4;
    let body: Buffer;
    if (headers.get('transfer-encoding') === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const sizeEnd = data.indexOf('\r\n', bodyStart);
        if (sizeEnd === -1) return out;
        const size = parseInt(data.subarray(bodyStart, sizeEnd).toString('latin1'), 16);
        bodyStart = sizeEnd + 2 + size + 2;
        if (size === 0) break;
        parts.push(data.subarray(sizeEnd + 2, sizeEnd + 2 + size));
      }
      body = Buffer.concat(parts);
      at = bodyStart;
    } else {
      const length = Number(headers.get('content-length') ?? 0);
      if (bodyStart + length > data.length) break;
      body = data.subarray(bodyStart, bodyStart + length);
      at = bodyStart + length;
    }
    const text = body.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // kept as text
    }
    out.push({ status, headers, body: parsed, text });
  }
  return out;
}
