import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { spawnBin } from '../support/bin.ts';
import { type Answer, logout, mockOn, specValidator, violations } from '../support/mock.ts';
import { itWaitsOutHttpTimer } from '../support/mutation.ts';
import { type Exchange, type ExchangeOptions, exchange as rawExchange } from '../support/raw-http.ts';

/**
 * Hostile clients on raw sockets (node:net): oversized and malformed requests, bodies that lie or
 * never finish, invalid bytes, piles of half-open connections and pipelining. Every answer the
 * operation gives is documented; what the HTTP parser refuses gets a plain 400/431; a real client
 * is still served within BOUND_MS (a hang detector, not a speed test).
 */

// Generous on purpose: a hang detector on a shared 2-core machine, not a speed test.
const BOUND_MS = 5_000;
let mock: Mock;
let logoutPath: string;

beforeAll(async () => {
  mock = await mockOn();
  logoutPath = new URL(mock.urls.logout).pathname;
  await specValidator();
});
afterAll(async () => {
  await mock?.close();
});

/** `exchange` on this file's mock unless another port is given. */
function exchange(chunks: (string | Buffer)[], options: ExchangeOptions & { port?: number } = {}): Promise<Exchange> {
  return rawExchange(options.port ?? mock.port, chunks, options);
}

const post = (headers: string[], body = '') => `POST ${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;

/** A real client, on its own connection, logs out within the bound. */
async function realClientServed(): Promise<void> {
  const { token } = await mock.issueToken();
  const response = await fetch(mock.urls.logout, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(BOUND_MS) });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

async function expectDocumented(answer: Answer | undefined): Promise<void> {
  expect(answer, 'an answer').toBeDefined();
  expect(await violations(answer as Answer), `${answer?.status} ${answer?.text}`).toEqual([]);
}

function expectParserReject(exchanged: Exchange, status: 400 | 431): void {
  expect(exchanged.responses).toHaveLength(1);
  const [answer] = exchanged.responses as [Answer];
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ errorCode: status === 431 ? 'ERR_HEADERS_TOO_LARGE' : 'ERR_BAD_HTTP' });
  expect(answer.headers.get('connection')).toBe('close');
  expect(exchanged.closedByServer).toBe(true);
}

describe('oversized requests', () => {
  it.each([
    ['one 20 KB header', [`X-Big: ${'a'.repeat(20_000)}`]],
    ['a 20 KB bearer token', [`Authorization: Bearer ${'a'.repeat(20_000)}`]],
    ['3,000 small headers', Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${'v'.repeat(8)}`)],
  ])('%s: 431 from the parser, connection closed, the mock still serves', async (_name, headers) => {
    expectParserReject(await exchange([post(headers)]), 431);
    await realClientServed();
  });

  it('a logout declaring a 10 MB body gets the documented 400 at once, without the body being read, and the connection closes', async () => {
    const exchanged = await exchange([post(['Content-Type: application/json', `Content-Length: ${10 * 1024 * 1024}`], '{"a":')]);
    expect(exchanged.responses).toHaveLength(1);
    const [answer] = exchanged.responses as [Answer];
    expect(answer.status).toBe(400);
    await expectDocumented(answer);
    expect(answer.headers.get('connection')).toBe('close');
    expect(exchanged.closedByServer).toBe(true);
  });

  it('a chunked logout body that grows past the limit gets the documented 400 at once; the rest is read and thrown away, and the connection serves the next request', async () => {
    const chunk = `${(16 * 1024).toString(16)}\r\n${'a'.repeat(16 * 1024)}\r\n`;
    const next = `GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const exchanged = await exchange([post(['Transfer-Encoding: chunked']), ...Array.from({ length: 80 }, () => chunk), '0\r\n\r\n', next]);
    expect(exchanged.responses.map((answer) => answer.status)).toEqual([400, 200]);
    await expectDocumented(exchanged.responses[0]);
    expect(exchanged.closedByServer).toBe(true);
  });

  it('a chunked body that goes on past the limit and 4 MiB more: the 400, then the connection closes', async () => {
    const chunk = `${(256 * 1024).toString(16)}\r\n${'a'.repeat(256 * 1024)}\r\n`;
    const exchanged = await exchange([post(['Transfer-Encoding: chunked']), ...Array.from({ length: 20 }, () => chunk)], {
      enough: () => false,
    });
    expect(exchanged.responses.map((answer) => answer.status)).toEqual([400]);
    expect(exchanged.closedByServer).toBe(true);
  });

  it('a control call declaring a 2 MB body gets 400 naming the body at once; the rest is read and thrown away', async () => {
    const head = `POST /__mock/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`;
    const next = `GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const exchanged = await exchange([head, Buffer.alloc(2 * 1024 * 1024, 'x'), next]);
    expect(exchanged.responses.map((answer) => answer.status)).toEqual([400, 200]);
    expect(exchanged.responses[0]?.body).toMatchObject({ errorCode: 'ERR_INPUT', field: 'body' });
  });

  it('a control call declaring 8 MB (more than its limit and 4 MiB) gets 400 at once, unread, and the connection closes', async () => {
    const exchanged = await exchange([
      `POST /__mock/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n{"sub":`,
    ]);
    expect(exchanged.responses[0]?.status).toBe(400);
    expect(exchanged.responses[0]?.headers.get('connection')).toBe('close');
    expect(exchanged.closedByServer).toBe(true);
  });
});

describe('bodies that lie or never finish', () => {
  itWaitsOutHttpTimer(
    'a body that stops arriving gets the documented 400 and a close, while a real client is served meanwhile',
    async () => {
      const stalled = exchange([post(['Content-Length: 100'], '{"partial":')], { waitMs: 15_000 });
      await realClientServed();
      const exchanged = await stalled;
      expect(exchanged.responses).toHaveLength(1);
      await expectDocumented(exchanged.responses[0]);
      expect(exchanged.responses[0]?.status).toBe(400);
      expect(exchanged.closedByServer).toBe(true);
    },
    20_000,
  );

  it('a Content-Length shorter than the body: the operation answers the declared part, the rest is refused as bad HTTP, in that order', async () => {
    const exchanged = await exchange([post(['Content-Type: application/json', 'Content-Length: 2'], '{}GARBAGE / HTTP/9\r\n\r\n')]);
    expect(exchanged.responses.map((r) => r.status)).toEqual([401, 400]);
    await expectDocumented(exchanged.responses[0]);
    expect(exchanged.responses[1]?.body).toMatchObject({ errorCode: 'ERR_BAD_HTTP' });
    expect(exchanged.closedByServer).toBe(true);
  });

  it('a Content-Length longer than the body, then the client stops sending: answered or closed, never left hanging', async () => {
    const exchanged = await exchange([post(['Content-Length: 500'], '{"a":1}')], { halfClose: true });
    expect(exchanged.closedByServer).toBe(true);
    for (const answer of exchanged.responses) expect([400]).toContain(answer.status);
    await realClientServed();
  });

  it.each([
    ['both Content-Length and Transfer-Encoding (smuggling)', ['Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n'],
    ['two different Content-Lengths', ['Content-Length: 1', 'Content-Length: 2'], 'ab'],
    ['a Content-Length that is not a number', ['Content-Length: 1e3'], ''],
    ['a negative Content-Length', ['Content-Length: -1'], ''],
    ['a chunk size that is not hex', ['Transfer-Encoding: chunked'], 'zz\r\nabc\r\n'],
  ])('%s: 400 from the parser, connection closed', async (_name, headers, body) => {
    expectParserReject(await exchange([post(headers, body)]), 400);
  });
});

describe('invalid bytes in headers', () => {
  it.each([
    ['NUL in a value', 'X-A: a\x00b'],
    ['a bare CR in a value', 'X-A: a\rb'],
    ['DEL in a value', 'Origin: http://a\x7fb'],
    ['a control byte in a value', 'Authorization: Bearer a\x01b'],
    ['a control byte in a name', 'X-\x01A: b'],
    ['a separator in a name', 'X(A): b'],
    ['a space before the colon', 'Authorization : Bearer x'],
    ['an obsolete line folding', 'X-A: a\r\n b'],
    ['a header line without a colon', 'NoColonHere'],
  ])('%s: 400 from the parser, connection closed, the mock still serves', async (_name, header) => {
    expectParserReject(await exchange([Buffer.from(post([header]), 'latin1')]), 400);
    await realClientServed();
  });

  it.each([
    ['latin-1 bytes in the bearer token', 'Authorization: Bearer \xff\xfe\xe9t\xe9'],
    ['UTF-8 bytes in a session name', 'X-Mock-Session: caf\xc3\xa9'],
    ['latin-1 in the Origin the mock reflects', 'Origin: http://\xe9xample.test'],
    ['a Prefer with latin-1 junk', 'Prefer: code=\xb2\xb0\xb0'],
  ])('%s: the documented answer', async (_name, header) => {
    const exchanged = await exchange([Buffer.from(post([header]), 'latin1')], { enough: (r) => r.length === 1 });
    await expectDocumented(exchanged.responses[0]);
  });
});

describe('connections', () => {
  it('hundreds of half-open connections do not keep a real client from being served', async () => {
    const partials = [
      '',
      'POST',
      `POST ${logoutPath} HTTP/1.1\r\n`,
      `${post(['Authorization: Bearer x'])}`.slice(0, -2),
      post(['Content-Length: 1000'], '{"a":'),
    ];
    const sockets: Socket[] = [];
    await Promise.all(
      Array.from(
        { length: 300 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const socket = connect(mock.port, '127.0.0.1', () => {
              socket.write(partials[i % partials.length] as string);
              resolve();
            });
            socket.on('error', () => resolve());
            sockets.push(socket);
          }),
      ),
    );
    try {
      await realClientServed();
      await realClientServed();
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await realClientServed();
  });

  it('pipelined requests are answered in order, each as if sent alone', async () => {
    const { token } = await mock.issueToken();
    const { token: admin } = await mock.issueToken({ kind: 'non-customer' });
    const requests = [
      post([`Authorization: Bearer ${token}`, 'Content-Length: 0']),
      post([`Authorization: Bearer ${token}`, 'Content-Length: 0']),
      post(['Content-Length: 0']),
      post([`Authorization: Bearer ${admin}`, 'Content-Length: 0']),
      post(['Prefer: code=500', 'Content-Length: 0']),
      post(['Content-Type: application/json', 'Content-Length: 5'], '{"a":'),
      `OPTIONS ${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:3000\r\nAccess-Control-Request-Method: POST\r\n\r\n`,
      `GET ${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      'GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      post([`Authorization: Bearer ${token}`, 'Content-Length: 0']),
    ];
    const exchanged = await exchange([requests.join('')], { enough: (r) => r.length === requests.length });
    expect(exchanged.responses.map((r) => r.status)).toEqual([200, 401, 401, 403, 500, 400, 204, 405, 200, 401]);
    for (const index of [0, 1, 2, 3, 4, 5, 9]) await expectDocumented(exchanged.responses[index]);
  });

  it('a valid logout pipelined with garbage: the logout gets its 200, then the garbage its 400, then the close', async () => {
    const { token } = await mock.issueToken();
    const exchanged = await exchange([`${post([`Authorization: Bearer ${token}`, 'Content-Length: 0'])}GARBAGE\x01\r\n\r\n`]);
    expect(exchanged.responses.map((r) => r.status)).toEqual([200, 400]);
    await expectDocumented(exchanged.responses[0]);
    expect(exchanged.closedByServer).toBe(true);
    // The client saw the 200 it was owed: the sign-in is logged out for real.
    expect((await logout(mock, { token })).status).toBe(401);
  });
});

describe('requests Node would answer on its own', () => {
  it("an Expect other than 100-continue gets the operation's documented answer, not an undocumented 417", async () => {
    const exchanged = await exchange([post(['Expect: the-unexpected', 'Content-Length: 0'])], { enough: (r) => r.length === 1 });
    expect(exchanged.responses[0]?.status).toBe(401);
    await expectDocumented(exchanged.responses[0]);
  });

  it('Expect: 100-continue gets the interim 100, then the documented answer', async () => {
    const { token } = await mock.issueToken();
    const exchanged = await exchange(
      [post([`Authorization: Bearer ${token}`, 'Expect: 100-continue', 'Content-Type: application/json', 'Content-Length: 2']), '{}'],
      { enough: (r) => r.length === 2 },
    );
    expect(exchanged.responses.map((r) => r.status)).toEqual([100, 200]);
    await expectDocumented(exchanged.responses[1]);
  });

  it('the absolute-form request target (RFC 9112 §3.2.2) reaches the operation', async () => {
    const { token } = await mock.issueToken();
    const exchanged = await exchange(
      [`POST http://127.0.0.1:${mock.port}${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Length: 0\r\n\r\n`],
      { enough: (r) => r.length === 1 },
    );
    expect(exchanged.responses[0]?.status).toBe(200);
    await expectDocumented(exchanged.responses[0]);
  });

  it('an upgrade request is answered as a plain request', async () => {
    const exchanged = await exchange([post(['Connection: Upgrade', 'Upgrade: websocket', 'Content-Length: 0'])], { enough: (r) => r.length === 1 });
    expect(exchanged.responses[0]?.status).toBe(401);
    await expectDocumented(exchanged.responses[0]);
  });
});

describe('control API input that used to hurt', () => {
  it('control paths ending in thousands of slashes cannot stall the mock', async () => {
    // In its own process, as QA runs it: a handler that hogs the CPU would stall this test's own clock in-process.
    const child = await spawnBin(['--log', 'off']);
    try {
      // Each of these cost ~0.25 s of CPU with the old `/\/+$/`: 60 of them stalled the mock far past the bound.
      const hostile = `GET /__mock/x${'/'.repeat(15_000)}y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      const attacks = Array.from({ length: 60 }, () => exchange([hostile], { port: child.port, waitMs: 80_000, enough: (r) => r.length === 1 }));
      await Promise.race(attacks);
      const response = await fetch(`${child.origin}${logoutPath}`, { method: 'POST', signal: AbortSignal.timeout(BOUND_MS) });
      expect(response.status).toBe(401);
      await response.arrayBuffer();
      for (const exchanged of await Promise.all(attacks)) expect(exchanged.responses[0]?.status).toBe(404);
    } finally {
      await child.stop();
    }
  }, 90_000);

  it('a fault id with a malformed percent-escape is a 404, not a 500', async () => {
    const response = await fetch(`${mock.url}/__mock/faults/%E0%A4%A`, { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ errorCode: 'ERR_NOT_FOUND' });
  });

  it.each([100, 5_000, 100_000])('a control body nested %i levels deep is a 400 naming the body, not a 500', async (depth) => {
    const body = `{"claims":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const response = await fetch(`${mock.url}/__mock/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errorCode: 'ERR_INPUT', field: 'body' });
  });
});
