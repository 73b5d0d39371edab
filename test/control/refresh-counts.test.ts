import { AssertionError } from 'node:assert';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/services.ts';
import { decode } from '../support/crafted.ts';
import { control, DEMO, refresh, signedIn, signIn, useMock } from '../support/mock.ts';

/** What a test (GET /__mock/sessions, mock.refreshes(), mock.expectNoRefreshStorms()) reads of refreshes and storms. */

let now = Date.parse('2031-07-01T08:00:00.000Z');
const mock = useMock({ clock: () => now });
afterEach(() => mock.reset());

/** A new sign-in of the demo customer, a millisecond after the last (sign-in ids order by when they began). */
async function session(): Promise<{ refreshToken: string; sid: string; sub: string }> {
  now += 1;
  const { refreshToken, idToken } = signedIn(await signIn(mock, { json: DEMO }));
  const { origin_jti: sid, sub } = decode(idToken).payload as { origin_jti: string; sub: string };
  return { refreshToken, sid, sub };
}

describe('GET /__mock/sessions', () => {
  it('carries, beside the tokens, one entry per sign-in among them: its refreshes and storms, the latest storm', async () => {
    const calm = await session();
    const stormy = await session();
    await refresh(mock, { token: calm.refreshToken });
    for (const step of [0, 200, 300]) {
      now += step;
      await refresh(mock, { token: stormy.refreshToken });
    }
    const minted = await mock.issueToken({ sub: 'never-refreshed' });
    const { body } = await control(mock.url, 'GET', '/__mock/sessions');
    const { sessions, signIns } = body as SessionsView;
    expect(sessions.length).toBeGreaterThan(3);
    const counts = signIns.map(({ sid, sub, refreshes, storms, lastStorm }) => ({ sid, sub, refreshes, storms, ...(lastStorm ? { lastStorm } : {}) }));
    expect(counts).toEqual([
      { sid: calm.sid, sub: calm.sub, refreshes: 1, storms: 0 },
      {
        sid: stormy.sid,
        sub: stormy.sub,
        refreshes: 3,
        storms: 1,
        lastStorm: { from: new Date(now - 500).toISOString(), at: new Date(now).toISOString(), refreshes: 3 },
      },
      { sid: minted.claims.origin_jti, sub: 'never-refreshed', refreshes: 0, storms: 0 },
    ]);
  });
});

describe('in-process', () => {
  it('mock.refreshes() lists refreshed sign-ins by id; { sid } one of them, { stormed: true } those that stormed', async () => {
    const calm = await session();
    const stormy = await session();
    await refresh(mock, { token: calm.refreshToken });
    await refresh(mock, { token: stormy.refreshToken });
    await refresh(mock, { token: stormy.refreshToken });
    expect((await mock.refreshes()).map((r) => [r.sid, r.refreshes, r.storms])).toEqual([
      [calm.sid, 1, 0],
      [stormy.sid, 2, 1],
    ]);
    expect(await mock.refreshes({ sid: calm.sid })).toEqual([{ sid: calm.sid, refreshes: 1, storms: 0 }]);
    expect((await mock.refreshes({ stormed: true })).map((r) => r.sid)).toEqual([stormy.sid]);
    expect(await mock.refreshes({ sid: 'no-such-sign-in' })).toEqual([]);
  });

  it('expectNoRefreshStorms() resolves while no sign-in stormed, and fails naming each one that did', async () => {
    const { refreshToken, sid } = await session();
    await refresh(mock, { token: refreshToken });
    await expect(mock.expectNoRefreshStorms()).resolves.toBeUndefined();
    now += 2000;
    await refresh(mock, { token: refreshToken });
    const failure = await mock.expectNoRefreshStorms().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AssertionError);
    expect((failure as AssertionError).message).toBe(
      `refresh storm: sign-in ${sid} refreshed 2 times from ${new Date(now - 2000).toISOString()} to ${new Date(now).toISOString()} (1 storm, 2 refreshes all told)`,
    );
  });
});
