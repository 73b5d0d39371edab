// Requests on one connection are decided in the order they arrived (RFC 9112 §9.3.2), whatever each one waits for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { mockOn, specValidator, violations } from '../support/mock.ts';
import { exchange } from '../support/raw-http.ts';

let mock: Mock;
let logoutPath: string;
beforeAll(async () => {
  mock = await mockOn();
  logoutPath = new URL(mock.urls.logout).pathname;
  await specValidator();
});
afterAll(() => mock?.close());

describe('pipelined logouts of one token (issue 15, case 2)', () => {
  it('in one TCP write, the first with a JSON body {} and the second with none: 200 then 401, every time', async () => {
    for (let run = 0; run < 20; run++) {
      const { token } = await mock.issueToken();
      const withBody = `POST ${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
      const without = `POST ${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`;
      // The first waits for its body to be read, the second waits for nothing: decided out of order, the second
      // would win the revocation (200) and the first lose it (401).
      const { responses } = await exchange(mock.port, [withBody + without], { enough: (r) => r.length === 2 });
      expect(
        responses.map((r) => r.status),
        `run ${run}: ${responses.map((r) => r.headers.get('x-mock-reason')).join(' | ')}`,
      ).toEqual([200, 401]);
      expect(responses[1]?.headers.get('x-mock-reason')).toBe('token has been revoked');
      for (const answer of responses) expect(await violations(answer)).toEqual([]);
    }
  });
});

describe('the fuzz counterexamples, as fixed cases on one keep-alive connection (issue 15, case 8)', () => {
  const request = (method: string, headers: string[], body?: string, framed = true) =>
    `${method} ${logoutPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}${body !== undefined && framed ? `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` : ''}\r\n${body ?? ''}`;

  it('PATCH …/customer/logout with two Authorization headers, after requests with bodies: 405 with Allow', async () => {
    const { token } = await mock.issueToken();
    const { responses } = await exchange(
      mock.port,
      [
        request('OPTIONS', ['Content-Type: application/json'], '{"a":1}'),
        request('DELETE', ['Content-Type: application/json'], '{"a":1}'),
        request('PATCH', [`Authorization: Bearer ${token}`, 'Authorization: Bearer x.y.z'], '{"b":2}'),
      ],
      { enough: (r) => r.length === 3 },
    );
    expect(responses.map((r) => r.status)).toEqual([204, 405, 405]);
    expect(responses[2]?.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('OPTIONS …/customer/logout with obs-text header values (»), after requests with bodies: 204, the Origin reflected as sent', async () => {
    const obs = ['Origin: http://a\xbbb.test', 'X-Mock-Session: caf\xe9 \xbb', 'Prefer: \xbb code=500', 'Access-Control-Request-Method: POST'];
    const { responses } = await exchange(
      mock.port,
      [Buffer.from(request('DELETE', [], '{"a":1}') + request('PUT', [], '\xbb') + request('OPTIONS', obs, '\xbb'), 'latin1')],
      { enough: (r) => r.length === 3 },
    );
    expect(responses.map((r) => r.status)).toEqual([405, 405, 204]);
    expect(responses[2]?.headers.get('access-control-allow-origin')).toBe('http://a\xbbb.test');
  });

  it('what those runs hit: a body sent without Content-Length is read as the next request (RFC 9112 §6.3): 400, then the close', async () => {
    const { token } = await mock.issueToken();
    // node:http sends the body of an OPTIONS, DELETE or TRACE like this; a request written next on the same
    // connection reads the 400, not its own answer.
    const { responses, closedByServer } = await exchange(mock.port, [
      request('OPTIONS', [], '{"a":1}', false) + request('PATCH', [`Authorization: Bearer ${token}`, 'Authorization: Bearer x.y.z']),
    ]);
    expect(responses.map((r) => r.status)).toEqual([204, 400]);
    expect(responses[1]?.body).toMatchObject({ errorCode: 'ERR_BAD_HTTP' });
    expect(closedByServer).toBe(true);
  });
});
