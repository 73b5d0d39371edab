// A sign-in's history in GET /__mock/sessions stays true for as long as the sign-in is listed, whatever the store:
// a logout is remembered beside the sign-in's tokens, after the revocation that enforces it has been pruned, and
// after a restart of a store that keeps state.
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/services.ts';
import type { Mock } from '../../src/mock.ts';
import { signInKey } from '../../src/tokens/revocation.ts';
import { control, DEMO, logout, mockOn, refresh, signedIn, signIn } from '../support/mock.ts';
import { storeBackends } from '../support/store-backends.ts';

const backends = storeBackends();
const DAY_AND_HOUR = 25 * 3600;

describe.each(backends)('$name store', (backend) => {
  const running: Mock[] = [];
  const start = async (namespace: string, clock?: () => number) => {
    const mock = await mockOn({ store: await backend.open(namespace), ...(clock ? { clock } : {}) });
    running.push(mock);
    return mock;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((mock) => mock.close()));
  });
  const sessions = async (mock: Mock) => (await control(mock.url, 'GET', '/__mock/sessions')).body as SessionsView;

  it('a logged-out sign-in is still logged-out a day and an hour later, past every revocation (and after a restart)', async () => {
    const namespace = backend.namespace();
    const mock = await start(namespace);
    const { idToken, refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    const sid = JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString()).origin_jti as string;
    const other = await mock.issueToken({ sub: 'cust-still-here' });
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    expect((await refresh(mock, { token: refreshToken })).status).toBe(401);

    await mock.clock.advance(DAY_AND_HOUR);
    // The revocation is over: the store no longer holds the sign-in as revoked (its refresh token has expired as well).
    expect(await mock.store.isRevoked([signInKey(sid)], mock.clock.now())).toBe(false);
    const later = await sessions(mock);
    expect(later.sessions.filter((t) => t.sid === sid).map((t) => t.status)).toEqual(['logged-out', 'logged-out']);
    expect(later.sessions.filter((t) => t.sid === other.claims.origin_jti).map((t) => t.status)).toEqual(['expired', 'expired']);

    if (!backend.durable) return;
    await mock.close();
    const reopened = await start(namespace, () => Date.now() + DAY_AND_HOUR * 1000);
    const afterRestart = await sessions(reopened);
    expect(afterRestart.sessions.filter((t) => t.sid === sid).map((t) => t.status)).toEqual(['logged-out', 'logged-out']);
  });
});
