// CORS on every answer a browser can get (issue 15, case 3): the app's answers, the JWKS, and the answers Node's
// parser makes the server write before any route runs (431, 400, 408), on raw sockets (node:net).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import type { Answer } from '../support/mock.ts';
import { mockOn } from '../support/mock.ts';
import { itWaitsOutHttpTimer } from '../support/mutation.ts';
import { exchange } from '../support/raw-http.ts';

const ORIGIN = 'http://app.localhost:5173';
let mock: Mock;
let logoutPath: string;
beforeAll(async () => {
  mock = await mockOn();
  logoutPath = new URL(mock.urls.logout).pathname;
});
afterAll(() => mock?.close());

function expectCors(answer: Answer | undefined, origin: string = ORIGIN): void {
  expect(answer?.headers.get('access-control-allow-origin')).toBe(origin);
  expect(answer?.headers.get('access-control-allow-credentials')).toBe('true');
  expect(answer?.headers.get('access-control-expose-headers')).toContain('X-Mock-Reason');
  expect(answer?.headers.get('vary')).toBe('Origin');
}

function expectNoCors(answer: Answer | undefined): void {
  expect(answer?.headers.get('access-control-allow-origin')).toBeNull();
  expect(answer?.headers.get('access-control-allow-credentials')).toBeNull();
}

describe('the JWKS says Vary: Origin whether or not the request has one', () => {
  it.each(['/.well-known/jwks.json', '/auth/api/v1/.well-known/jwks.json'])('%s', async (path) => {
    const without = await fetch(`${mock.url}${path}`);
    expect(without.headers.get('vary')).toBe('Origin');
    expect(without.headers.get('access-control-allow-origin')).toBeNull();
    const withOrigin = await fetch(`${mock.url}${path}`, { headers: { origin: ORIGIN } });
    expect(withOrigin.headers.get('vary')).toBe('Origin');
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await withOrigin.json()).toEqual(await without.json());
  });
});

/** A request whose head Node refuses; `origin` lines go where the case puts them. */
type Refused = [name: string, status: 400 | 431, build: (origin: string) => string];

const refused: Refused[] = [
  ['a 20 KB header after the Origin', 431, (o) => `POST ${'{path}'} HTTP/1.1\r\nHost: x\r\n${o}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ['a 20 KB header before the Origin', 431, (o) => `POST ${'{path}'} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n${o}\r\n`],
  ['3,000 small headers', 431, (o) => `POST ${'{path}'} HTTP/1.1\r\nHost: x\r\n${o}${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`],
  ['a control byte in a header name', 400, (o) => `POST ${'{path}'} HTTP/1.1\r\nHost: x\r\n${o}X-\x01A: b\r\n\r\n`],
  [
    'Content-Length and Transfer-Encoding together',
    400,
    (o) => `POST ${'{path}'} HTTP/1.1\r\nHost: x\r\n${o}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  ],
  ['a method the parser does not know', 400, (o) => `BREW ${'{path}'} HTTP/1.1\r\nHost: x\r\n${o}\r\n`],
  ['a chunk size that is not hex', 400, (o) => `POST ${'{path}'} HTTP/1.1\r\nHost: x\r\n${o}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n`],
];

describe('answers written before routing carry CORS when the Origin can be read from what arrived', () => {
  it.each(refused)('%s: %i with CORS for the Origin; none without an Origin', async (_name, status, build) => {
    const request = (origin: string) => build(origin).replace('{path}', logoutPath);
    const withOrigin = await exchange(mock.port, [Buffer.from(request(`Origin: ${ORIGIN}\r\n`), 'latin1')]);
    expect(withOrigin.responses.map((r) => r.status)).toEqual([status]);
    expectCors(withOrigin.responses[0]);
    expect(withOrigin.closedByServer).toBe(true);
    const without = await exchange(mock.port, [Buffer.from(request(''), 'latin1')]);
    expect(without.responses.map((r) => r.status)).toEqual([status]);
    expectNoCors(without.responses[0]);
  });

  it.each([
    ['a path in it', `${ORIGIN}/evil`],
    ['a space in it', 'http://a b'],
    ['latin-1 bytes', 'http://\xe9xample.test'],
    ['a quote', 'http://a"b'],
    ['not an origin', 'javascript:alert(1)'],
    ['4 KB of host', `http://${'a'.repeat(4096)}`],
  ])('an Origin with %s is not reflected into the raw answer', async (_name, origin) => {
    const { responses } = await exchange(mock.port, [
      Buffer.from(`POST ${logoutPath} HTTP/1.1\r\nHost: x\r\nOrigin: ${origin}\r\nX-\x01A: b\r\n\r\n`, 'latin1'),
    ]);
    expect(responses[0]?.status).toBe(400);
    expectNoCors(responses[0]);
    expect(responses[0]?.text).not.toContain(origin);
  });

  it('pipelined after a request that was answered, the refused one gets its own Origin reflected', async () => {
    const first = `POST ${logoutPath} HTTP/1.1\r\nHost: x\r\nOrigin: http://first.localhost\r\nContent-Length: 0\r\n\r\n`;
    const second = `GET / HTTP/1.1\r\nHost: x\r\nOrigin: ${ORIGIN}\r\nX-\x01A: b\r\n\r\n`;
    const { responses } = await exchange(mock.port, [first + second], { enough: (r) => r.length === 2 });
    expect(responses.map((r) => r.status)).toEqual([401, 400]);
    expectCors(responses[0], 'http://first.localhost');
    expectCors(responses[1]);
  });

  itWaitsOutHttpTimer(
    'headers that never finish: a JSON 408 within about 10 s (the documented bound, checked every second), then the close',
    async () => {
      const started = Date.now();
      const { responses, closedByServer } = await exchange(mock.port, [`POST ${logoutPath} HTTP/1.1\r\nHost: x\r\nOrigin: ${ORIGIN}\r\n`], { waitMs: 45_000 });
      expect(Date.now() - started).toBeLessThan(13_000);
      expect(responses.map((r) => r.status)).toEqual([408]);
      expect(responses[0]?.body).toMatchObject({ errorCode: 'ERR_TIMEOUT' });
      expect(closedByServer).toBe(true);
    },
    50_000,
  );
});

describe('answers the app writes early carry CORS too', () => {
  it.each([
    ['the logout', '{path}'],
    ['the control API', '/__mock/tokens'],
  ])('%s with a declared body over the limit: 400 with CORS, then the connection closes', async (_name, path) => {
    const request = `POST ${path.replace('{path}', logoutPath)} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:3000\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n{`;
    const { responses, closedByServer } = await exchange(mock.port, [request]);
    expect(responses.map((r) => r.status)).toEqual([400]);
    expectCors(responses[0], 'http://localhost:3000');
    expect(closedByServer).toBe(true);
  });
});
