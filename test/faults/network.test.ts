import { type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HangRegistry, sleep } from '../../src/faults/network.ts';
import type { Mock } from '../../src/mock.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { Store } from '../../src/state/store.ts';
import { mockOn, useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

/** What a raw TCP client saw: every byte, how the connection ended. */
type RawResult = { bytes: Buffer; error: string | undefined; cleanEnd: boolean };

/** Sends one logout over a bare socket; `sent` resolves once written, `result` once the connection is gone. */
function rawLogout(target: Mock, headers: Record<string, string> = {}) {
  const socket = connect(target.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let error: string | undefined;
  let cleanEnd = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
  socket.on('end', () => (cleanEnd = true));
  const result = new Promise<RawResult>((resolve) => socket.on('close', () => resolve({ bytes: Buffer.concat(chunks), error, cleanEnd })));
  const head = Object.entries({ host: `127.0.0.1:${target.port}`, 'content-length': '0', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const sent = new Promise<void>((resolve) => socket.write(`POST ${new URL(target.urls.logout).pathname} HTTP/1.1\r\n${head}\r\n`, () => resolve()));
  return { socket, sent, result, received: () => Buffer.concat(chunks) };
}

/** What node:http's client saw: an answer, or the error it raised. */
type HttpResult = { status?: number; headers?: IncomingHttpHeaders; body?: string; error?: NodeJS.ErrnoException; ms: number };

/** One logout through node:http (no keep-alive agent, so no pooled socket outlives the test). */
function httpLogout(target: Mock, options: { token?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(target.urls.logout, {
      method: 'POST',
      agent: false,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, ms: performance.now() - started }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error, ms: performance.now() - started }));
    if (options.timeoutMs !== undefined)
      req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error('client gave up'), { code: 'CLIENT_TIMEOUT' })));
    req.end();
  });
}

/** Waits until `check` holds, polling; the test's own timeout bounds it. */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Polls `check` for up to `ms`; resolves whether it came true. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

/** Waits until fault `id` has caught `n` requests (they are then held or being broken). */
const caught = (target: Mock, id: string, n: number) => until(async () => ((await target.faults.list()).find((f) => f.id === id)?.hits ?? 0) >= n);

const count = (type: string) => process.getActiveResourcesInfo().filter((t) => t === type).length;

describe('reset', () => {
  it('a raw client sees ECONNRESET and not one byte', async () => {
    const fault = await mock.faults.arm({ network: 'reset' });
    const { result } = rawLogout(mock);
    const seen = await result;
    expect(seen.error).toBe('ECONNRESET');
    expect(seen.bytes.length).toBe(0);
    const [entry] = await mock.requests({ faultId: fault.id });
    expect(entry).toMatchObject({ status: 0, faultId: fault.id });
  });

  it('node:http and fetch see ECONNRESET', async () => {
    await mock.faults.arm({ network: 'reset', times: 2 });
    expect((await httpLogout(mock)).error?.code).toBe('ECONNRESET');
    const error = await fetch(mock.urls.logout, { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
  });
});

describe('empty', () => {
  it('a raw client sees the connection close cleanly with zero bytes', async () => {
    await mock.faults.arm({ network: 'empty' });
    const seen = await rawLogout(mock).result;
    expect(seen.error).toBeUndefined();
    expect(seen.cleanEnd).toBe(true);
    expect(seen.bytes.length).toBe(0);
  });

  it('node:http sees "socket hang up"', async () => {
    await mock.faults.arm({ network: 'empty' });
    const seen = await httpLogout(mock);
    expect(seen.status).toBeUndefined();
    expect(seen.error?.message).toBe('socket hang up');
  });
});

describe('garbage', () => {
  it('a raw client gets bytes that are no HTTP response, then the connection closes', async () => {
    await mock.faults.arm({ network: 'garbage' });
    const seen = await rawLogout(mock).result;
    expect(seen.cleanEnd).toBe(true);
    expect(seen.bytes.length).toBeGreaterThan(0);
    expect(seen.bytes.toString('latin1')).not.toMatch(/^HTTP\/1\.[01] [1-5]\d\d /);
  });

  it('node:http fails with a parse error, fetch with a protocol error', async () => {
    await mock.faults.arm({ network: 'garbage', times: 2 });
    const seen = await httpLogout(mock);
    expect(seen.status).toBeUndefined();
    expect(seen.error?.code).toMatch(/^HPE_/);
    const error = await fetch(mock.urls.logout, { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe('network faults are single-shot like any other', () => {
  it.each(['reset', 'empty', 'garbage'] as const)('%s: the next request is answered normally', async (network) => {
    const fault = await mock.faults.arm({ network });
    expect((await httpLogout(mock)).status).toBeUndefined();
    const next = await httpLogout(mock);
    expect(next.status).toBe(401);
    expect(next.headers?.['x-mock-fault']).toBeUndefined();
    expect((await mock.requests({ faultId: fault.id })).map((e) => e.status)).toEqual([0]);
  });

  it('a network fault scoped to a session breaks only that session', async () => {
    await mock.faults.arm({ network: 'reset', times: null, match: { session: 'chaos' } });
    expect((await rawLogout(mock, { 'x-mock-session': 'chaos' }).result).error).toBe('ECONNRESET');
    const calm = await rawLogout(mock, { 'x-mock-session': 'calm', connection: 'close' }).result;
    expect(calm.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 401 /);
  });
});

describe('hang', () => {
  it('armed with a ttl, lets its held request go when it expires (answered as if never armed), as it leaves the list', async () => {
    const fault = await mock.faults.arm({ network: 'hang', ttlMs: 400 });
    const { token } = await mock.issueToken({ sub: 'cust-ttl' });
    const started = Date.now();
    const held = httpLogout(mock, { token, timeoutMs: 10_000 });
    await caught(mock, fault.id, 1);
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await mock.faults.list()).toEqual([]);
  });

  it('holds the request while armed; clearing it by id releases the request, answered as if never armed', async () => {
    const fault = await mock.faults.arm({ network: 'hang' });
    const { token } = await mock.issueToken({ sub: 'cust-42' });
    const held = httpLogout(mock, { token });
    await caught(mock, fault.id, 1);
    let answered = false;
    void held.then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    // Still listed while it holds the request, so QA can see and clear it.
    expect(await mock.faults.list()).toMatchObject([{ id: fault.id, network: 'hang', remaining: 0, hits: 1 }]);

    const cleared = await fetch(`${mock.url}/__mock/faults/${fault.id}`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toEqual({ cleared: 1 });
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.headers?.['x-mock-fault']).toBe(fault.id);
    expect(JSON.parse(answer.body ?? '')).toEqual(mock.contract.operations.get('logout')!.examples.get(200));
    // It was a real logout: the token is revoked now.
    expect((await httpLogout(mock, { token })).status).toBe(401);
    expect(await mock.faults.list()).toEqual([]);
  });

  it('a raw client gets not one byte while held, then a whole HTTP answer once cleared', async () => {
    const fault = await mock.faults.arm({ network: 'hang', times: null });
    const client = rawLogout(mock, { connection: 'close' });
    await caught(mock, fault.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.received().length).toBe(0);
    expect(client.socket.destroyed).toBe(false);
    expect(await mock.faults.clear(fault.id)).toBe(1);
    const seen = await client.result;
    expect(seen.bytes.toString('latin1')).toMatch(new RegExp(`^HTTP/1\\.1 401 [^]*\\r\\nx-mock-fault: ${fault.id}\\r\\n`, 'i'));
  });

  it('times null holds every request until DELETE /__mock/faults releases them all', async () => {
    const fault = await mock.faults.arm({ network: 'hang', times: null });
    const held = [httpLogout(mock), httpLogout(mock), httpLogout(mock)];
    await caught(mock, fault.id, 3);
    const cleared = await fetch(`${mock.url}/__mock/faults`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ cleared: 1 });
    expect((await Promise.all(held)).map((a) => a.status)).toEqual([401, 401, 401]);
    expect((await mock.requests({ faultId: fault.id })).map((e) => e.status)).toEqual([401, 401, 401]);
  });

  it('a hang whose ttl has passed still releases its held requests when cleared by id', async () => {
    let now = Date.now();
    const timed = await mockOn({ clock: () => now });
    try {
      const fault = await timed.faults.arm({ network: 'hang', times: null, ttlMs: 1000 });
      const held = httpLogout(timed);
      await caught(timed, fault.id, 1);
      now += 1000;
      expect(await timed.faults.list()).toEqual([]);
      expect((await httpLogout(timed)).status).toBe(401);
      const cleared = await fetch(`${timed.url}/__mock/faults/${fault.id}`, { method: 'DELETE' });
      expect((await held).status).toBe(401);
      expect(cleared.status).toBe(200);
      expect(await cleared.json()).toEqual({ cleared: 1 });
    } finally {
      await timed.close();
    }
  });

  it('a client that gives up frees its hold: the journal records it, and clearing later answers no one', async () => {
    const fault = await mock.faults.arm({ network: 'hang', times: null });
    const seen = await httpLogout(mock, { timeoutMs: 150 });
    expect(seen.error?.code).toBe('CLIENT_TIMEOUT');
    // The journal entry is written only once the hold has ended.
    await until(async () => (await mock.requests({ faultId: fault.id })).length === 1);
    expect(await mock.requests({ faultId: fault.id })).toMatchObject([{ status: 0, reason: 'client went away before the answer' }]);
    await mock.faults.clear(fault.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await mock.requests({ faultId: fault.id })).toHaveLength(1);
  });

  it('a client that leaves during the decision is not held either', async () => {
    // A slow store (Redis across a network, a busy disk) widens the gap between arrival and hold.
    const memory = new MemoryStore({ journalSize: 100 });
    const slow = new Proxy(memory, {
      get(target, name) {
        if (name === 'takeFault') {
          return async (...args: Parameters<Store['takeFault']>) => {
            await new Promise((resolve) => setTimeout(resolve, 100));
            return target.takeFault(...args);
          };
        }
        const value = Reflect.get(target, name, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const slowMock = await mockOn({ store: slow });
    try {
      const fault = await slowMock.faults.arm({ network: 'hang', times: null });
      const client = rawLogout(slowMock);
      await client.sent;
      client.socket.destroy();
      await caught(slowMock, fault.id, 1);
      // Bounded only so that a request held forever fails here rather than at the test's timeout.
      const journalled = await eventually(async () => (await slowMock.requests({ faultId: fault.id })).length === 1, 3000);
      expect(journalled).toBe(true);
      expect(await slowMock.requests({ faultId: fault.id })).toMatchObject([{ status: 0, reason: 'client went away before the answer' }]);
    } finally {
      await slowMock.close();
    }
  });

  it('a client that gives up during a hang’s delay leaves no timer behind', async () => {
    const fault = await mock.faults.arm({ network: 'hang', times: null, delayMs: 60_000 });
    const timersBefore = count('Timeout');
    const seen = await httpLogout(mock, { timeoutMs: 100 });
    expect(seen.error?.code).toBe('CLIENT_TIMEOUT');
    // Once the delay ends for a client already gone, the hang must not hold it.
    expect(await eventually(async () => (await mock.requests({ faultId: fault.id })).length === 1, 3000)).toBe(true);
    expect(await eventually(async () => count('Timeout') <= timersBefore, 3000)).toBe(true);
  });
});

describe('delayMs', () => {
  it('a delay alone delays the normal answer by at least that long', async () => {
    const fault = await mock.faults.arm({ delayMs: 400 });
    const { token } = await mock.issueToken();
    const answer = await httpLogout(mock, { token });
    expect(answer.status).toBe(200);
    expect(answer.headers?.['x-mock-fault']).toBe(fault.id);
    expect(answer.ms).toBeGreaterThanOrEqual(390);
  });

  it('a delay with a status delays that status', async () => {
    await mock.faults.arm({ status: 500, delayMs: 400 });
    const answer = await httpLogout(mock);
    expect(answer.status).toBe(500);
    expect(answer.ms).toBeGreaterThanOrEqual(390);
  });

  it('a delay with a network fault breaks the connection after the delay', async () => {
    await mock.faults.arm({ network: 'reset', delayMs: 300 });
    const answer = await httpLogout(mock);
    expect(answer.error?.code).toBe('ECONNRESET');
    expect(answer.ms).toBeGreaterThanOrEqual(290);
  });

  it('a client that gives up during a delay is journalled and breaks nothing', async () => {
    const fault = await mock.faults.arm({ network: 'reset', delayMs: 60_000 });
    expect((await httpLogout(mock, { timeoutMs: 100 })).error?.code).toBe('CLIENT_TIMEOUT');
    await until(async () => (await mock.requests({ faultId: fault.id })).length === 1);
    expect((await httpLogout(mock)).status).toBe(401);
  });
});

describe('close()', () => {
  it('resolves with requests held by a hang and leaves no socket, server or timer behind', async () => {
    const before = { servers: count('TCPServerWrap'), sockets: count('TCPSocketWrap'), timers: count('Timeout') };
    const local = await mockOn();
    const fault = await local.faults.arm({ network: 'hang', times: null });
    const held = [httpLogout(local), httpLogout(local)];
    const raw = rawLogout(local);
    await caught(local, fault.id, 3);
    await local.close();
    const answers = await Promise.all(held);
    // Released by close: each client got an answer or a closed connection, none is left waiting.
    for (const answer of answers) expect(answer.status === 401 || answer.error !== undefined).toBe(true);
    await raw.result;
    const settled = async () => count('TCPServerWrap') <= before.servers && count('TCPSocketWrap') <= before.sockets && count('Timeout') <= before.timers;
    expect(await eventually(settled, 3000), JSON.stringify(process.getActiveResourcesInfo())).toBe(true);
  });

  it('resolves while a delayed request waits, and the delay’s timer goes with it', async () => {
    const timersBefore = count('Timeout');
    const local = await mockOn();
    const fault = await local.faults.arm({ status: 500, times: null, delayMs: 60_000 });
    const waiting = httpLogout(local);
    await caught(local, fault.id, 1);
    await local.close();
    const answer = await waiting;
    expect(answer.status === undefined || answer.status === 500).toBe(true);
    expect(await eventually(async () => count('Timeout') <= timersBefore, 3000)).toBe(true);
  });
});

describe('HangRegistry', () => {
  it('counts what each fault holds and releases by id', async () => {
    const hangs = new HangRegistry();
    const never = new AbortController().signal;
    const a = [hangs.wait('f_a', never), hangs.wait('f_a', never)];
    const b = hangs.wait('f_b', never);
    expect([hangs.size, hangs.heldBy('f_a'), hangs.heldBy('f_b'), hangs.heldBy('f_c')]).toEqual([3, 2, 1, 0]);
    expect(hangs.release('f_a')).toBe(2);
    await Promise.all(a);
    expect(hangs.heldIds).toEqual(['f_b']);
    expect(hangs.releaseAll()).toBe(1);
    await b;
    expect(hangs.size).toBe(0);
  });

  it('a client going away (abort) ends its wait and leaves the registry empty', async () => {
    const hangs = new HangRegistry();
    const client = new AbortController();
    const other = new AbortController();
    const waiting = hangs.wait('f_a', client.signal);
    void hangs.wait('f_a', other.signal);
    client.abort();
    await waiting;
    expect(hangs.heldBy('f_a')).toBe(1);
    other.abort();
    await new Promise((resolve) => setImmediate(resolve));
    expect(hangs.size).toBe(0);
    expect(hangs.heldIds).toEqual([]);
    expect(hangs.release('f_a')).toBe(0);
  });

  it('a client already gone (aborted signal) is never held', async () => {
    const hangs = new HangRegistry();
    const gone = new AbortController();
    gone.abort();
    await hangs.wait('f_a', gone.signal);
    expect(hangs.size).toBe(0);
  });

  it('sleep ends early on abort and clears its timer', async () => {
    const timersBefore = count('Timeout');
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    expect(count('Timeout')).toBe(timersBefore + 1);
    controller.abort();
    await slept;
    expect(count('Timeout')).toBe(timersBefore);
  });
});
