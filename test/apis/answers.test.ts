// What a mounted operation answers from its document: every documented status and named example validates against
// it; captured headers are copied but for Date, Content-Length and Connection (the mock's own); an example that fails
// its own schema is reported (mock.apis, GET /__mock/health) and a body generated from the schema is sent instead.
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/contract.ts';
import type { Document } from '../../src/contract/document.ts';
import type { Mock } from '../../src/mock.ts';
import { CASE_SERVICE, callMounted, DEMO_CUSTOMER, mountedViolations, signInDemo, WIDGET_SERVICE } from '../support/documents.ts';
import { mockOn, read, useMock } from '../support/mock.ts';

const mock = useMock({ apis: [{ path: CASE_SERVICE }, { path: WIDGET_SERVICE, bind: 'accountId' }] });
const params = { customerID: DEMO_CUSTOMER, accountId: DEMO_CUSTOMER };

/** One GET over a keep-alive agent, as node:http's client saw it: status, headers (raw too), body, and whether the socket was reused. */
function get(
  agent: Agent,
  url: string,
  token: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; raw: string[]; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders, body, reused: req.reusedSocket }));
    });
    req.on('error', reject).end();
  });
}

describe('headers a document captured', () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  it('are copied (X-Request-Id), never Date, Content-Length or Connection: those are the answer’s own, and the connection stays open', async () => {
    const { idToken } = await signInDemo(mock);
    const url = (mock.urls.listWidgets as string).replace('{accountId}', DEMO_CUSTOMER);
    const first = await get(agent, url, idToken);
    const second = await get(agent, url, idToken);
    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['x-request-id']).toBe('req-0001');
      expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
      expect(answer.headers.connection).toBe('keep-alive');
      expect(answer.headers.date).not.toBe('Wed, 14 Feb 2024 05:46:36 GMT');
      expect(Math.abs(Date.parse(answer.headers.date as string) - Date.now())).toBeLessThan(60_000);
      // Each once: nothing of the document's beside the mock's own.
      const names = answer.raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
      for (const name of ['date', 'content-length', 'connection', 'content-type'])
        expect(
          names.filter((n) => n === name),
          name,
        ).toHaveLength(1);
    }
    expect(second.reused).toBe(true);
  });

  it('that Prism could only make `null` of are left out (the Case Service’s headers are `content:` maps)', async () => {
    const { idToken } = await signInDemo(mock);
    const answer = await callMounted(mock, 'GetCustomerCases', { params, token: idToken });
    expect(answer.status).toBe(200);
    for (const [name, value] of answer.headers) expect(value, name).not.toBe('null');
    expect(Math.abs(Date.parse(answer.headers.get('date') as string) - Date.now())).toBeLessThan(60_000);
  });
});

/** Every documented status of every operation of a document, and each named example, as `[name, prefer, has a request body]` rows. */
async function everyAnswer(file: string): Promise<[string, string, boolean][]> {
  const contract = await loadContract(file);
  const rows: [string, string, boolean][] = [];
  for (const operation of contract.operations.values()) {
    const responses = ((contract.document.paths as Document)[operation.path] as Document)[operation.method] as { responses: Record<string, Document> };
    for (const status of operation.statuses) {
      const body = operation.requestBody !== undefined;
      rows.push([operation.id, `code=${status}`, body]);
      const content = (responses.responses[String(status)]?.content ?? {}) as Record<string, { examples?: Record<string, unknown> }>;
      for (const key of new Set(Object.values(content).flatMap((media) => Object.keys(media.examples ?? {})))) {
        rows.push([operation.id, `code=${status}, example=${key}`, body]);
      }
    }
  }
  return rows;
}

describe('every documented answer validates against its document', () => {
  it.each([
    ['Case Service', CASE_SERVICE],
    ['Widget Service', WIDGET_SERVICE],
  ])('%s: each status (Prefer: code=) and named example (example=)', async (_title, file) => {
    const { idToken } = await signInDemo(mock);
    const rows = await everyAnswer(file);
    expect(rows.length).toBeGreaterThan(5);
    for (const [name, prefer, body] of rows) {
      const answer = await callMounted(mock, name, { params, token: idToken, headers: { prefer }, json: body ? {} : undefined });
      expect(answer.status, `${name} ${prefer}`).toBe(Number(/code=(\d+)/.exec(prefer)?.[1]));
      expect(await mountedViolations(mock, answer, name), `${name} ${prefer}`).toEqual([]);
    }
  });
});

describe('an example that fails its own schema', () => {
  const PROBLEM =
    /^AddBusiness: the 400 example "default" fails its own schema \(.*data\.failed_rows.*must be object.*\): a body generated from the schema is sent instead$/;

  it('is reported in mock.apis and GET /__mock/health; a document without one reports none', async () => {
    const apis = Object.fromEntries(mock.apis.map((api) => [api.title, api]));
    // Once: the status's static answer is that same named example.
    expect(apis['Case Service']?.problems).toHaveLength(1);
    expect(apis['Case Service']?.problems[0]).toMatch(PROBLEM);
    expect(apis['Widget Service']?.problems).toEqual([]);
    expect(apis['Auth Service']?.problems).toEqual([]);
    const health = (await read(await fetch(`${mock.url}/__mock/health`))).body as { apis: { title: string; problems: string[] }[] };
    expect(health.apis.find((api) => api.title === 'Case Service')?.problems).toEqual(apis['Case Service']?.problems);
  });

  it('is replaced by a body generated from the schema, valid against it, the same on every start', async () => {
    const { idToken } = await signInDemo(mock);
    const sent = await callMounted(mock, 'AddBusiness', { params, token: idToken, headers: { prefer: 'code=400' }, json: [] });
    expect(sent.status).toBe(400);
    expect(await mountedViolations(mock, sent, 'AddBusiness')).toEqual([]);
    const contract = await loadContract(CASE_SERVICE);
    expect(sent.body).not.toEqual(contract.operations.get('AddBusiness')?.examples.get(400));

    const another: Mock = await mockOn({ apis: [{ path: CASE_SERVICE }] });
    try {
      const again = await callMounted(another, 'AddBusiness', { params, headers: { prefer: 'code=400' }, json: [] });
      expect(again.body).toEqual(sent.body);
    } finally {
      await another.close();
    }
  });
});
