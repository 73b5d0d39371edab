import { EncryptJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { createKeySet } from '../../src/tokens/keys.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { decode } from '../support/crafted.ts';
import { type Answer, DEMO, failingStore, logout, mockOn, read, refresh, signedIn, signIn, violations } from '../support/mock.ts';

/**
 * Customer Refresh Token over real HTTP (docs/operations.md, "Sign-in and refresh"; spec `POST /refresh-token/customer`):
 * the decision in its order, row by row, each answer checked against the spec with Prism's validator.
 */

const SPEC_400 = { status: 'fail', message: 'Refresh Token is Required', errorCode: 'INVALID', data: { errorName: 'SignInApiError' } };
const SPEC_401 = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };
const SPEC_500 = { message: 'Internal Server Error', errorCode: 'ERR_INTERNAL_SERVER' };

let mock: Mock;
let detailed: Mock;
let other: Mock;

beforeAll(async () => {
  [mock, detailed, other] = await Promise.all([mockOn({ maxBodyBytes: 4096 }), mockOn({ detailedErrors: true }), mockOn()]);
});
afterEach(async () => {
  await mock.faults.clear();
});
afterAll(async () => {
  await Promise.all([mock, detailed, other].map((m) => m.close()));
});

/** A refresh answer that Prism finds nothing wrong with, carrying `Cache-Control: no-store`. */
async function expectValid(answer: Answer): Promise<Answer> {
  expect(await violations(answer, 'refresh'), `${answer.status} ${answer.text}`).toEqual([]);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  return answer;
}

/** A new sign-in of the demo customer on `target`, over HTTP. */
async function signedInOn(target: Mock = mock) {
  return signedIn(await signIn(target, { json: DEMO }));
}

/** The refreshed tokens of a 200 refresh answer. */
function refreshed(answer: Answer): { accessToken: string; idToken: string } {
  expect(answer.status, answer.text).toBe(200);
  const { data } = answer.body as { data: { access_token: string; id_token: string } };
  return { accessToken: data.access_token, idToken: data.id_token };
}

describe('1. an armed fault for refresh', () => {
  it('a status fault answers its documented body and refreshes nothing', async () => {
    const { refreshToken } = await signedInOn();
    const fault = await mock.faults.arm({ status: 500, match: { operation: 'refresh' } });
    const answer = await expectValid(await refresh(mock, { token: refreshToken }));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual(SPEC_500);
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
  });

  it('match.sid and match.sub are known once the refresh token opens: only that sign-in / customer is hit', async () => {
    const mine = await signedInOn();
    const theirs = await signedInOn();
    const sid = decode(mine.idToken).payload.origin_jti as string;
    await mock.faults.arm({ status: 401, times: null, match: { operation: 'refresh', sid } });
    expect((await refresh(mock, { token: theirs.refreshToken })).status).toBe(200);
    expect((await refresh(mock, { token: mine.refreshToken })).status).toBe(401);
    await mock.faults.clear();

    const minted = await mock.issueToken({ sub: 'someone-else' });
    await mock.faults.arm({ status: 403, times: null, match: { operation: 'refresh', sub: DEMO_USER.sub } });
    expect((await refresh(mock, { token: minted.refreshToken })).status).toBe(200);
    const hit = await expectValid(await refresh(mock, { token: theirs.refreshToken }));
    expect(hit.status).toBe(403);
  });

  it('a sign-in fault does not fire on refresh, nor a refresh fault on sign-in or logout', async () => {
    const { refreshToken, idToken } = await signedInOn();
    await mock.faults.arm({ status: 500, times: null, match: { operation: 'sign-in' } });
    expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
    await mock.faults.clear();
    await mock.faults.arm({ status: 500, times: null, match: { operation: 'refresh' } });
    expect((await signIn(mock, { json: DEMO })).status).toBe(200);
    expect((await logout(mock, { token: idToken })).status).toBe(200);
  });

  it.each(['reset', 'empty', 'garbage'] as const)('a network fault "%s" breaks the connection', async (network) => {
    const { refreshToken } = await signedInOn();
    await mock.faults.arm({ network, match: { operation: 'refresh' } });
    await expect(refresh(mock, { token: refreshToken })).rejects.toThrow();
    const [entry] = await mock.requests({ operation: 'refresh', limit: 1 });
    expect(entry).toMatchObject({ status: 0, reason: `network fault ${network}` });
  });

  it('a "hang" holds the refresh until the fault is cleared; a delay delays it', async () => {
    const { refreshToken } = await signedInOn();
    const hang = await mock.faults.arm({ network: 'hang', match: { operation: 'refresh' } });
    const pending = refresh(mock, { token: refreshToken });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await mock.faults.clear(hang.id);
    expect((await pending).status).toBe(200);

    await mock.faults.arm({ delayMs: 300, match: { operation: 'refresh' } });
    const started = performance.now();
    expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('2. Prefer: code= and ?__code=', () => {
  it.each([
    [{ prefer: 'code=500' }, '', 500, SPEC_500],
    [{}, '?__code=401', 401, SPEC_401],
    [{ prefer: 'code=400' }, '', 400, SPEC_400],
  ])('%o%s → %i with the example, even with a good token', async (headers, query, status, body) => {
    const { refreshToken } = await signedInOn();
    const answer = await expectValid(await refresh(mock, { token: refreshToken, headers, query }));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
  });

  it('code=200 with a live refresh token refreshes its sign-in; without one, answers the tokens of a new sign-in (the demo user) and says so', async () => {
    const { refreshToken, idToken } = await signedInOn();
    const sid = decode(idToken).payload.origin_jti;
    const refreshed = await expectValid(await refresh(mock, { token: refreshToken, headers: { prefer: 'code=200' } }));
    expect(decode((refreshed.body as { data: { id_token: string } }).data.id_token).payload.origin_jti).toBe(sid);
    const forced = await expectValid(await refresh(mock, { headers: { prefer: 'code=200' } }));
    expect(forced.status).toBe(200);
    const { payload } = decode((forced.body as { data: { id_token: string } }).data.id_token);
    expect(payload.origin_jti).not.toBe(sid);
    expect(payload.email).toBe(DEMO.email);
    expect(forced.headers.get('x-mock-reason')).toBe(`override code=200: new sign-in ${payload.origin_jti} (no refresh token of a live sign-in to refresh)`);
  });

  it('an undocumented code → 400 naming the allowed codes', async () => {
    const answer = await expectValid(await refresh(mock, { headers: { prefer: 'code=204' } }));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toContain('allowed: 200, 400, 401, 403, 500');
  });
});

describe('3. a malformed request → 400 naming what is wrong', () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    ['a body declared JSON that does not parse', { body: '{"refresh_token": ', headers: json }, /does not parse/],
    ['a body that is not JSON', { body: 'refresh_token=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, /must be JSON/],
    ['a JSON array', { json: ['abc'] }, /JSON object/],
    ['a JSON string', { json: 'abc' }, /JSON object/],
    ['refresh_token a number', { json: { refresh_token: 42 } }, /refresh_token must be a string/],
    ['refresh_token null', { json: { refresh_token: null } }, /refresh_token must be a string/],
    ['refresh_token an object', { json: { refresh_token: { value: 'abc' } } }, /refresh_token must be a string/],
  ])('%s', async (_name, init, reason) => {
    for (const target of [mock, detailed]) {
      const answer = await expectValid(await refresh(target, init));
      expect(answer.status).toBe(400);
      expect(answer.headers.get('x-mock-reason')).toMatch(reason);
      if (target === detailed) expect((answer.body as { message: string }).message).toMatch(reason);
    }
  });

  it('a body over --max-body → 400 at once; its rest is read and thrown away, so the connection stays usable (test/http/body-limit.test.ts)', async () => {
    const { refreshToken } = await signedInOn();
    const answer = await expectValid(await refresh(mock, { json: { refresh_token: refreshToken, padding: 'x'.repeat(5000) } }));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('connection')).not.toBe('close');
  });
});

describe('4. no refresh token → the documented 400 (Refresh Token is Required)', () => {
  it.each([
    ['no body and no cookie', {}],
    ['an empty JSON object', { json: {} }],
    ['an empty refresh_token', { json: { refresh_token: '' } }],
    ['the token under another name (refreshToken)', { json: { refreshToken: 'abc' } }],
    ['a cookie of another name', { headers: { cookie: 'refreshToken=abc; mock_session=qa' } }],
  ])('%s', async (_name, init) => {
    const answer = await expectValid(await refresh(mock, init));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(SPEC_400);
    expect(answer.headers.get('x-mock-reason')).toMatch(/no refresh token/);
    expect(answer.headers.get('x-mock-reason')).toContain('refresh_token');
    // The reason reads the same in the header as in the mock's source: nothing non-ASCII turned into "?".
    expect(answer.headers.get('x-mock-reason')).not.toContain('?');
  });
});

describe('5. unknown, tampered or expired → 401 with a reason', () => {
  it.each([
    ['an unknown string', async () => 'not-a-refresh-token', /not one this mock issued/],
    [
      'a tampered refresh token (a ciphertext character changed)',
      async () => {
        const parts = (await signedInOn()).refreshToken.split('.');
        const text = parts[3] as string;
        parts[3] = `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
        return parts.join('.');
      },
      /not one this mock issued/,
    ],
    ['an id token', async () => (await signedInOn()).idToken, /not one this mock issued/],
    ['an access token', async () => (await signedInOn()).accessToken, /not one this mock issued/],
    ["another mock's refresh token", async () => (await signedInOn(other)).refreshToken, /not one this mock issued/],
  ])('%s', async (_name, token, reason) => {
    const answer = await expectValid(await refresh(mock, { token: await token() }));
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(SPEC_401);
    expect(answer.headers.get('x-mock-reason')).toMatch(reason);
    const rich = await refresh(detailed, { token: await token() });
    expect(rich.status).toBe(401);
    expect((rich.body as { message: string }).message).toMatch(reason);
  });

  it('sealed with the mock’s own key (someone holding the key file) but missing a part of its sign-in, or with a rotation number it never wrote → 401, as unknown', async () => {
    const keys = await createKeySet('RS256');
    const keyed = await mockOn({ keys });
    try {
      const whole = { sid: '01900000-0000-7000-8000-000000000000', sub: 'forged-sub', role: 'customer', auth_time: Math.floor(Date.now() / 1000) };
      const missing = (['sid', 'sub', 'role', 'auth_time'] as const).map((left) => {
        const { [left]: _, ...grant } = whole;
        return [left, grant] as const;
      });
      const badGenerations = [0, -1, 1.5, '2', 2 ** 53].map((gen) => [`gen ${JSON.stringify(gen)}`, { ...whole, gen }] as const);
      for (const [left, grant] of [...missing, ...badGenerations]) {
        const forged = await new EncryptJWT(grant)
          .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' })
          .setExpirationTime('1h')
          .encrypt(keys.refreshSecret);
        const answer = await expectValid(await refresh(keyed, { token: forged }));
        expect(answer.status, left).toBe(401);
        expect(answer.headers.get('x-mock-reason'), left).toBe('refresh token is not one this mock issued');
      }
    } finally {
      await keyed.close();
    }
  });

  it('expired: the clock advanced past --refresh-ttl → 401 "refresh token has expired"; just before, 200', async () => {
    const timed = await mockOn({ refreshTtlSeconds: 7200 });
    try {
      const { refreshToken } = await signedInOn(timed);
      await timed.clock.advance(7000);
      expect((await refresh(timed, { token: refreshToken })).status).toBe(200);
      await timed.clock.advance(201);
      const answer = await expectValid(await refresh(timed, { token: refreshToken }));
      expect(answer.status).toBe(401);
      expect(answer.headers.get('x-mock-reason')).toBe('refresh token has expired');
    } finally {
      await timed.close();
    }
  });
});

describe('6. its sign-in has logged out → 401', () => {
  it('after a logout with the id token, its refresh token is refused', async () => {
    const { idToken, refreshToken } = await signedInOn();
    expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    const answer = await expectValid(await refresh(mock, { token: refreshToken }));
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(SPEC_401);
    expect(answer.headers.get('x-mock-reason')).toMatch(/refresh token has been revoked/);
  });

  it('a logout with a refreshed token revokes the sign-in too: refresh refused, the first tokens refused', async () => {
    const first = await signedInOn();
    const next = refreshed(await refresh(mock, { token: first.refreshToken }));
    expect((await logout(mock, { token: next.idToken })).status).toBe(200);
    expect((await refresh(mock, { token: first.refreshToken })).status).toBe(401);
    expect((await logout(mock, { token: first.accessToken })).status).toBe(401);
  });

  it('another sign-in of the same customer still refreshes', async () => {
    const gone = await signedInOn();
    const kept = await signedInOn();
    expect((await logout(mock, { token: gone.idToken })).status).toBe(200);
    expect((await refresh(mock, { token: kept.refreshToken })).status).toBe(200);
  });
});

describe("7. success → 200 with the same sign-in's new access and id tokens", () => {
  it('from the body: { status, message, data: { access_token, id_token } }, same origin_jti and auth_time, new jti, iat/exp renewed', async () => {
    const timed = await mockOn();
    try {
      const first = await signedInOn(timed);
      await timed.clock.advance(600);
      const answer = await expectValid(await refresh(timed, { token: first.refreshToken }));
      expect(answer.body).toMatchObject({ status: 'success', message: 'Success' });
      expect(Object.keys((answer.body as { data: object }).data).sort()).toEqual(['access_token', 'id_token']);
      const next = refreshed(answer);
      for (const [before, after] of [
        [first.idToken, next.idToken],
        [first.accessToken, next.accessToken],
      ] as const) {
        const [b, a] = [decode(before), decode(after)];
        expect(a.header).toEqual(b.header);
        expect(a.payload.origin_jti).toBe(b.payload.origin_jti);
        expect(a.payload.auth_time).toBe(b.payload.auth_time);
        expect(a.payload.token_use).toBe(b.payload.token_use);
        expect(a.payload.jti).not.toBe(b.payload.jti);
        expect(Number(a.payload.iat) - Number(b.payload.iat)).toBeGreaterThanOrEqual(600);
        expect(Number(a.payload.exp) - Number(a.payload.iat)).toBe(3600);
        // The user stays in the tokens (the frontend reads them).
        for (const claim of ['sub', 'email', 'given_name', 'family_name', 'custom:role']) expect(a.payload[claim]).toEqual(b.payload[claim]);
        expect(Object.keys(a.payload).sort()).toEqual(Object.keys(b.payload).sort());
      }
      // The refreshed id token is a working bearer.
      expect((await logout(timed, { token: next.idToken })).status).toBe(200);
    } finally {
      await timed.close();
    }
  });

  it('from the cookie alone (no body), as the HttpOnly cookie sign-in set', async () => {
    const answer = await signIn(mock, { json: DEMO });
    const cookie = (answer.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const response = await read(await fetch(mock.urls.refresh as string, { method: 'POST', headers: { cookie: `mock_session=qa-1; ${cookie}` } }));
    const next = refreshed(await expectValid(response));
    expect(decode(next.idToken).payload.origin_jti).toBe(decode(signedIn(answer).idToken).payload.origin_jti);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('from the cookie with an empty JSON object body, and with a quoted cookie value (RFC 6265)', async () => {
    const { refreshToken } = await signedInOn();
    expect((await refresh(mock, { json: {}, headers: { cookie: `refresh_token=${refreshToken}` } })).status).toBe(200);
    expect((await refresh(mock, { headers: { cookie: `refresh_token="${refreshToken}"` } })).status).toBe(200);
  });

  it('the body wins over the cookie when both are sent', async () => {
    const { refreshToken } = await signedInOn();
    expect((await refresh(mock, { token: refreshToken, headers: { cookie: 'refresh_token=junk' } })).status).toBe(200);
    expect((await refresh(mock, { token: 'junk', headers: { cookie: `refresh_token=${refreshToken}` } })).status).toBe(401);
  });

  it('--refresh-cookie names the cookie refresh reads', async () => {
    const named = await mockOn({ refreshCookie: 'wam_rt' });
    try {
      const { refreshToken } = await signedInOn(named);
      expect((await refresh(named, { headers: { cookie: `refresh_token=${refreshToken}` } })).status).toBe(400);
      expect((await refresh(named, { headers: { cookie: `wam_rt=${refreshToken}` } })).status).toBe(200);
    } finally {
      await named.close();
    }
  });

  it('a refresh token minted by POST /__mock/tokens refreshes too, and one refresh token refreshes many times', async () => {
    const { refreshToken, claims } = await mock.issueToken({ sub: 'cust-refresh' });
    const answers = await Promise.all([1, 2, 3].map(() => refresh(mock, { token: refreshToken })));
    const jtis = new Set<unknown>();
    for (const answer of answers) {
      const { accessToken } = refreshed(answer);
      expect(decode(accessToken).payload).toMatchObject({ sub: 'cust-refresh', origin_jti: claims.origin_jti });
      jtis.add(decode(accessToken).payload.jti);
    }
    expect(jtis.size).toBe(3);
  });
});

describe('a state store that fails', () => {
  it('→ the documented 500, never a stack trace; the refresh works once the store is back', async () => {
    const { store, fail } = failingStore('signInState');
    const broken = await mockOn({ store });
    try {
      const { refreshToken } = await signedInOn(broken);
      fail(true);
      const answer = await expectValid(await refresh(broken, { token: refreshToken }));
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual(SPEC_500);
      expect(answer.headers.get('x-mock-reason')).toBe('state store failed: connection lost');
      fail(false);
      expect((await refresh(broken, { token: refreshToken })).status).toBe(200);
    } finally {
      await broken.close();
    }
  });
});
