import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/contract.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Fault } from '../../src/faults/fault.ts';
import type { Mock } from '../../src/mock.ts';
import { type Answer, control as controlAt, logout, mockOn, read, useMock, violations } from '../support/mock.ts';

/** The statuses the spec documents for logout: every one may be armed and forced. */
const DOCUMENTED = (await loadContract()).operations.get('logout')?.statuses ?? [];

const mock = useMock({}, { resetAfterEach: true });

const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Answer> => controlAt(mock.url, method, path, body);

async function armOverHttp(fault: unknown): Promise<Fault> {
  const answer = await control('POST', '/__mock/faults', fault);
  expect(answer.status).toBe(201);
  return answer.body as Fault;
}

async function listed(): Promise<Fault[]> {
  const answer = await control('GET', '/__mock/faults');
  expect(answer.status).toBe(200);
  return (answer.body as { faults: Fault[] }).faults;
}

const token = async (sub = 'cust-1') => (await mock.issueToken({ sub })).token;

/** A faulted answer: the fault's status, its id in X-Mock-Fault, the spec's body, and nothing Prism objects to. */
async function expectFaulted(answer: Answer, fault: Fault): Promise<void> {
  expect(answer.status).toBe(fault.status);
  expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
  expect(answer.body).toEqual(mock.contract.operations.get('logout')!.examples.get(fault.status as number));
  expect(await violations(answer)).toEqual([]);
}

describe('arming a status fault', () => {
  it('times 3 via POST /__mock/faults: exactly the next three logouts answer 500, then normal behaviour resumes', async () => {
    const fault = await armOverHttp({ status: 500, times: 3 });
    expect(fault).toMatchObject({ status: 500, remaining: 3 });
    const tokens = await Promise.all([1, 2, 3, 4].map(() => token()));
    for (const t of tokens.slice(0, 3)) await expectFaulted(await logout(mock, { token: t }), fault);
    const after = await logout(mock, { token: tokens[3] });
    expect(after.status).toBe(200);
    expect(after.headers.has('x-mock-fault')).toBe(false);
    // The faulted logouts revoked nothing: the app may retry them.
    expect((await logout(mock, { token: tokens[0] })).status).toBe(200);
  });

  it('times 3 via mock.faults.arm does the same in-process', async () => {
    const fault = await mock.faults.arm({ status: 500, times: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await logout(mock)).status);
    expect(statuses).toEqual([500, 500, 500, 401, 401]);
    expect(await mock.faults.list()).toEqual([]);
    expect((await mock.requests({ faultId: fault.id })).map((e) => e.status)).toEqual([500, 500, 500]);
  });

  it.each(DOCUMENTED)('a faulted %i is the spec’s answer for it and Prism finds no violation', async (status) => {
    const fault = await mock.faults.arm({ status });
    const answer = await logout(mock, { token: await token() });
    await expectFaulted(answer, fault);
    // RFC 6750 §3: a 401 carries the invalid_token challenge, a 403 insufficient_scope; no other status has one.
    const error = status === 401 ? 'invalid_token' : status === 403 ? 'insufficient_scope' : undefined;
    const challenge = error && `Bearer realm="worth-auth-mock", error="${error}", error_description="fault ${fault.id} armed"`;
    expect(answer.headers.get('www-authenticate')).toBe(challenge ?? null);
  });

  it('the journal marks each faulted request with the fault’s id', async () => {
    const fault = await armOverHttp({ status: 500, times: 2 });
    await logout(mock);
    await logout(mock);
    await logout(mock);
    const journal = await control('GET', '/__mock/requests');
    const entries = (journal.body as { requests: { status: number; faultId?: string }[] }).requests;
    expect(entries.map((e) => [e.status, e.faultId])).toEqual([
      [500, fault.id],
      [500, fault.id],
      [401, undefined],
    ]);
    const filtered = await control('GET', `/__mock/requests?faultId=${fault.id}`);
    expect((filtered.body as { requests: unknown[] }).requests).toHaveLength(2);
  });

  it('a browser can read X-Mock-Fault (CORS exposes it)', async () => {
    const fault = await mock.faults.arm({ status: 500 });
    const answer = await logout(mock, { headers: { origin: 'http://localhost:3000' } });
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect(answer.headers.get('access-control-expose-headers')).toMatch(/X-Mock-Fault/i);
  });
});

describe('scoping a fault', () => {
  it('403 for match.sub: only that customer is refused, colleagues keep working', async () => {
    const fault = await armOverHttp({ status: 403, times: null, match: { sub: 'cust-42' } });
    const colleague = await logout(mock, { token: await token('cust-7') });
    expect(colleague.status).toBe(200);
    expect(colleague.headers.has('x-mock-fault')).toBe(false);
    for (let i = 0; i < 2; i++) await expectFaulted(await logout(mock, { token: await token('cust-42') }), fault);
    expect((await logout(mock)).status).toBe(401);
    const journal = await mock.requests({ sub: 'cust-42' });
    expect(journal.map((e) => [e.status, e.faultId])).toEqual([
      [403, fault.id],
      [403, fault.id],
    ]);
  });

  it('match.sid: only that sign-in, not another sign-in of the same customer', async () => {
    const first = await mock.issueToken({ sub: 'cust-42' });
    const second = await mock.issueToken({ sub: 'cust-42' });
    const fault = await mock.faults.arm({ status: 500, times: null, match: { sid: first.claims.origin_jti } });
    expect((await logout(mock, { token: second.token })).status).toBe(200);
    await expectFaulted(await logout(mock, { token: first.token }), fault);
    // The id token of the same sign-in carries the same origin_jti.
    await expectFaulted(await logout(mock, { token: first.idToken }), fault);
  });

  it('match.session by X-Mock-Session header: parallel e2e runs sharing one mock do not see each other’s faults', async () => {
    const runA = await mock.faults.arm({ status: 500, times: null, match: { session: 'run-a' } });
    const runB = await mock.faults.arm({ status: 401, times: null, match: { session: 'run-b' } });
    await expectFaulted(await logout(mock, { token: await token(), headers: { 'x-mock-session': 'run-a' } }), runA);
    await expectFaulted(await logout(mock, { token: await token(), headers: { 'x-mock-session': 'run-b' } }), runB);
    expect((await logout(mock, { token: await token(), headers: { 'x-mock-session': 'run-c' } })).status).toBe(200);
    expect((await logout(mock, { token: await token() })).status).toBe(200);
    expect((await mock.requests({ session: 'run-a' })).map((e) => e.faultId)).toEqual([runA.id]);
  });

  it('match.session by mock_session cookie (browsers set it once per tab)', async () => {
    const fault = await mock.faults.arm({ status: 500, times: null, match: { session: 'qa-anna' } });
    await expectFaulted(await logout(mock, { token: await token(), headers: { cookie: 'theme=dark; mock_session=qa-anna' } }), fault);
    expect((await logout(mock, { token: await token(), headers: { cookie: 'mock_session=qa-bob' } })).status).toBe(200);
  });

  it.each([
    ['quoted, as RFC 6265 §4.1.1 allows', 'theme=dark; mock_session="run-q"', 'run-q'],
    ['percent-encoded', 'mock_session=run%2Fq%20%C3%A9; theme=dark', 'run/q é'],
    ['quoted and percent-encoded', 'mock_session="run%2Dq"', 'run-q'],
  ])('match.session by a %s mock_session cookie (issue 15, case 4)', async (_form, cookie, session) => {
    const fault = await mock.faults.arm({ status: 500, times: null, match: { session } });
    await expectFaulted(await logout(mock, { token: await token(), headers: { cookie } }), fault);
    expect((await mock.requests({ faultId: fault.id }))[0]?.session).toBe(session);
    expect((await logout(mock, { token: await token(), headers: { cookie: 'mock_session="run-other"' } })).status).toBe(200);
  });

  it('a newer scoped fault wins over an older global one, for its scope only', async () => {
    const global = await mock.faults.arm({ status: 500, times: null });
    const scoped = await mock.faults.arm({ status: 403, times: null, match: { sub: 'cust-42' } });
    expect((await logout(mock, { token: await token('cust-42') })).headers.get('x-mock-fault')).toBe(scoped.id);
    expect((await logout(mock, { token: await token('cust-7') })).headers.get('x-mock-fault')).toBe(global.id);
  });
});

describe('counting, skipping, expiring', () => {
  it('50 concurrent requests against a single-shot fault: exactly one is faulted', async () => {
    const fault = await armOverHttp({ status: 500 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => logout(mock)));
    const faulted = answers.filter((a) => a.headers.get('x-mock-fault') === fault.id);
    expect(faulted).toHaveLength(1);
    expect(faulted[0]?.status).toBe(500);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(49);
  });

  it('50 concurrent requests against times 10: exactly ten are faulted', async () => {
    const fault = await mock.faults.arm({ status: 500, times: 10 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => logout(mock)));
    expect(answers.filter((a) => a.headers.get('x-mock-fault') === fault.id)).toHaveLength(10);
  });

  it('skip 2: the first two matching logouts pass, the third is faulted', async () => {
    const fault = await armOverHttp({ status: 500, skip: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await logout(mock)).status);
    expect(statuses).toEqual([401, 401, 500, 401]);
    expect((await mock.requests({ faultId: fault.id })).length).toBe(1);
  });

  it('probability with a seed repeats the same run', async () => {
    const runOnce = async () => {
      await mock.faults.clear();
      await mock.faults.arm({ status: 500, times: null, probability: 0.5, seed: 1234 });
      const statuses = [];
      for (let i = 0; i < 40; i++) statuses.push((await logout(mock)).status);
      return statuses;
    };
    const first = await runOnce();
    expect(first).toContain(500);
    expect(first).toContain(401);
    expect(await runOnce()).toEqual(first);
  });

  it('after POST /__mock/reset the same unseeded scenario repeats (suites that reset in beforeEach stay order-independent)', async () => {
    const scenario = async () => {
      await control('POST', '/__mock/reset');
      const fault = await armOverHttp({ status: 500, times: null, probability: 0.5 });
      const statuses = [];
      for (let i = 0; i < 40; i++) statuses.push((await logout(mock)).status);
      return { seed: fault.seed, statuses };
    };
    const first = await scenario();
    await armOverHttp({ status: 401, times: null, probability: 0.5 });
    expect(await scenario()).toEqual(first);
  });

  it('listing shows remaining going down, then the spent fault is gone', async () => {
    const fault = await armOverHttp({ status: 500, times: 3 });
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      remaining.push((await listed()).find((f) => f.id === fault.id)?.remaining);
      await logout(mock);
    }
    expect(remaining).toEqual([3, 2, 1]);
    expect(await listed()).toEqual([]);
  });

  it('listing shows skip left, hits and until-cleared faults', async () => {
    const forever = await mock.faults.arm({ status: 500, times: null, skip: 1 });
    await logout(mock);
    expect(await listed()).toMatchObject([{ id: forever.id, remaining: null, skip: 0, hits: 0 }]);
    await logout(mock);
    await logout(mock);
    expect(await listed()).toMatchObject([{ id: forever.id, remaining: null, hits: 2 }]);
  });
});

describe('ttlMs, on an injected clock', () => {
  let now = Date.now();
  let timed: Mock;
  beforeAll(async () => {
    timed = await mockOn({ clock: () => now });
  });
  afterAll(() => timed.close());

  it('fires until the ttl passes, lists expiresAt, and is gone after', async () => {
    const armedAt = now;
    const fault = await timed.faults.arm({ status: 500, times: null, ttlMs: 60_000 });
    expect(fault.expiresAt).toBe(armedAt + 60_000);
    const listing = await read(await fetch(`${timed.url}/__mock/faults`));
    expect((listing.body as { faults: Fault[] }).faults).toMatchObject([{ id: fault.id, expiresAt: armedAt + 60_000 }]);
    expect((await logout(timed)).status).toBe(500);
    now += 59_999;
    expect((await logout(timed)).status).toBe(500);
    now += 1;
    const after = await logout(timed);
    expect(after.status).toBe(401);
    expect(after.headers.has('x-mock-fault')).toBe(false);
    expect(await timed.faults.list()).toEqual([]);
  });
});

describe('ttlMs, on the real clock', () => {
  it('a small ttl disarms the fault once it has passed', async () => {
    const fault = await mock.faults.arm({ status: 500, times: null, ttlMs: 150 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await logout(mock)).status).toBe(401);
    expect((await mock.faults.list()).map((f) => f.id)).not.toContain(fault.id);
  });
});

describe('clearing', () => {
  it('DELETE /__mock/faults/{id} disarms that one only', async () => {
    const keep = await armOverHttp({ status: 500, times: null, match: { sub: 'cust-1' } });
    const drop = await armOverHttp({ status: 403, times: null });
    const answer = await control('DELETE', `/__mock/faults/${drop.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ cleared: 1 });
    expect((await listed()).map((f) => f.id)).toEqual([keep.id]);
    expect((await logout(mock, { token: await token('cust-2') })).status).toBe(200);
  });

  it('DELETE of an unknown id is a 404 that names it', async () => {
    const answer = await control('DELETE', '/__mock/faults/f_000000000000');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ errorCode: 'ERR_NOT_FOUND' });
  });

  it('DELETE /__mock/faults disarms all and says how many', async () => {
    await armOverHttp({ status: 500, times: null });
    await armOverHttp({ network: 'reset', times: null });
    await armOverHttp({ delayMs: 5000, times: null });
    const answer = await control('DELETE', '/__mock/faults');
    expect(answer.body).toEqual({ cleared: 3 });
    expect(await listed()).toEqual([]);
    expect((await logout(mock)).status).toBe(401);
  });

  it('mock.faults.clear(id) and clear() in-process', async () => {
    const a = await mock.faults.arm({ status: 500, times: null });
    await mock.faults.arm({ status: 401, times: null });
    expect(await mock.faults.clear(a.id)).toBe(1);
    expect(await mock.faults.clear(a.id)).toBe(0);
    expect(await mock.faults.clear()).toBe(1);
    expect(await mock.faults.list()).toEqual([]);
  });

  it('POST /__mock/reset disarms faults too', async () => {
    await armOverHttp({ status: 500, times: null });
    expect((await control('POST', '/__mock/reset')).status).toBe(200);
    expect(await listed()).toEqual([]);
  });
});

describe('a bad fault is a 400 naming the field', () => {
  it.each([
    [{ status: 418 }, 'status'],
    [{ status: '500' }, 'status'],
    [{}, 'status'],
    [{ network: 'slow' }, 'network'],
    [{ status: 500, network: 'reset' }, 'network'],
    [{ status: 500, times: 0 }, 'times'],
    [{ status: 500, times: 'twice' }, 'times'],
    [{ status: 500, skip: -1 }, 'skip'],
    [{ status: 500, probability: 2 }, 'probability'],
    [{ status: 500, probability: -1 }, 'probability'],
    [{ status: 500, seed: 'abc' }, 'seed'],
    [{ delayMs: -1 }, 'delayMs'],
    [{ delayMs: 1e9 }, 'delayMs'],
    [{ status: 500, ttlMs: 0 }, 'ttlMs'],
    [{ status: 500, match: 'cust-42' }, 'match'],
    [{ status: 500, match: { customer: '' } }, 'match.customer'],
    [{ status: 500, match: { tenant: 'cust-42' } }, 'match.tenant'],
    [{ status: 500, match: { sub: '' } }, 'match.sub'],
    [{ status: 500, match: { session: 42 } }, 'match.session'],
    [{ status: 500, colour: 'red' }, 'colour'],
    [[{ status: 500 }], 'body'],
    ['{"status": 500', 'body'],
  ])('POST %j → 400, field %s', async (body, field) => {
    const answer = await control('POST', '/__mock/faults', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errorCode: 'ERR_INPUT', field });
    expect(await listed()).toEqual([]);
  });

  it('status 418 → the message names the allowed statuses', async () => {
    const answer = await control('POST', '/__mock/faults', { status: 418 });
    const message = (answer.body as { message: string }).message;
    for (const status of mock.contract.operations.get('logout')!.statuses) expect(message).toContain(String(status));
  });

  it('mock.faults.arm throws the same InputError', async () => {
    await expect(mock.faults.arm({ status: 418 })).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'status' });
  });
});

describe('per-request overrides', () => {
  const elapsed = async (run: () => Promise<Answer>) => {
    const started = performance.now();
    const answer = await run();
    return { answer, ms: performance.now() - started };
  };

  it.each(DOCUMENTED)('Prefer: code=%i answers the documented response, spec-valid', async (status) => {
    const answer = await logout(mock, { token: await token(), headers: { prefer: `code=${status}` } });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(mock.contract.operations.get('logout')!.examples.get(status));
    expect(await violations(answer)).toEqual([]);
  });

  it('?__code=403 does the same for browser callers that cannot set headers', async () => {
    const answer = await logout(mock, { token: await token(), query: '?__code=403' });
    expect(answer.status).toBe(403);
    expect(await violations(answer)).toEqual([]);
  });

  it.each([
    ['Prefer: code=418', { headers: { prefer: 'code=418' } }, '418'],
    ['?__code=418', { query: '?__code=418' }, '418'],
    ['?__code=abc', { query: '?__code=abc' }, 'abc'],
  ])('%s → 400 naming the allowed codes', async (_name, init, code) => {
    const answer = await logout(mock, { token: await token(), ...init });
    expect(answer.status).toBe(400);
    expect(await violations(answer)).toEqual([]);
    const allowed = mock.contract.operations.get('logout')!.statuses.join(', ');
    expect(answer.headers.get('x-mock-reason')).toBe(`code=${code} is not documented for this operation; allowed: ${allowed}`);
  });

  it.each([
    ['Prefer: delay=300', { headers: { prefer: 'delay=300' } }, 200],
    ['?__delay=300', { query: '?__delay=300' }, 200],
    ['Prefer: code=500, delay=300', { headers: { prefer: 'code=500, delay=300' } }, 500],
    ['?__code=401&__delay=300', { query: '?__code=401&__delay=300' }, 401],
  ])('%s delays the answer by at least that long', async (_name, init, status) => {
    const t = await token();
    const { answer, ms } = await elapsed(() => logout(mock, { token: t, ...init }));
    expect(answer.status).toBe(status);
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it.each([['soon'], ['-5'], ['999999999'], ['600001']])('Prefer: delay=%s → 400 naming the bound', async (delay) => {
    const answer = await logout(mock, { token: await token(), headers: { prefer: `delay=${delay}` } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toBe(`delay must be whole milliseconds from 0 to 600000, got "${delay}"`);
  });

  it('an armed fault comes before Prefer: code', async () => {
    const fault = await mock.faults.arm({ status: 500 });
    const answer = await logout(mock, { token: await token(), headers: { prefer: 'code=403' } });
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect(answer.status).toBe(500);
  });

  it('a delay-only fault delays and then the request is decided as usual (override included)', async () => {
    const fault = await mock.faults.arm({ delayMs: 300 });
    const { answer, ms } = await elapsed(async () => logout(mock, { token: await token(), headers: { prefer: 'code=403' } }));
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect(ms).toBeGreaterThanOrEqual(290);
  });
});

describe('--faults FILE at start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'worth-faults-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it.each([
    ['an array', (faults: unknown[]) => faults],
    ['{ "faults": [...] }', (faults: unknown[]) => ({ faults })],
  ])('a good file (%s) arms every entry, in order', async (name, shape) => {
    const faultsFile = await file(
      `good-${name.length}.json`,
      shape([
        { status: 500, times: 2 },
        { status: 403, times: null, match: { sub: 'cust-42' } },
        { network: 'reset', match: { session: 'chaos' } },
      ]),
    );
    const preloaded = await mockOn({ faultsFile });
    try {
      const faults = await preloaded.faults.list();
      expect(faults.map((f) => [f.status, f.network, f.remaining, f.match])).toEqual([
        [500, null, 2, {}],
        [403, null, null, { sub: 'cust-42' }],
        [null, 'reset', 1, { session: 'chaos' }],
      ]);
      const t = (await preloaded.issueToken({ sub: 'cust-42' })).token;
      expect((await logout(preloaded, { token: t })).status).toBe(403);
    } finally {
      await preloaded.close();
    }
  });

  it.each([
    ['an undocumented status', 1, 'status', [{ status: 500 }, { status: 418 }]],
    ['a bad match field', 0, 'match.user', [{ status: 500, match: { user: 'x' } }]],
    ['a probability over 1', 2, 'probability', [{ status: 500 }, { status: 401 }, { status: 403, probability: 1.5 }]],
    ['an entry that is not an object', 1, 'body', [{ status: 500 }, 'boom']],
  ])('a bad file (%s) → ConfigError naming entry %i and field %s', async (_name, entry, field, content) => {
    const faultsFile = await file(`bad-${entry}-${field}.json`, content);
    const error = await mockOn({ faultsFile }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG', field: '--faults' });
    const message = (error as Error).message;
    expect(message.startsWith(`--faults ${faultsFile}: entry ${entry}, field ${field}: `), message).toBe(true);
    expect(message.length).toBeGreaterThan(`--faults ${faultsFile}: entry ${entry}, field ${field}: `.length);
  });

  it.each([
    ['not JSON', '[{"status": 500', 'cannot be read as JSON: '],
    ['not a list', { status: 500 }, 'must hold a JSON array of faults (or { "faults": [...] })'],
    ['null', 'null', 'must hold a JSON array of faults (or { "faults": [...] })'],
  ])('a file that is %s → ConfigError saying so', async (name, content, says) => {
    const faultsFile = await file(`broken-${name.length}.json`, content);
    const error = await mockOn({ faultsFile }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_CONFIG', field: '--faults' });
    expect((error as Error).message).toContain(`--faults ${faultsFile} ${says}`);
  });

  it('a missing file → ConfigError naming the path', async () => {
    const faultsFile = join(dir, 'nowhere.json');
    const error = await mockOn({ faultsFile }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_CONFIG', field: '--faults' });
    expect((error as Error).message).toContain(faultsFile);
  });
});
