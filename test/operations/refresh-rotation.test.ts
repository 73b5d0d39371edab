import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { decode } from '../support/crafted.ts';
import { type Answer, DEMO, logout, mockOn, refresh, signedIn, signIn, violations } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

/**
 * Refresh-token rotation over real HTTP (docs/operations.md, "Rotation"), in each store: every refresh answers a new
 * refresh token of the same sign-in; a superseded one refreshes within the grace after its first use, and after that is
 * a reused token: 401, and with `--refresh-reuse revoke` the whole sign-in is revoked.
 */

let now = Date.parse('2031-06-01T12:00:00.000Z');
const clock = () => now;
let redis: RedisServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wam-rotation-'));
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** The refresh token, id token and cookie of a 200 refresh answer with rotation. */
function rotated(answer: Answer): { refreshToken: string; idToken: string; cookie: ReturnType<typeof parseSetCookie> } {
  expect(answer.status, answer.text).toBe(200);
  const { data } = answer.body as { data: { refresh_token: string; id_token: string } };
  expect(typeof data.refresh_token).toBe('string');
  return { refreshToken: data.refresh_token, idToken: data.id_token, cookie: parseSetCookie(answer.headers.get('set-cookie') ?? '') };
}

const STORES: [string, () => MockOptions][] = [
  ['memory', () => ({})],
  ['file', () => ({ stateFile: join(dir, `state-${Math.random().toString(36).slice(2)}.json`) })],
  ['redis', () => ({ redis: redis.url, redisPrefix: `rotation-${process.pid}-${Math.random().toString(36).slice(2)}` })],
];

describe.each(STORES)('with rotation, on the %s store', (_name, store) => {
  const mocks: Mock[] = [];
  const start = async (options: MockOptions) => {
    const mock = await mockOn({ clock, ...store(), refreshRotation: true, ...options });
    mocks.push(mock);
    return mock;
  };
  afterAll(() => Promise.all(mocks.map((m) => m.close())));

  it('answers a new refresh token (body and cookie) in the same sign-in, valid against the spec; it refreshes, the superseded one is refused as reused', async () => {
    const mock = await start({});
    const first = signedIn(await signIn(mock, { json: DEMO }));
    const sid = decode(first.idToken).payload.origin_jti;
    const answer = await refresh(mock, { token: first.refreshToken });
    expect(await violations(answer, 'refresh')).toEqual([]);
    const next = rotated(answer);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(decode(next.idToken).payload.origin_jti).toBe(sid);
    expect(next.cookie).toMatchObject({ name: 'refresh_token', value: next.refreshToken, httpOnly: true, sameSite: 'lax', path: '/auth/api/v1' });
    expect(answer.headers.get('x-mock-reason')).toBe(`refreshed sign-in ${sid} (rotation: a new refresh token, #1)`);

    now += 1000;
    const reused = await refresh(mock, { token: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(await violations(reused, 'refresh')).toEqual([]);
    expect(reused.headers.get('x-mock-reason')).toBe(
      `refresh token reused (superseded by rotation 1 s ago, grace 0 s): refused; sign-in ${sid} stays signed in (--refresh-reuse refuse)`,
    );
    // Only the reused token is refused: the current one still refreshes, the sign-in's tokens still work.
    const third = rotated(await refresh(mock, { token: next.refreshToken }));
    expect((await logout(mock, { token: third.idToken })).status).toBe(200);
  });

  it('says how far back a reused token was superseded: the one just superseded by how long ago, an older one by how many rotations', async () => {
    const mock = await start({});
    const first = signedIn(await signIn(mock, { json: DEMO }));
    const sid = decode(first.idToken).payload.origin_jti;
    const second = rotated(await refresh(mock, { token: first.refreshToken }));
    now += 1000;
    rotated(await refresh(mock, { token: second.refreshToken }));
    now += 1250;
    const justSuperseded = await refresh(mock, { token: second.refreshToken });
    expect(justSuperseded.headers.get('x-mock-reason')).toBe(
      `refresh token reused (superseded by rotation 1.25 s ago, grace 0 s): refused; sign-in ${sid} stays signed in (--refresh-reuse refuse)`,
    );
    const older = await refresh(mock, { token: first.refreshToken });
    expect(older.status).toBe(401);
    expect(older.headers.get('x-mock-reason')).toBe(
      `refresh token reused (superseded 2 rotations ago): refused; sign-in ${sid} stays signed in (--refresh-reuse refuse)`,
    );
  });

  it('rotates the cookie too: an app that refreshes from the cookie alone keeps working; the old cookie is refused', async () => {
    const mock = await start({});
    const { refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    const byCookie = (token: string) => refresh(mock, { headers: { cookie: `refresh_token=${token}` } });
    const next = rotated(await byCookie(refreshToken));
    const after = rotated(await byCookie(next.cookie.value as string));
    expect(after.refreshToken).not.toBe(next.refreshToken);
    expect((await byCookie(refreshToken)).status).toBe(401);
  });

  it('--refresh-grace 5s: the superseded token refreshes for 5 s after its first use (answering the current one), not after', async () => {
    const mock = await start({ refreshGraceSeconds: 5 });
    const { refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    const winner = rotated(await refresh(mock, { token: refreshToken }));
    now += 4000;
    const retry = await refresh(mock, { token: refreshToken });
    const again = rotated(retry);
    expect(retry.headers.get('x-mock-reason')).toMatch(/ \(rotation: a superseded refresh token within its 5 s grace; the current one, #1, again\)$/);
    // Both tabs now hold the current refresh token: each refreshes.
    expect(decode(again.idToken).payload.origin_jti).toBe(decode(winner.idToken).payload.origin_jti);
    now += 1000;
    const late = await refresh(mock, { token: refreshToken });
    expect(late.status).toBe(401);
    expect(late.headers.get('x-mock-reason')).toMatch(/^refresh token reused \(superseded by rotation 5 s ago, grace 5 s\): refused;/);
    rotated(await refresh(mock, { token: again.refreshToken }));
  });

  it('--refresh-reuse revoke: a reuse revokes the whole sign-in at once (RFC 9700 §4.14.2), and the journal says so', async () => {
    const mock = await start({ refreshReuse: 'revoke' });
    const first = signedIn(await signIn(mock, { json: DEMO }));
    const sid = decode(first.idToken).payload.origin_jti;
    const next = rotated(await refresh(mock, { token: first.refreshToken }));
    const reused = await refresh(mock, { token: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.headers.get('x-mock-reason')).toBe(
      `refresh token reused (superseded by rotation 0 ms ago, grace 0 s): sign-in ${sid} revoked, all its tokens now answer 401 (--refresh-reuse revoke)`,
    );
    expect((await refresh(mock, { token: next.refreshToken })).headers.get('x-mock-reason')).toBe('refresh token has been revoked: its sign-in logged out');
    for (const token of [next.idToken, first.idToken]) expect((await logout(mock, { token })).headers.get('x-mock-reason')).toMatch(/revoked/);
    const [entry] = await mock.requests({ operation: 'refresh', status: 401, limit: 2 });
    expect(entry?.reason).toMatch(/--refresh-reuse revoke/);
  });

  it('a forced 200 (Prefer: code=200) with a reused token answers the current refresh token and revokes nothing', async () => {
    const mock = await start({ refreshReuse: 'revoke' });
    const { refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    const current = rotated(await refresh(mock, { token: refreshToken }));
    const forced = await refresh(mock, { token: refreshToken, headers: { prefer: 'code=200' } });
    expect(forced.headers.get('x-mock-reason')).toMatch(
      /^override code=200: refreshed sign-in \S+ \(a reused refresh token: answered with the current one, #1\)$/,
    );
    rotated(forced);
    rotated(await refresh(mock, { token: current.refreshToken }));
    // With no refresh token at all, a forced 200 is a new sign-in: its refresh token in the body and the cookie.
    const fresh = rotated(await refresh(mock, { headers: { prefer: 'code=200' } }));
    expect(fresh.cookie.value).toBe(fresh.refreshToken);
    rotated(await refresh(mock, { token: fresh.refreshToken }));
  });
});

describe('without rotation (the default)', () => {
  it('answers no refresh token and sets no cookie: the same refresh token refreshes again and again', async () => {
    const mock = await mockOn({ clock });
    try {
      const { refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
      for (let i = 0; i < 3; i++) {
        const answer = await refresh(mock, { token: refreshToken });
        expect(answer.status).toBe(200);
        expect((answer.body as { data: object }).data).not.toHaveProperty('refresh_token');
        expect(answer.headers.get('set-cookie')).toBeNull();
      }
    } finally {
      await mock.close();
    }
  });
});
