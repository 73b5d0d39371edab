import { createPrivateKey, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { LATEST_NUMERIC_DATE } from '../../src/tokens/numeric-date.ts';
import { decode, hsWithPublicKey, keysOf, signRaw, signWith, strangerKey, unsigned } from '../support/crafted.ts';
import { control, logout, mockOn, violations } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

const SPEC_401 = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };
const SPEC_403 = { message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' };
const SPEC_400 = { message: 'Error occurred', errorCode: 'ERR_INTERNAL_SERVER' };
const SPEC_200 = { status: 'success', message: 'Logout successful' };

let dir: string;
let mock: Mock;
let keys: Awaited<ReturnType<typeof keysOf>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wam-logout-'));
  mock = await mockOn({ keyFile: join(dir, 'keys.json') });
  keys = await keysOf(join(dir, 'keys.json'));
});
afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

/** Claims as the mock itself would put in an access token, for hand-signed variants. */
async function claimsLike(overrides: Record<string, unknown> = {}) {
  const { claims } = await mock.issueToken();
  return { ...claims, jti: crypto.randomUUID(), origin_jti: crypto.randomUUID(), ...overrides };
}

describe('the decision table, over HTTP', () => {
  it('200 for a valid customer token, with the spec example body, then 401 "revoked" for the same token', async () => {
    const { token } = await mock.issueToken({ sub: 'cust-42' });
    const first = await logout(mock, { token });
    expect(first.status).toBe(200);
    expect(first.body).toEqual(SPEC_200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const again = await logout(mock, { token });
    expect(again.status).toBe(401);
    expect(again.body).toEqual(SPEC_401);
    expect(again.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="token has been revoked"$/);
    expect(await violations(first)).toEqual([]);
    expect(await violations(again)).toEqual([]);
  });

  it.each([
    ['no Authorization header', {}, 'no Authorization header'],
    ['an empty Authorization header', { authorization: '' }, 'no Authorization header'],
    ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'Authorization scheme is not Bearer'],
    ['a scheme with no token', { authorization: 'Token abc' }, 'Authorization scheme is not Bearer'],
  ])('401 without an error code for %s (no bearer credentials, RFC 6750 §3.1)', async (_name, headers, reason) => {
    const answer = await logout(mock, { headers });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(SPEC_401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
    expect(answer.headers.get('x-mock-reason')).toBe(reason);
  });

  it('accepts the Bearer scheme case-insensitively (RFC 6750)', async () => {
    const { token } = await mock.issueToken();
    expect((await logout(mock, { headers: { authorization: `bEaReR ${token}` } })).status).toBe(200);
  });

  it('accepts more than one space after Bearer (RFC 6750 §2.1: "Bearer" 1*SP b64token)', async () => {
    const { token } = await mock.issueToken();
    expect((await logout(mock, { headers: { authorization: `Bearer   ${token}` } })).status).toBe(200);
  });

  it.each(['expired', 'not-yet-valid', 'bad-signature', 'alg-none', 'wrong-issuer', 'refresh-as-bearer'] as const)(
    '401 invalid_token for the canned "%s" token',
    async (kind) => {
      const { token } = await mock.issueToken({ kind });
      const answer = await logout(mock, { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(SPEC_401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(answer.headers.get('www-authenticate')).not.toContain(token.slice(-20));
      expect(await violations(answer)).toEqual([]);
    },
  );

  it('403 insufficient_scope for a valid non-customer token, and the token stays usable (not revoked)', async () => {
    const { token, claims } = await mock.issueToken({ kind: 'non-customer' });
    expect(claims['custom:role']).toBe('admin');
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(SPEC_403);
    expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(answer.headers.get('x-mock-reason')).toBe('role "admin" may not log out; only customers may');
    expect((await logout(mock, { token })).status).toBe(403);
  });

  it('403 naming the missing claim for a token without custom:role', async () => {
    const { token } = await mock.issueToken({ claims: { 'custom:role': undefined } });
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-mock-reason')).toBe('token has no custom:role claim; only customers may log out');
  });

  it('403 for any role other than customer (applicant)', async () => {
    const { token } = await mock.issueToken({ role: 'applicant' });
    expect((await logout(mock, { token })).status).toBe(403);
  });

  it.each([
    ['an empty bearer', 'Bearer ', 'bearer token is empty'],
    ['the scheme alone', 'Bearer', 'bearer token is empty'],
    ['one segment', 'Bearer abc', 'token is not a JWT (expected three dot-separated parts)'],
    ['two segments', 'Bearer abc.def', 'token is not a JWT (expected three dot-separated parts)'],
    ['bad base64url JSON', 'Bearer e30.e30.e30', "token is malformed: JWS 'alg' (Algorithm) Header Parameter missing or invalid"],
    ['characters outside b64token', 'Bearer a b c', 'bearer token has characters RFC 6750 does not allow'],
    ['a JWE-shaped string', 'Bearer a.b.c.d.e', 'token is a JWE, not a signed JWT'],
  ])('401 invalid_token for %s, the reason in error_description', async (_name, authorization, reason) => {
    const answer = await logout(mock, { headers: { authorization } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(`Bearer realm="worth-auth-mock", error="invalid_token", error_description="${reason}"`);
  });
});

describe('tokens crafted by hand are verified for real', () => {
  it('alg "none" with our kid is refused', async () => {
    const token = unsigned(await claimsLike(), keys.access.kid as string);
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-mock-reason')).toMatch(/alg/);
  });

  it('HS256 signed with our public key (RS/HS confusion) is refused', async () => {
    const jwks = (await (await fetch(`${mock.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    const token = await hsWithPublicKey(jwks.keys[0] as never, await claimsLike());
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-mock-reason')).toMatch(/alg/);
  });

  it('a token signed by another key under our kid is refused (bad signature)', async () => {
    const token = await signWith(await strangerKey(keys.access.kid as string), await claimsLike());
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-mock-reason')).toMatch(/signature/);
  });

  it('an unknown kid is refused', async () => {
    const token = await signWith(await strangerKey('someone-elses-kid'), await claimsLike());
    expect((await logout(mock, { token })).headers.get('x-mock-reason')).toMatch(/kid/);
  });

  it('a crit header the mock does not understand is refused', async () => {
    const header = { alg: 'RS256', kid: keys.access.kid, typ: 'JWT', crit: ['urn:example:unknown'], 'urn:example:unknown': true };
    const token = signRaw(keys.access, header, await claimsLike());
    const control = signRaw(keys.access, { alg: 'RS256', kid: keys.access.kid, typ: 'JWT' }, await claimsLike());
    expect((await logout(mock, { token: control })).status).toBe(200);
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it.each([
    ['token_use refresh', { token_use: 'refresh' }],
    ['no token_use', { token_use: undefined }],
    ['iat in the future', { iat: Math.floor(Date.now() / 1000) + 3600 }],
    ['exp passed', { exp: Math.floor(Date.now() / 1000) - 3600 }],
    ['nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 3600 }],
    ['a foreign issuer', { iss: 'https://cognito-idp.example/elsewhere' }],
    ['no sub', { sub: undefined }],
  ])('a token signed with our real key but with %s is refused', async (_name, overrides) => {
    const token = await signWith(keys.access, await claimsLike(overrides));
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('a valid token signed with our key but not minted by this process is accepted (crypto path) and revoked', async () => {
    const token = await signWith(keys.access, await claimsLike());
    expect((await logout(mock, { token })).status).toBe(200);
    expect((await logout(mock, { token })).status).toBe(401);
  });
});

describe('logout revokes the sign-in', () => {
  it('the id token of the same sign-in is refused after the access token logs out; the id token is accepted as a bearer', async () => {
    const a = await mock.issueToken();
    const b = await mock.issueToken();
    expect((await logout(mock, { token: b.idToken })).status).toBe(200);
    expect((await logout(mock, { token: a.token })).status).toBe(200);
    const id = await logout(mock, { token: a.idToken });
    expect(id.status).toBe(401);
    expect(id.headers.get('x-mock-reason')).toMatch(/revoked/);
  });

  it('tokens refreshed from the sign-in are revoked too; another sign-in of the same customer stays valid', async () => {
    const first = await mock.issueToken({ sub: 'cust-7' });
    const second = await mock.issueToken({ sub: 'cust-7' });
    const refreshed = await mock.issueToken({ refreshToken: first.refreshToken });
    expect(decode(refreshed.token).payload.origin_jti).toBe(first.claims.origin_jti);
    expect(refreshed.token).not.toBe(first.token);
    expect((await logout(mock, { token: first.token })).status).toBe(200);
    expect((await logout(mock, { token: refreshed.token })).status).toBe(401);
    await expect(mock.issueToken({ refreshToken: first.refreshToken })).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'refreshToken' });
    expect((await logout(mock, { token: second.token })).status).toBe(200);
  });

  it('exactly one of many concurrent logouts with the same token gets 200', async () => {
    const { token } = await mock.issueToken();
    const answers = await Promise.all(Array.from({ length: 20 }, () => logout(mock, { token })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(19);
  });

  it('sessions lists the sign-in as logged-out by jti, never with the raw token', async () => {
    const { token, claims } = await mock.issueToken({ sub: 'cust-sessions' });
    await logout(mock, { token });
    const sessions = (await mock.tokens()).filter((s) => s.sub === 'cust-sessions');
    expect(sessions.map((s) => [s.tokenUse, s.status]).sort()).toEqual([
      ['access', 'logged-out'],
      ['id', 'logged-out'],
    ]);
    expect(sessions.find((s) => s.tokenUse === 'access')?.jti).toBe(claims.jti);
    expect(JSON.stringify(sessions)).not.toContain(token.split('.')[2]);
  });
});

describe('malformed requests get 400 (the spec body)', () => {
  it('a body declared JSON that does not parse answers 400 at once (Prism would hang)', async () => {
    const { token } = await mock.issueToken();
    const answer = await logout(mock, { token, headers: { 'content-type': 'application/json' }, body: '{"unterminated' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(SPEC_400);
    expect(answer.headers.get('x-mock-reason')).toMatch(/JSON/);
    expect(await violations(answer)).toEqual([]);
    expect((await logout(mock, { token })).status).toBe(200);
  });

  it('a valid JSON body or an empty body is fine', async () => {
    const a = await mock.issueToken();
    const b = await mock.issueToken();
    expect((await logout(mock, { token: a.token, headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    expect((await logout(mock, { token: b.token, headers: { 'content-type': 'application/json' }, body: '' })).status).toBe(200);
  });

  it('a body over --max-body → 400 at once; its rest is read and thrown away, so the connection stays usable (test/http/body-limit.test.ts)', async () => {
    const { token } = await mock.issueToken();
    const answer = await logout(mock, { token, headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(70_000)}"` });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toMatch(/limit/);
    expect(answer.headers.get('connection')).not.toBe('close');
  });
});

describe('per-request overrides (Prism convention)', () => {
  it.each([200, 400, 401, 403, 500])('Prefer: code=%i answers that documented status with the spec body', async (code) => {
    const answer = await logout(mock, { headers: { prefer: `code=${code}` } });
    expect(answer.status).toBe(code);
    expect(await violations(answer)).toEqual([]);
  });

  it('an undocumented code answers 400 naming the allowed codes', async () => {
    const answer = await logout(mock, { headers: { prefer: 'code=418' } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toContain('200, 400, 401, 403, 500');
  });

  it('?__code= works for callers that cannot set headers', async () => {
    expect((await logout(mock, { query: '?__code=500' })).status).toBe(500);
  });
});

describe('logout takes the refresh cookie back', () => {
  it('its 200 clears the cookie sign-in set (same name, Path, HttpOnly, SameSite; Max-Age=0); a refused logout leaves it', async () => {
    const signIn = await fetch(mock.urls['sign-in'] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'customer@example.com', password: 'Sandbox-Password-1' }),
    });
    const set = signIn.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^refresh_token=[^;]+; Max-Age=\d+; Path=\/auth\/api\/v1; HttpOnly; SameSite=Lax$/);
    const { id_token: idToken } = ((await signIn.json()) as { data: { id_token: string } }).data;
    const out = await logout(mock, { token: idToken });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toBe('refresh_token=; Max-Age=0; Path=/auth/api/v1; HttpOnly; SameSite=Lax');
    expect(await violations(out)).toEqual([]);
    const again = await logout(mock, { token: idToken });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('with --refresh-cookie and --base-path, the cookie of that name on that path; --idempotent-logout clears it on every 200', async () => {
    const m = await mockOn({ refreshCookie: 'rt', basePath: '/auth', idempotentLogout: true });
    try {
      const { token } = await m.issueToken();
      for (let i = 0; i < 2; i++) {
        const out = await logout(m, { token });
        expect(out.status).toBe(200);
        expect(out.headers.get('set-cookie')).toBe('rt=; Max-Age=0; Path=/auth; HttpOnly; SameSite=Lax');
      }
    } finally {
      await m.close();
    }
  });
});

describe('options of the decision', () => {
  it('--idempotent-logout answers a repeated logout with 200', async () => {
    const m = await mockOn({ idempotentLogout: true });
    try {
      const { token } = await m.issueToken();
      expect((await logout(m, { token })).status).toBe(200);
      const again = await logout(m, { token });
      expect(again.status).toBe(200);
      expect(again.headers.get('x-mock-reason')).toBe('already logged out (idempotent logout)');
    } finally {
      await m.close();
    }
  });

  it('--detailed-errors puts the reason in message (still spec-valid); --bad-request-code swaps the 400 errorCode', async () => {
    const m = await mockOn({ detailedErrors: true, badRequestCode: 'INVALID' });
    try {
      const none = await logout(m);
      expect(none.body).toEqual({ message: 'no Authorization header', errorCode: 'ERR_UNAUTHORIZED' });
      const bad = await logout(m, { headers: { prefer: 'code=999' } });
      expect((bad.body as { errorCode: string }).errorCode).toBe('INVALID');
      expect(await violations(none)).toEqual([]);
      expect(await violations(bad)).toEqual([]);
    } finally {
      await m.close();
    }
  });

  it('an injected clock expires tokens: valid now, 401 "expired" after their ttl', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const m = await mockOn({ clock: () => now, tokenTtlSeconds: 60 });
    try {
      const a = await m.issueToken();
      const b = await m.issueToken();
      expect((await logout(m, { token: a.token })).status).toBe(200);
      now += 61_000 + 5_000;
      const late = await logout(m, { token: b.token });
      expect(late.status).toBe(401);
      expect(late.headers.get('x-mock-reason')).toMatch(/expired/);
    } finally {
      await m.close();
    }
  });

  it("a logout is remembered until the last token the sign-in's refresh token could mint expires, then pruned; a long-lived token does not stretch the others", async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const store = new MemoryStore({ journalSize: 10 });
    const m = await mockOn({ clock: () => now, store, tokenTtlSeconds: 60, refreshTtlSeconds: 600 });
    try {
      const long = await m.issueToken({ ttlSeconds: 10 * 365 * 24 * 3600 });
      const a = await m.issueToken();
      expect((await logout(m, { token: long.token })).status).toBe(200);
      expect((await logout(m, { token: a.token })).status).toBe(200);
      await expect(m.issueToken({ refreshToken: a.refreshToken })).rejects.toMatchObject({ field: 'refreshToken' });
      // the refresh lifetime (600 s) plus one token lifetime (60 s: a token refreshed at the last moment lives that long)
      now += 659_000;
      store.sweep(now);
      expect(store.revocationCount).toBe(2);
      now += 2_000;
      store.sweep(now);
      expect(store.revocationCount).toBe(1);
      await expect(m.issueToken({ refreshToken: a.refreshToken })).rejects.toMatchObject({ field: 'refreshToken' });
      expect((await logout(m, { token: long.token })).status).toBe(401);
    } finally {
      await m.close();
    }
  });

  it('a logged-out token cannot log out again inside the clock tolerance after it expires', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const m = await mockOn({ clock: () => now, tokenTtlSeconds: 1, refreshTtlSeconds: 1, clockToleranceSeconds: 5 });
    try {
      const { token } = await m.issueToken();
      expect((await logout(m, { token })).status).toBe(200);
      now += 2_100;
      expect((await logout(m, { token })).status).toBe(401);
      now += 10_000;
      const late = await logout(m, { token });
      expect(late.status).toBe(401);
      expect(late.headers.get('x-mock-reason')).toMatch(/expired/);
    } finally {
      await m.close();
    }
  });

  it('a store that fails answers the documented 500, never a stack trace', async () => {
    class BrokenStore extends MemoryStore {
      override async revoke(): Promise<boolean> {
        throw new Error('disk on fire');
      }
    }
    const m = await mockOn({ store: new BrokenStore({ journalSize: 10 }) });
    try {
      const { token } = await m.issueToken();
      const answer = await logout(m, { token });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ message: 'Internal Server Error', errorCode: 'ERR_INTERNAL_SERVER' });
      expect(answer.text).not.toMatch(/at .*\.ts:\d+/);
      expect(await violations(answer)).toEqual([]);
    } finally {
      await m.close();
    }
  });
});

describe('NumericDate claims (issue 15, case 1): refused with a reason naming the claim; a logout outlives a restart, on every store', () => {
  const ISSUER = 'https://numeric-dates.worth-auth-mock.test';
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  /** Starts a mock on `store` with the suite's key file and one issuer, so a restart accepts the same tokens. */
  function start(store: 'memory' | 'file' | 'redis', prefix: string): Promise<Mock> {
    const where = store === 'file' ? { stateFile: join(dir, `${prefix}.state`) } : store === 'redis' ? { redis: redis.url, redisPrefix: prefix } : {};
    return mockOn({ keyFile: join(dir, 'keys.json'), issuer: ISSUER, ...where });
  }

  /** A token signed with the mock's own key, with our header and exactly these claims. */
  function hand(claims: Record<string, unknown>, text?: (json: string) => string): string {
    const header = { alg: 'RS256', kid: keys.access.kid, typ: 'JWT' };
    if (!text) return signRaw(keys.access, header, claims);
    // Some values only a hand-written payload can carry (1e400, which JSON.parse reads as Infinity).
    const [h] = signRaw(keys.access, header, {}).split('.');
    const input = `${h}.${Buffer.from(text(JSON.stringify(claims))).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey({ key: keys.access as never, format: 'jwk' })).toString('base64url')}`;
  }

  const base = () => {
    const now = Math.floor(Date.now() / 1000);
    return { sub: `cust-${crypto.randomUUID()}`, iss: ISSUER, token_use: 'access', 'custom:role': 'customer', iat: now - 5 };
  };

  it.each(['memory', 'file', 'redis'] as const)('%s store', async (store) => {
    const prefix = `nd-${store}-${crypto.randomUUID().slice(0, 8)}`;
    let mock = await start(store, prefix);
    const now = Math.floor(Date.now() / 1000);
    try {
      // The field case: iat, no exp, no jti, no origin_jti. It was 200, 401 at once, and 200 again 7 s later.
      const noExp = hand(base());
      const first = await logout(mock, { token: noExp });
      expect(first.status).toBe(401);
      expect(first.headers.get('www-authenticate')).toContain('error_description="token has no exp claim: a token must expire"');
      await control(mock.url, 'POST', '/__mock/clock', { advanceSeconds: 7 });
      expect((await logout(mock, { token: noExp })).status).toBe(401);

      // The field case: "iat": "<a time 60 s ago>". The description names the malformed claim, not a check that passed.
      const stringIat = await logout(mock, { token: hand({ ...base(), iat: String(now - 60), exp: now + 600 }) });
      expect(stringIat.status).toBe(401);
      expect(stringIat.headers.get('www-authenticate')).toContain('error_description="token claim iat is malformed: not a NumericDate');
      expect(stringIat.headers.get('www-authenticate')).not.toContain('future');

      // Non-finite and out of range: refused, never a 200 nor a 500 (Infinity once reached Redis as a TTL).
      for (const token of [
        hand({ ...base(), exp: 0 }, (json) => json.replace('"exp":0', '"exp":1e400')),
        hand({ ...base(), exp: LATEST_NUMERIC_DATE + 1 }),
        hand({ ...base(), exp: now + 600, auth_time: 'yesterday' }),
      ]) {
        const answer = await logout(mock, { token });
        expect(answer.status, answer.headers.get('x-mock-reason') ?? '').toBe(401);
        expect(answer.headers.get('x-mock-reason')).toMatch(/^token (has no exp|claim (exp|auth_time) is malformed)/);
        expect(await violations(answer)).toEqual([]);
      }

      // Accepted tokens of every odd shape: each logout is remembered while the token can be presented, and across a restart.
      const accepted = [
        hand({ ...base(), exp: now + 3600 }), // a lone token: no jti, no origin_jti (revoked by its hash)
        hand({ ...base(), exp: now + 3600.5, jti: crypto.randomUUID() }), // a fractional exp
        hand({ ...base(), exp: LATEST_NUMERIC_DATE, origin_jti: crypto.randomUUID(), auth_time: now - 5.25 }), // year 9999, a sign-in
      ];
      for (const [i, token] of accepted.entries()) {
        // A token with an origin_jti ends its whole sign-in; one without is revoked alone (by jti or hash).
        const first = await logout(mock, { token });
        expect(first.status).toBe(200);
        expect(first.headers.get('x-mock-reason')).toBe(i === 2 ? 'logged out: sign-in revoked' : 'logged out: token revoked');
        expect((await logout(mock, { token })).status).toBe(401);
      }
      await control(mock.url, 'POST', '/__mock/clock', { advanceSeconds: 3000 });
      for (const token of accepted) expect((await logout(mock, { token })).headers.get('x-mock-reason')).toBe('token has been revoked');
      if (store === 'memory') return;
      await mock.close();
      mock = await start(store, prefix);
      for (const token of accepted) expect((await logout(mock, { token })).headers.get('x-mock-reason')).toBe('token has been revoked');
    } finally {
      await mock.close();
    }
  });
});
