import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProviderFailure, type ProviderProxy, startProviderProxy } from '../../src/pact/provider-proxy.ts';

// verify puts this proxy between the Pact Verifier and the provider: it must pass everything Pact compares unchanged,
// and turn "no answer" into a quick answer plus a cause, instead of a Verifier hanging on a dead socket.
type Seen = { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string };

let seen: Seen = {};
let upstream: ReturnType<typeof createServer>;
let target: string;
let proxy: ProviderProxy;
const failures: ProviderFailure[] = [];

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    seen = { method: req.method, url: req.url, headers: req.headers, body };
    if (req.url?.endsWith('/slow')) return void setTimeout(() => res.end('late'), 2000).unref();
    res.writeHead(207, [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Set-Cookie', 'a=1; HttpOnly'],
      ['Set-Cookie', 'b=2'],
      ['X-Trace', 'kept'],
    ]);
    res.end('{"ok":true}');
  });
  await new Promise<void>((ready) => upstream.listen(0, '127.0.0.1', ready));
  // A provider whose base URL has a path: Pact puts the interaction's path under it.
  target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/prefix`;
  proxy = await startProviderProxy(
    target,
    () => 300,
    (failure) => failures.push(failure),
  );
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise<void>((done) => upstream.close(() => done()));
});

describe('the provider proxy', () => {
  it('forwards method, path and query (under the base path), headers and body, and answers exactly what the provider answered', async () => {
    const response = await fetch(`${proxy.url}/auth/api/v1/customer/sign-in?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc', 'x-custom': 'v' },
      body: '{"email":"a@example.com"}',
    });
    expect(seen).toMatchObject({ method: 'POST', url: '/prefix/auth/api/v1/customer/sign-in?x=1&x=2', body: '{"email":"a@example.com"}' });
    expect(seen.headers).toMatchObject({ host: new URL(target).host, 'content-type': 'application/json', authorization: 'Bearer abc', 'x-custom': 'v' });
    expect(response.status).toBe(207);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.getSetCookie()).toEqual(['a=1; HttpOnly', 'b=2']);
    expect(response.headers.get('x-trace')).toBe('kept');
    expect(await response.text()).toBe('{"ok":true}');
    expect(failures).toEqual([]);
  });

  it('answers 504 at its limit, and records the cause with the URL given', async () => {
    const started = Date.now();
    const response = await fetch(`${proxy.url}/slow`);
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(failures.at(-1)).toEqual({ cause: `provider ${target} did not answer within 300 ms`, timedOut: true });
  });

  it('answers 502 when the provider refuses the connection, naming the URL given', async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((done) => closed.close(() => done()));
    const causes: ProviderFailure[] = [];
    const toGone = await startProviderProxy(
      gone,
      () => 1000,
      (failure) => causes.push(failure),
    );
    try {
      const response = await fetch(`${toGone.url}/auth/api/v1/customer/logout`, { method: 'POST' });
      expect(response.status).toBe(502);
      expect(await response.text()).toContain(`provider ${gone} refused the connection`);
      expect(causes).toEqual([{ cause: `provider ${gone} refused the connection (ECONNREFUSED: nothing listens on that host and port)`, timedOut: false }]);
    } finally {
      await toGone.close();
    }
  });
});
