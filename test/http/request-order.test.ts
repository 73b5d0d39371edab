// Requests on one connection are decided in the order they arrived (RFC 9112 §9.3.2), whatever each one waits for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { mockOn, specValidator, violations } from '../support/mock.ts';
import { exchange } from '../support/raw-http.ts';

let mock: Mock;
let logoutPath: string;
beforeAll(async () => {
  mock = await mockOn();
  logoutPath = new URL(mock.logoutUrl).pathname;
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
