import { describe, expect, it } from 'vitest';
import type { TokenView } from '../../src/control/services.ts';
import type { JournalEntry } from '../../src/state/journal.ts';
import { decode } from '../support/crafted.ts';
import { type Answer, control, DEMO, logout, refresh, signedIn, signIn, useMock } from '../support/mock.ts';

/**
 * The mock's clock and per-sign-in expiry, for the frontend's refresh-on-401 path (docs/operations.md, "Sign-in and
 * refresh"): `POST/GET /__mock/clock`, `mock.clock`, reset, and `POST /__mock/sessions/{sid}/expire`.
 */

const mock = useMock({}, { resetAfterEach: true });

const api = (method: string, path: string, body?: unknown): Promise<Answer> => control(mock.url, method, path, body);
const sidOf = (token: string) => decode(token).payload.origin_jti as string;

/** A new sign-in of the demo customer over HTTP. */
async function signedInNow() {
  return signedIn(await signIn(mock, { json: DEMO }));
}

describe('POST /__mock/clock', () => {
  it('{ advanceSeconds: 3600 }: a 1-hour token logs out 401 (expired), its refresh answers 200, the new id token logs out 200', async () => {
    const first = await signedInNow();
    const moved = await api('POST', '/__mock/clock', { advanceSeconds: 3600 });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ offsetSeconds: 3600 });

    const expired = await logout(mock, { token: first.idToken });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(expired.headers.get('x-mock-reason')).toMatch(/expired/);

    const renewed = await refresh(mock, { token: first.refreshToken });
    expect(renewed.status).toBe(200);
    const { id_token: idToken } = (renewed.body as { data: { id_token: string } }).data;
    expect(Number(decode(idToken).payload.iat)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 3600 - 5);
    expect((await logout(mock, { token: idToken })).status).toBe(200);
  });

  it("moves minting too: tokens minted after an advance are issued at the mock's time", async () => {
    await mock.clock.advance(86_400);
    const { claims } = await mock.issueToken();
    expect(Math.abs(Number(claims.iat) - (Math.floor(Date.now() / 1000) + 86_400))).toBeLessThanOrEqual(5);
    expect((await logout(mock, { token: (await mock.issueToken()).token })).status).toBe(200);
  });

  it('moves fault expiry: a fault with ttlMs 60 s is gone once the clock is a minute on', async () => {
    const { token } = await mock.issueToken();
    await mock.faults.arm({ status: 500, times: null, ttlMs: 60_000 });
    expect((await logout(mock, { token })).status).toBe(500);
    await api('POST', '/__mock/clock', { advanceSeconds: 61 });
    expect(await mock.faults.list()).toEqual([]);
    expect((await logout(mock, { token: (await mock.issueToken()).token })).status).toBe(200);
  });

  it("advances add up; GET /__mock/clock shows the mock's time and offset; reset sets it back", async () => {
    await api('POST', '/__mock/clock', { advanceSeconds: 60 });
    await mock.clock.advance(540);
    const shown = await api('GET', '/__mock/clock');
    expect(shown.status).toBe(200);
    const { now, offsetSeconds } = shown.body as { now: string; offsetSeconds: number };
    expect(offsetSeconds).toBe(600);
    expect(Math.abs(Date.parse(now) - (Date.now() + 600_000))).toBeLessThan(5_000);
    expect(Math.abs(mock.clock.now() - (Date.now() + 600_000))).toBeLessThan(5_000);

    expect((await api('POST', '/__mock/reset')).status).toBe(200);
    expect((await api('GET', '/__mock/clock')).body).toMatchObject({ offsetSeconds: 0 });
    expect(Math.abs(mock.clock.now() - Date.now())).toBeLessThan(5_000);
  });

  it.each([
    ['no advanceSeconds', {}, 'advanceSeconds'],
    ['zero', { advanceSeconds: 0 }, 'advanceSeconds'],
    ['negative (the clock never goes back)', { advanceSeconds: -3600 }, 'advanceSeconds'],
    ['a fraction', { advanceSeconds: 1.5 }, 'advanceSeconds'],
    ['a string', { advanceSeconds: '3600' }, 'advanceSeconds'],
    ['null', { advanceSeconds: null }, 'advanceSeconds'],
    ['over ten years', { advanceSeconds: 11 * 365 * 24 * 3600 }, 'advanceSeconds'],
    ['an unknown field', { advanceSeconds: 60, seconds: 60 }, 'seconds'],
    ['an array', [3600], 'body'],
    ['a body that does not parse', '{"advanceSeconds": ', 'body'],
  ])('%s → 400 naming the field, the clock unmoved', async (_name, body, field) => {
    const answer = await api('POST', '/__mock/clock', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errorCode: 'ERR_INPUT', field });
    if (field !== 'body') expect((answer.body as { message: string }).message).toContain(field);
    expect((await api('GET', '/__mock/clock')).body).toMatchObject({ offsetSeconds: 0 });
  });

  it('mock.clock.advance() refuses bad input with InputError naming advanceSeconds', async () => {
    await expect(mock.clock.advance(-1)).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'advanceSeconds' });
    await expect(mock.clock.advance(Number.NaN)).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'advanceSeconds' });
  });

  it.each([
    ['DELETE', 405],
    ['PUT', 405],
  ])('%s /__mock/clock → %i', async (method, status) => {
    expect((await api(method, '/__mock/clock')).status).toBe(status);
  });
});

describe('the journal while the clock runs ahead', () => {
  it('entries written after an advance say their time is mock time, and by how much; those before, and after a reset, do not', async () => {
    const { token } = await mock.issueToken();
    await logout(mock, { token });
    await mock.clock.advance(3600);
    await logout(mock, { token });
    const [before, after] = ((await api('GET', '/__mock/requests')).body as { requests: JournalEntry[] }).requests;
    expect(before?.clockOffsetSeconds).toBeUndefined();
    expect(after?.clockOffsetSeconds).toBe(3600);
    // `at` is the mock's time: the real time was an hour earlier.
    expect(Math.abs(Date.parse(after?.at ?? '') - 3_600_000 - Date.now())).toBeLessThan(5_000);
    await mock.reset();
    await logout(mock);
    expect((await mock.requests()).map((entry) => entry.clockOffsetSeconds)).toEqual([undefined]);
  });
});

describe('POST /__mock/sessions/{sid}/expire', () => {
  it('refuses a sign-in that has logged out (404: its tokens already answer 401 and its refresh token no longer works)', async () => {
    const gone = await signedInNow();
    expect((await logout(mock, { token: gone.idToken })).status).toBe(200);
    const answer = await api('POST', `/__mock/sessions/${sidOf(gone.idToken)}/expire`);
    expect(answer.status).toBe(404);
    expect((answer.body as { message: string }).message).toMatch(/has logged out/);
  });

  it("expires that sign-in's current id and access tokens only; its refresh still works and the refreshed tokens log out", async () => {
    const expiring = await signedInNow();
    const other = await signedInNow();
    const sid = sidOf(expiring.idToken);
    const answer = await api('POST', `/__mock/sessions/${sid}/expire`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ sid, expired: expect.arrayContaining([decode(expiring.idToken).payload.jti, decode(expiring.accessToken).payload.jti]) });
    expect((answer.body as { expired: string[] }).expired).toHaveLength(2);

    for (const token of [expiring.idToken, expiring.accessToken]) {
      const refused = await logout(mock, { token });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-mock-reason')).toMatch(/expired/);
    }
    // The clock did not move: nobody else's tokens changed.
    expect((await api('GET', '/__mock/clock')).body).toMatchObject({ offsetSeconds: 0 });
    expect((await logout(mock, { token: other.idToken })).status).toBe(200);

    const renewed = await refresh(mock, { token: expiring.refreshToken });
    expect(renewed.status).toBe(200);
    const { id_token: idToken, access_token: accessToken } = (renewed.body as { data: { id_token: string; access_token: string } }).data;
    expect(sidOf(idToken)).toBe(sid);
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    // That logout ended the sign-in: the refreshed access token and the refresh token are refused now.
    expect((await logout(mock, { token: accessToken })).status).toBe(401);
    expect((await refresh(mock, { token: expiring.refreshToken })).status).toBe(401);
  });

  it("another sign-in's refresh still answers 200 and its refreshed tokens work", async () => {
    const expiring = await signedInNow();
    const other = await signedInNow();
    await mock.expireSignIn(sidOf(expiring.idToken));
    const renewed = await refresh(mock, { token: other.refreshToken });
    expect(renewed.status).toBe(200);
    expect((await logout(mock, { token: (renewed.body as { data: { access_token: string } }).data.access_token })).status).toBe(200);
  });

  it('GET /__mock/sessions shows the expired tokens as expired, the others as active', async () => {
    const expiring = await signedInNow();
    const other = await signedInNow();
    await api('POST', `/__mock/sessions/${sidOf(expiring.idToken)}/expire`);
    const { sessions } = (await api('GET', '/__mock/sessions')).body as { sessions: TokenView[] };
    const statusOf = (sid: string) => sessions.filter((s) => s.sid === sid).map((s) => s.status);
    expect(statusOf(sidOf(expiring.idToken))).toEqual(['expired', 'expired']);
    expect(statusOf(sidOf(other.idToken))).toEqual(['active', 'active']);
  });

  it('a sign-in with no live token → 404; so is one already past its exp', async () => {
    expect((await api('POST', '/__mock/sessions/00000000-0000-4000-8000-00000000dead/expire')).status).toBe(404);
    const { idToken } = await signedInNow();
    await mock.clock.advance(3601);
    const answer = await api('POST', `/__mock/sessions/${sidOf(idToken)}/expire`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ errorCode: 'ERR_NOT_FOUND' });
    await expect(mock.expireSignIn('no-such-sign-in')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('GET on the expire route → 405', async () => {
    const { idToken } = await signedInNow();
    expect((await api('GET', `/__mock/sessions/${sidOf(idToken)}/expire`)).status).toBe(405);
  });
});
