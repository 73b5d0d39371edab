import { describe, expect, it } from 'vitest';
import { decode } from '../support/crafted.ts';
import { control, logout, mockOn, read, useMock } from '../support/mock.ts';

const mock = useMock();

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => control(mock.url, method, path, body, headers);

describe('control API', () => {
  it('health: ok, and every operation it serves, by name, with its method and path (a client needs no base path)', async () => {
    const answer = await call('GET', '/__mock/health');
    expect(answer.status).toBe(200);
    const { status, operations } = answer.body as { status: string; operations: { name: string; method: string; path: string }[] };
    expect(status).toBe('ok');
    expect(operations).toContainEqual({ name: 'logout', method: 'POST', path: '/auth/api/v1/customer/logout' });
    for (const { name, path } of operations) expect(`${mock.url}${path}`).toBe(mock.urls[name as keyof typeof mock.urls]);
  });

  it('HEAD answers where GET does, without a body (wait-on and health probes use it)', async () => {
    for (const path of ['/__mock/health', '/.well-known/jwks.json']) {
      const head = await fetch(`${mock.url}${path}`, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
      expect(await head.text()).toBe('');
    }
  });

  it('POST /__mock/tokens mints a sign-in (201) that logs out', async () => {
    const answer = await call('POST', '/__mock/tokens', { sub: 'cust-1', claims: { plan: 'gold' } });
    expect(answer.status).toBe(201);
    const body = answer.body as { token: string; claims: Record<string, unknown>; idToken: string; refreshToken: string; kind: string };
    expect(body.claims).toMatchObject({ sub: 'cust-1', plan: 'gold', token_use: 'access' });
    expect(body.kind).toBe('valid');
    expect(typeof body.idToken).toBe('string');
    expect(typeof body.refreshToken).toBe('string');
    expect((await logout(mock, { token: body.token })).status).toBe(200);
  });

  it('mock.issueToken({ customer_id }) (typed as TokenRequest) names that customer in the id token only, as POST /__mock/tokens does', async () => {
    const customer = '11111111-1111-4111-8111-111111111111';
    const { idToken, token } = await mock.issueToken({ sub: 'cust-t', customer_id: customer });
    expect(decode(idToken).payload['custom:customer_id']).toBe(customer);
    expect(decode(token).payload['custom:customer_id']).toBeUndefined();
    await expect(mock.issueToken({ idClaims: {} } as never)).rejects.toMatchObject({ field: 'idClaims' });
  });

  it.each([
    [
      { kind: 'sideways' },
      'kind',
      'kind must be one of valid, expired, not-yet-valid, bad-signature, alg-none, wrong-issuer, non-customer, refresh-as-bearer, got "sideways"',
    ],
    [{ ttlSeconds: -5 }, 'ttlSeconds', 'ttlSeconds must be a whole number of seconds from 1 to 315360000'],
    [{ ttlSeconds: 'soon' }, 'ttlSeconds', 'ttlSeconds must be a whole number of seconds from 1 to 315360000'],
    [{ sub: 42 }, 'sub', 'sub must be a non-empty string'],
    [{ claims: [1, 2] }, 'claims', 'claims must be a JSON object of extra claims'],
    [{ colour: 'red' }, 'colour', 'unknown field "colour"; a token takes sub, role, customer_id, ttlSeconds, kind, claims, refreshToken'],
    [{ refreshToken: 'not-a-refresh-token' }, 'refreshToken', 'refreshToken is not a refresh token this mock issued'],
    [{ kind: 'non-customer', role: 'customer' }, 'role', 'kind "non-customer" needs a role other than "customer"'],
    [[1], 'body', 'token options must be a JSON object'],
    ['{not json', 'body', 'body is declared JSON but does not parse (at position 1)'],
  ])('POST /__mock/tokens %j → 400 naming %s: %s', async (body, field, message) => {
    const answer = await call('POST', '/__mock/tokens', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: 'ERR_INPUT', field, message });
  });

  it('GET /__mock/sessions shows active, logged-out and expired sign-ins by jti', async () => {
    await call('POST', '/__mock/reset');
    const active = (await call('POST', '/__mock/tokens', { sub: 'a' })).body as { claims: { jti: string } };
    const out = (await call('POST', '/__mock/tokens', { sub: 'b' })).body as { token: string; claims: { jti: string } };
    await logout(mock, { token: out.token });
    const sessions = (await call('GET', '/__mock/sessions')).body as { sessions: { jti: string; status: string }[] };
    expect(sessions.sessions.find((s) => s.jti === active.claims.jti)?.status).toBe('active');
    expect(sessions.sessions.find((s) => s.jti === out.claims.jti)?.status).toBe('logged-out');
    expect(JSON.stringify(sessions)).not.toContain(out.token);
    const newest = (await call('GET', '/__mock/sessions?limit=2')).body as { sessions: { jti: string }[] };
    expect(newest.sessions.map((s) => s.jti)).toContain(out.claims.jti);
    expect(newest.sessions).toHaveLength(2);
    expect((await call('GET', '/__mock/sessions?limit=0')).body).toMatchObject({ field: 'limit' });
  });

  it('GET /__mock/requests is the journal, filterable, never with a raw token; DELETE clears it', async () => {
    await call('DELETE', '/__mock/requests');
    const { token, claims } = (await call('POST', '/__mock/tokens', { sub: 'journal-cust' })).body as {
      token: string;
      claims: { jti: string; origin_jti: string };
    };
    await logout(mock, { token });
    await logout(mock, { token });
    await logout(mock);
    const all = (await call('GET', '/__mock/requests')).body as { requests: Record<string, unknown>[] };
    expect(all.requests).toHaveLength(3);
    expect(all.requests[0]).toMatchObject({
      method: 'POST',
      path: '/auth/api/v1/customer/logout',
      status: 200,
      sub: 'journal-cust',
      jti: claims.jti,
      sid: claims.origin_jti,
    });
    expect(typeof all.requests[0]!.ms).toBe('number');
    expect(JSON.stringify(all)).not.toContain(token.split('.')[2]);
    const bySub = (await call('GET', '/__mock/requests?sub=journal-cust&status=401')).body as { requests: unknown[] };
    expect(bySub.requests).toHaveLength(1);
    const future = (await call('GET', `/__mock/requests?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body as {
      requests: unknown[];
    };
    expect(future.requests).toHaveLength(0);
    expect((await call('GET', '/__mock/requests?colour=red')).body).toMatchObject({ field: 'colour' });
    await call('DELETE', '/__mock/requests');
    expect(((await call('GET', '/__mock/requests')).body as { requests: unknown[] }).requests).toHaveLength(0);
  });

  it('POST /__mock/reset forgets revocations: a logged-out token logs out again', async () => {
    const { token } = await mock.issueToken();
    expect((await logout(mock, { token })).status).toBe(200);
    expect((await call('POST', '/__mock/reset')).body).toEqual({ status: 'reset' });
    expect((await logout(mock, { token })).status).toBe(200);
  });

  it('unknown control routes are 404, wrong methods 405 with Allow', async () => {
    expect((await call('GET', '/__mock/nothing')).status).toBe(404);
    const wrong = await call('PUT', '/__mock/faults');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST, DELETE');
  });
});

describe('outside the control API', () => {
  it('unknown paths are 404 JSON; a wrong method on the operation is 405 with Allow', async () => {
    const unknown = await read(await fetch(`${mock.url}/auth/api/v1/customer/login`, { method: 'POST' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ errorCode: 'ERR_NOT_FOUND' });
    const get = await read(await fetch(mock.urls.logout));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('--base-path moves the operation', async () => {
    const m = await mockOn({ basePath: '/v2' });
    try {
      expect(m.urls.logout).toBe(`${m.url}/v2/customer/logout`);
      expect((await logout(m)).status).toBe(401);
      expect((await fetch(`${m.url}/auth/api/v1/customer/logout`, { method: 'POST' })).status).toBe(404);
    } finally {
      await m.close();
    }
  });
});

describe('CORS just works from any localhost origin', () => {
  const origin = 'http://localhost:5173';

  it('preflight reflects the origin, allows Authorization and credentials', async () => {
    const response = await fetch(mock.urls.logout, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('answers carry the CORS headers and expose WWW-Authenticate and X-Mock-Reason', async () => {
    const answer = await logout(mock, { headers: { origin } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answer.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    expect(answer.headers.get('access-control-expose-headers')).toMatch(/X-Mock-Reason/);
    expect(answer.headers.get('vary')).toBe('Origin');
  });

  it('private network access preflights are allowed', async () => {
    const response = await fetch(mock.urls.logout, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' },
    });
    expect(response.headers.get('access-control-allow-private-network')).toBe('true');
  });
});
