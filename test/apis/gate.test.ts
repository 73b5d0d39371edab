// The gate in front of a mounted document: it follows each operation's `security` (global, per operation,
// alternatives, `security: []`, whatever the scheme is named) and the document's mode (verify, presence, off), set by
// `--api-gate`, WORTH_MOCK_API_GATE or in-process; the customer is bound by `customerID`, or by `--api-bind`.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GateMode } from '../../src/config/config.ts';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { startCli } from '../support/cli.ts';
import {
  CASE_SERVICE,
  callMounted,
  DEMO_CUSTOMER,
  type MockView,
  mountedViolations,
  OTHER_CUSTOMER,
  otherCustomersToken,
  signInDemo,
  viewOf,
  WIDGET_SERVICE,
} from '../support/documents.ts';
import { type Answer, mockOn, read } from '../support/mock.ts';

const running: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const each of running.splice(0)) await each.close();
});

async function started(options: MockOptions): Promise<Mock> {
  const mock = await mockOn(options);
  running.push(mock);
  return mock;
}

/** A mounted operation's answer, checked against its document (or, undocumented, the shared body and the flag). */
async function call(mock: MockView, name: string, params: Record<string, string>, token?: string, json?: unknown): Promise<Answer> {
  const answer = await callMounted(mock, name, { params, token, json });
  expect(await mountedViolations(mock, answer, name), `${name} ${answer.status}`).toEqual([]);
  return answer;
}

const BARE_CHALLENGE = 'Bearer realm="worth-auth-mock"';
const mine = { customerID: DEMO_CUSTOMER, accountId: DEMO_CUSTOMER };
const theirs = { customerID: OTHER_CUSTOMER, accountId: OTHER_CUSTOMER };

describe("the gate follows each operation's security, whatever its scheme is named", () => {
  it('Case Service: the global `bearer` guards every page but the one with `security: []`', async () => {
    const mock = await started({ apis: [{ path: CASE_SERVICE }] });
    const { idToken } = await signInDemo(mock);
    for (const name of ['GetCustomerCases', 'GetCustomerCaseByID', "GetCustomer'sBusinessCases", 'GetRelatedBusinesses', 'SendBusinessInvite', 'AddBusiness']) {
      const refused = await call(mock, name, mine, undefined, name.endsWith('Invite') ? {} : name === 'AddBusiness' ? [] : undefined);
      expect(refused.status, name).toBe(401);
      expect(refused.headers.get('www-authenticate'), name).toBe(BARE_CHALLENGE);
    }
    // Add Business documents its own 401, which the gate then answers with (not flagged).
    const add = await call(mock, 'AddBusiness', mine, undefined, []);
    expect(add.body).toMatchObject({ errorCode: 'UNAUTHENTICATED' });
    expect(add.headers.get('x-mock-reason')).toBe('no Authorization header');
    // Public: no token, or one that is not even a JWT, is not looked at.
    expect((await call(mock, 'GetCustomerBusinesses', mine)).status).toBe(200);
    expect((await call(mock, 'GetCustomerBusinesses', theirs, 'not-a-jwt')).status).toBe(200);
    expect((await call(mock, 'GetCustomerCases', mine, idToken)).status).toBe(200);
  });

  it('Widget Service: a global scheme named `jwt`, an oauth2 scheme of one operation, an alternative without a bearer, `security: []`', async () => {
    const mock = await started({ apis: [{ path: WIDGET_SERVICE, bind: 'accountId' }] });
    const { idToken } = await signInDemo(mock);
    // Global `jwt`: its document's own 401; with the token, its example.
    const list = await call(mock, 'listWidgets', mine);
    expect([list.status, list.body]).toEqual([401, { code: 'unauthenticated', message: 'Sign in again.' }]);
    expect((await call(mock, 'listWidgets', mine, idToken)).status).toBe(200);
    // Its own `oauth` (oauth2 tokens travel as bearers): the shared Unauthorized, flagged as undocumented.
    const remove = await call(mock, 'deleteWidget', mine);
    expect(remove.status).toBe(401);
    expect(remove.headers.get('x-mock-reason')).toBe('no Authorization header (401 is not documented for deleteWidget)');
    const deleted = await call(mock, 'deleteWidget', mine, idToken);
    expect(deleted.status).toBe(204);
    // No content, so no Content-Length or Content-Type (RFC 9110 §8.6).
    expect([deleted.headers.get('content-length'), deleted.headers.get('content-type'), deleted.text]).toEqual([null, null, '']);
    // An API key or a bearer: one alternative needs no bearer, so the mock (which checks only bearers) lets it through.
    expect((await call(mock, 'createWidget', theirs, undefined, { name: 'Cog' })).status).toBe(201);
    // `security: []` under a global requirement: public.
    expect((await call(mock, 'getStatus', {})).status).toBe(200);
    // A token the mock did not sign is refused like any other invalid token.
    const forged = await call(mock, 'listWidgets', mine, `${idToken.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});

/** What each mode answers: no bearer, a bearer that is no token, another customer's valid token, the customer's own. */
const MODES: [GateMode, { none: number; garbage: number; theirs: number; mine: number }][] = [
  ['verify', { none: 401, garbage: 401, theirs: 403, mine: 200 }],
  ['presence', { none: 401, garbage: 200, theirs: 200, mine: 200 }],
  ['off', { none: 200, garbage: 200, theirs: 200, mine: 200 }],
];

async function expectMode(mock: MockView, expected: (typeof MODES)[number][1]): Promise<void> {
  const { idToken } = await signInDemo(mock);
  const other = await otherCustomersToken(mock, OTHER_CUSTOMER);
  expect((await call(mock, 'GetCustomerCases', mine)).status, 'no bearer').toBe(expected.none);
  expect((await call(mock, 'GetCustomerCases', mine, 'garbage')).status, 'garbage bearer').toBe(expected.garbage);
  expect((await call(mock, 'GetCustomerCases', mine, other)).status, "another customer's token").toBe(expected.theirs);
  expect((await call(mock, 'GetCustomerCases', mine, idToken)).status, 'own token').toBe(expected.mine);
  // The Auth Service's own operations keep their own gate whatever a mounted document's mode is.
  const users = await fetch((mock.urls['get-customer-users'] as string).replace('{customerID}', DEMO_CUSTOMER));
  expect(users.status).toBe(401);
}

describe('the gate mode, per document', () => {
  it.each(MODES)('%s, in-process (`apis: [{ path, gate }]`)', async (gate, expected) => {
    const mock = await started({ apis: [{ path: CASE_SERVICE, gate }] });
    expect(mock.apis.find((api) => api.basePath === '/case/api/v1')?.gate).toBe(gate);
    await expectMode(mock, expected);
  });

  it.each(MODES)('%s, in-process by base path (`apiGates`)', async (gate, expected) => {
    await expectMode(await started({ apis: [{ path: CASE_SERVICE }], apiGates: { '/case/api/v1': gate } }), expected);
  });

  it.each(MODES)('%s, by `start --api-gate /case/api/v1=<mode>`', async (gate, expected) => {
    const cli = await startCli(['--port', '0', '--log', 'off', '--api', CASE_SERVICE, '--api-gate', `/case/api/v1=${gate}`]);
    running.push({ close: () => cli.stop() });
    const health = (await read(await fetch(`${cli.url}/__mock/health`))).body as { apis: { basePath: string; gate: string }[] };
    expect(health.apis.find((api) => api.basePath === '/case/api/v1')?.gate).toBe(gate);
    await expectMode(await viewOf(cli.url, [CASE_SERVICE]), expected);
  });

  it('by WORTH_MOCK_API (files separated by commas) and WORTH_MOCK_API_GATE, each document its own mode', async () => {
    vi.stubEnv('WORTH_MOCK_API', `${CASE_SERVICE},${WIDGET_SERVICE}`);
    vi.stubEnv('WORTH_MOCK_API_GATE', '/widgets/v2=off');
    const cli = await startCli(['--port', '0', '--log', 'off']);
    running.push({ close: () => cli.stop() });
    const health = (await read(await fetch(`${cli.url}/__mock/health`))).body as { apis: { title: string; gate: string; operations: number }[] };
    expect(health.apis.map(({ title, gate, operations }) => [title, gate, operations])).toEqual([
      ['Auth Service', 'verify', 12],
      ['Case Service', 'verify', 7],
      ['Widget Service', 'off', 5],
    ]);
    expect((await fetch(`${cli.url}/case/api/v1/customers/${DEMO_CUSTOMER}/cases`)).status).toBe(401);
    expect((await fetch(`${cli.url}/widgets/v2/accounts/${DEMO_CUSTOMER}/widgets`)).status).toBe(200);
  });
});

describe('what a looser gate reads of a request', () => {
  it.each(['presence', 'off'] as const)(
    '%s: nothing of the token, so faults scoped by customer or user do not match; by test session they do',
    async (gate) => {
      const mock = await started({ apis: [{ path: CASE_SERVICE, gate }] });
      const { idToken } = await signInDemo(mock);
      await mock.faults.arm({ network: 'reset', times: null, match: { operation: 'GetCustomerCases', customer: DEMO_CUSTOMER } });
      await mock.faults.arm({ status: 200, delayMs: 1, times: null, match: { operation: 'GetCustomerCases', session: 'run-a' } });
      expect((await call(mock, 'GetCustomerCases', mine, idToken)).status).toBe(200);
      const faulted = await callMounted(mock, 'GetCustomerCases', { params: mine, token: idToken, headers: { 'x-mock-session': 'run-a' } });
      expect(faulted.headers.get('x-mock-fault')).toMatch(/.+/);
      expect((await mock.requests({ operation: 'GetCustomerCases' })).map((entry) => entry.sub)).toEqual([undefined, undefined]);
    },
  );
});

describe('the presence gate: a missing bearer → 401 naming what is missing (any bearer passes: see the modes above)', () => {
  it.each([
    ['no Authorization header', {}, 'no Authorization header'],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'Authorization scheme is not Bearer'],
    ['"Bearer" with no token', { authorization: 'Bearer' }, 'bearer token is empty'],
  ])('%s → 401 with the bare realm challenge, the reason naming what is missing', async (_what, headers, reason) => {
    const mock = await started({ apis: [{ path: CASE_SERVICE, gate: 'presence' }] });
    const answer = await callMounted(mock, 'GetCustomerCases', { params: mine, headers });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
    // The Case Service documents no 401 for it: the mock says so, and answers the 401 all the same.
    expect(answer.headers.get('x-mock-reason')).toBe(`${reason} (401 is not documented for GetCustomerCases)`);
  });
});

describe('tenant binding', () => {
  it('`customerID` by default: a document naming its customer otherwise is not bound until --api-bind names it', async () => {
    const unbound = await started({ apis: [{ path: WIDGET_SERVICE }] });
    const { idToken } = await signInDemo(unbound);
    expect((await call(unbound, 'listWidgets', theirs, idToken)).status).toBe(200);

    const cli = await startCli(['--port', '0', '--log', 'off', '--api', WIDGET_SERVICE, '--api-bind', '/widgets/v2=accountId']);
    running.push({ close: () => cli.stop() });
    const bound = await viewOf(cli.url, [WIDGET_SERVICE]);
    const token = (await signInDemo(bound)).idToken;
    expect((await call(bound, 'listWidgets', mine, token)).status).toBe(200);
    const refused = await call(bound, 'listWidgets', theirs, token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-mock-reason')).toBe(`token belongs to another customer (${DEMO_CUSTOMER}) (403 is not documented for listWidgets)`);
    // The operation that documents its 403 answers with it.
    const documented = await call(bound, 'get /accounts/{accountId}/widgets/{widgetId}', theirs, token);
    expect([documented.status, documented.body]).toEqual([403, { code: 'forbidden', message: 'Not your account.' }]);
  });

  it('a token of no customer is refused where the path names one', async () => {
    const mock = await started({ apis: [{ path: CASE_SERVICE }] });
    const { token } = await mock.issueToken({ sub: 'no-customer' });
    const refused = await call(mock, 'GetCustomerCases', mine, token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-mock-reason')).toBe('token belongs to no customer (403 is not documented for GetCustomerCases)');
  });
});
