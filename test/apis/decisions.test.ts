// How a mounted operation decides, in order: fault → `Prefer: code=` → the gate (401) → the customer (403) → the
// answer (`Prefer: example=`/`dynamic=` choose the body only). And what QA has on every operation: faults by name,
// customer, sign-in and test session, network faults and delays, the journal, the request log, CORS, HEAD.
import { describe, expect, it } from 'vitest';
import type { FaultInput } from '../../src/faults/fault.ts';
import {
  callMounted,
  DEMO_CUSTOMER,
  type MountedCall,
  mountedViolations,
  OTHER_CUSTOMER,
  otherCustomersToken,
  signInDemo,
  WIDGET_SERVICE,
} from '../support/documents.ts';
import { type Answer, logout, useMock } from '../support/mock.ts';

const logged: string[] = [];
const mock = useMock({ apis: [{ path: WIDGET_SERVICE, bind: 'accountId' }], log: 'json', logTo: (lines) => logged.push(lines) }, { resetAfterEach: true });

/** The Widget Service's operation that has no operationId: its name is `<method> <path>` as the document writes it. */
const GET_WIDGET = 'get /accounts/{accountId}/widgets/{widgetId}';
const mine = { accountId: DEMO_CUSTOMER };
const theirs = { accountId: OTHER_CUSTOMER };

async function call(name: string, init: MountedCall = {}): Promise<Answer> {
  const answer = await callMounted(mock, name, init);
  expect(await mountedViolations(mock, answer, name), `${name} ${answer.status}`).toEqual([]);
  return answer;
}

const arm = (fault: FaultInput) => mock.faults.arm(fault);

describe('the decision order on a mounted operation: fault → Prefer: code= → gate (401) → customer (403) → answer', () => {
  it.each<[string, () => Promise<FaultInput | undefined>, MountedCall | (() => Promise<MountedCall>), number, RegExp]>([
    ['a fault before the gate', async () => ({ status: 404, match: { operation: GET_WIDGET } }), { params: mine }, 404, /^fault \S+ armed$/],
    [
      'a fault before the customer',
      async () => ({ status: 200, match: { operation: GET_WIDGET } }),
      async () => ({ params: theirs, token: (await signInDemo(mock)).idToken }),
      200,
      /^fault \S+ armed: answered from Widget Service: its example$/,
    ],
    ['Prefer: code= before the gate', async () => undefined, { params: mine, headers: { prefer: 'code=404' } }, 404, /^override code=404$/],
    ['Prefer: code=200 before the gate', async () => undefined, { params: mine, headers: { prefer: 'code=200' } }, 200, /^override code=200: answered from/],
    ['the gate before the customer', async () => undefined, { params: theirs }, 401, /^no Authorization header \(401 is not documented/],
    [
      'the customer before the answer',
      async () => undefined,
      async () => ({ params: theirs, token: (await signInDemo(mock)).idToken }),
      403,
      /^token belongs to another customer/,
    ],
    [
      'then the answer',
      async () => undefined,
      async () => ({ params: mine, token: (await signInDemo(mock)).idToken }),
      200,
      /^answered from Widget Service: its example$/,
    ],
  ])('%s', async (_what, fault, init, status, reason) => {
    const armed = await fault();
    if (armed) await arm(armed);
    const answer = await call(GET_WIDGET, typeof init === 'function' ? await init() : init);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('x-mock-reason')).toMatch(reason);
  });

  it('Prefer: example= and dynamic= choose the body only: they never pass the gate, nor the customer check', async () => {
    const { idToken } = await signInDemo(mock);
    for (const prefer of ['example=none', 'dynamic=true', 'example="two", dynamic=false']) {
      expect((await call('listWidgets', { params: mine, headers: { prefer } })).status, prefer).toBe(401);
      expect((await call('listWidgets', { params: mine, token: 'garbage', headers: { prefer } })).status, prefer).toBe(401);
      expect((await call('listWidgets', { params: theirs, token: idToken, headers: { prefer } })).status, prefer).toBe(403);
    }
    const none = await call('listWidgets', { params: mine, token: idToken, headers: { prefer: 'example=none' } });
    expect([none.status, none.body, none.headers.get('x-mock-reason')]).toEqual([200, { widgets: [] }, 'answered from Widget Service: its example "none"']);
    const dynamic = await call('listWidgets', { params: mine, token: idToken, headers: { prefer: 'dynamic=true' } });
    expect([dynamic.status, dynamic.headers.get('x-mock-reason')]).toEqual([200, 'answered from Widget Service: generated from its schema by Prism']);
    const unknown = await callMounted(mock, 'listWidgets', { params: mine, token: idToken, headers: { prefer: 'example=nope' } });
    expect([unknown.status, unknown.headers.get('x-mock-reason')]).toEqual([
      400,
      'no example "nope" in Widget Service (400 is not documented for listWidgets)',
    ]);
    // A preference without a value chooses nothing: the static example.
    for (const prefer of ['example', 'example=', 'dynamic']) {
      const plain = await call('listWidgets', { params: mine, token: idToken, headers: { prefer } });
      expect([plain.status, plain.headers.get('x-mock-reason')], prefer).toEqual([200, 'answered from Widget Service: its example']);
    }
    // A revoked token stays refused whatever the body asked for.
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    expect((await call('listWidgets', { params: mine, token: idToken, headers: { prefer: 'example=two' } })).status).toBe(401);
  });

  it('Prefer: code= takes only a status the operation documents (400 naming them); with example= it picks that status’s example', async () => {
    const { idToken } = await signInDemo(mock);
    const undocumented = await callMounted(mock, 'listWidgets', { params: mine, token: idToken, headers: { prefer: 'code=404' } });
    expect(undocumented.status).toBe(400);
    expect(undocumented.headers.get('x-mock-reason')).toMatch(/200, 401/);
    const named = await call('listWidgets', { params: mine, headers: { prefer: 'code=200, example=none' } });
    expect([named.status, named.body]).toEqual([200, { widgets: [] }]);
    const unknownOfStatus = await callMounted(mock, 'listWidgets', { params: mine, token: idToken, headers: { prefer: 'code=200, example=nope' } });
    expect([unknownOfStatus.status, unknownOfStatus.headers.get('x-mock-reason')]).toEqual([
      400,
      'override code=200: no example "nope" of 200 in Widget Service (400 is not documented for listWidgets)',
    ]);
    // An error status's named example, as Prism offers it; or one generated from its schema.
    const statics = await call(GET_WIDGET, { params: mine, headers: { prefer: 'code=404' } });
    expect(statics.body).toEqual({ code: 'not_found', message: 'No such widget.' });
    const gone = await call(GET_WIDGET, { params: mine, headers: { prefer: 'code=404, example=gone' } });
    expect([gone.status, gone.body]).toEqual([404, { code: 'gone', message: 'The widget was deleted.' }]);
    expect(gone.headers.get('x-mock-reason')).toBe('override code=404: answered from Widget Service: its example "gone"');
    const generated = await call(GET_WIDGET, { params: mine, headers: { prefer: 'code=404, dynamic=true' } });
    expect(generated.status).toBe(404);
    expect(generated.headers.get('x-mock-reason')).toBe('override code=404: answered from Widget Service: generated from its schema by Prism');
  });

  it('a refusal keeps its status whatever body Prefer asks for: the named example of that status where there is one, else its own', async () => {
    await arm({ status: 404, times: 2, match: { operation: GET_WIDGET } });
    const gone = await call(GET_WIDGET, { params: mine, headers: { prefer: 'example=gone' } });
    expect([gone.status, gone.body]).toEqual([404, { code: 'gone', message: 'The widget was deleted.' }]);
    const missing = await call(GET_WIDGET, { params: mine, headers: { prefer: 'example=two' } });
    expect([missing.status, missing.body]).toEqual([404, { code: 'not_found', message: 'No such widget.' }]);
    const refused = await call('listWidgets', { params: mine, headers: { prefer: 'example=none' } });
    expect([refused.status, refused.body]).toEqual([401, { code: 'unauthenticated', message: 'Sign in again.' }]);
  });
});

describe('faults on a mounted operation', () => {
  it('by match.operation: its operationId, else `<method> <path>` as the document writes it; another name is refused, listing the names', async () => {
    const { idToken } = await signInDemo(mock);
    const byId = await arm({ status: 401, match: { operation: 'listWidgets' } });
    const byPath = await arm({ status: 404, match: { operation: GET_WIDGET } });
    expect((await call(GET_WIDGET, { params: mine, token: idToken })).headers.get('x-mock-fault')).toBe(byPath.id);
    const faulted = await call('listWidgets', { params: mine, token: idToken });
    expect([faulted.status, faulted.headers.get('x-mock-fault'), faulted.body]).toEqual([401, byId.id, { code: 'unauthenticated', message: 'Sign in again.' }]);
    expect((await call('listWidgets', { params: mine, token: idToken })).status).toBe(200);
    await expect(arm({ status: 404, match: { operation: 'GET /accounts/{accountId}/widgets/{widgetId}' } })).rejects.toThrow(
      /match\.operation must be one of .*listWidgets, createWidget, get \/accounts\/\{accountId\}\/widgets\/\{widgetId\}, deleteWidget, getStatus/,
    );
    // A status the operation does not document is refused, naming those it does.
    await expect(arm({ status: 500, match: { operation: 'listWidgets' } })).rejects.toThrow(/200, 401/);
  });

  it('by match.customer, match.sid and match.session', async () => {
    const demo = await signInDemo(mock);
    const again = await signInDemo(mock);
    const other = await otherCustomersToken(mock, OTHER_CUSTOMER);
    await arm({ status: 401, times: null, match: { operation: 'listWidgets', customer: OTHER_CUSTOMER } });
    expect((await call('listWidgets', { params: theirs, token: other })).status).toBe(401);
    expect((await call('listWidgets', { params: mine, token: demo.idToken })).status).toBe(200);
    await mock.faults.clear();

    const sid = (JSON.parse(Buffer.from(demo.idToken.split('.')[1] as string, 'base64url').toString()) as { origin_jti: string }).origin_jti;
    await arm({ status: 401, times: null, match: { operation: 'listWidgets', sid } });
    expect((await call('listWidgets', { params: mine, token: demo.idToken })).status).toBe(401);
    expect((await call('listWidgets', { params: mine, token: again.idToken })).status).toBe(200);
    await mock.faults.clear();

    await arm({ status: 401, times: null, match: { operation: 'listWidgets', session: 'run-a' } });
    expect((await call('listWidgets', { params: mine, token: demo.idToken, headers: { 'x-mock-session': 'run-a' } })).status).toBe(401);
    expect((await call('listWidgets', { params: mine, token: demo.idToken, headers: { 'x-mock-session': 'run-b' } })).status).toBe(200);
    expect((await mock.requests({ session: 'run-a' })).map((entry) => [entry.operation, entry.status])).toEqual([['listWidgets', 401]]);
  });

  it('network faults and delays: reset, a hang held until cleared, a delay', async () => {
    const { idToken } = await signInDemo(mock);
    await arm({ network: 'reset', match: { operation: 'listWidgets' } });
    await expect(callMounted(mock, 'listWidgets', { params: mine, token: idToken })).rejects.toThrow();
    const hang = await arm({ network: 'hang', match: { operation: 'getStatus' } });
    const held = callMounted(mock, 'getStatus');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await mock.faults.clear(hang.id)).toBe(1);
    expect((await held).status).toBe(200);
    await arm({ delayMs: 300, match: { operation: 'getStatus' } });
    const started = performance.now();
    expect((await call('getStatus')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('the journal, the request log, CORS and HEAD on a mounted operation', () => {
  it('the journal and the request log name the operation', async () => {
    const { idToken } = await signInDemo(mock);
    const fault = await arm({ status: 404, match: { operation: GET_WIDGET } });
    await call(GET_WIDGET, { params: mine, token: idToken });
    await call('listWidgets', { params: theirs, token: idToken });
    const entries = await mock.requests({ operation: GET_WIDGET });
    expect(entries.map(({ operation, status, faultId, path }) => ({ operation, status, faultId, path }))).toEqual([
      { operation: GET_WIDGET, status: 404, faultId: fault.id, path: `/widgets/v2/accounts/${DEMO_CUSTOMER}/widgets/widgetId-1` },
    ]);
    expect((await mock.requests({ operation: 'listWidgets' })).map((entry) => entry.status)).toEqual([403]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = logged
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { operation: string; status: number });
    expect(lines.filter((line) => line.operation === GET_WIDGET).map((line) => line.status)).toContain(404);
    expect(lines.filter((line) => line.operation === 'listWidgets').map((line) => line.status)).toContain(403);
  });

  it('a CORS preflight allows the methods the path has in its document; answers carry CORS for an Origin', async () => {
    const path = `${mock.url}/widgets/v2/accounts/${DEMO_CUSTOMER}/widgets/w-1`;
    const origin = 'http://app.example.test';
    const preflight = await fetch(path, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, DELETE, HEAD, OPTIONS');
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await fetch(`${mock.url}/widgets/v2/status`, { method: 'OPTIONS', headers: { origin } })).headers.get('access-control-allow-methods')).toBe(
      'GET, HEAD, OPTIONS',
    );
    const refused = await call(GET_WIDGET, { params: mine, headers: { origin } });
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    expect(refused.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate, X-Mock-Reason/);
  });

  it('HEAD on a GET: the same status and head, no body; the gate applies to it as well', async () => {
    const { idToken } = await signInDemo(mock);
    const get = await callMounted(mock, 'listWidgets', { params: mine, token: idToken });
    const head = await callMounted(mock, 'listWidgets', { params: mine, token: idToken, method: 'HEAD' });
    expect([head.status, head.text, head.headers.get('content-length'), head.headers.get('x-request-id')]).toEqual([
      200,
      '',
      get.headers.get('content-length'),
      'req-0001',
    ]);
    expect((await callMounted(mock, 'listWidgets', { params: mine, method: 'HEAD' })).status).toBe(401);
    expect((await mock.requests({ operation: 'listWidgets' })).map((entry) => [entry.method, entry.status])).toEqual([
      ['GET', 200],
      ['HEAD', 200],
      ['HEAD', 401],
    ]);
  });
});
