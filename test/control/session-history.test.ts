// A sign-in's history in GET /__mock/sessions stays true for as long as the sign-in is listed, whatever the store:
// a logout is remembered beside the sign-in's tokens, after the revocation that enforces it has been pruned, and
// after a restart of a store that keeps state.
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/services.ts';
import type { Mock } from '../../src/mock.ts';
import { signInKey } from '../../src/tokens/revocation.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { type Answer, control, DEMO, logout, mockOn, refresh, signedIn, signIn } from '../support/mock.ts';
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
    const sid = sidOf(idToken);
    const other = await mock.issueToken({ sub: 'cust-still-here' });
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    expect((await refresh(mock, { token: refreshToken })).status).toBe(401);

    await mock.clock.advance(DAY_AND_HOUR);
    // The revocation is over: the store no longer holds the sign-in as revoked (its refresh token has expired as well).
    expect(await mock.store.isRevoked([signInKey(sid)], mock.clock.now())).toBe(false);
    const later = await sessions(mock);
    expect(later.sessions.filter((t) => t.sid === sid).map((t) => t.status)).toEqual(['logged-out', 'logged-out']);
    expect(later.sessions.filter((t) => t.sid === other.claims.origin_jti).map((t) => t.status)).toEqual(['expired', 'expired']);
    expect(later.signIns.map((s) => [s.sid, s.status, s.loggedOutBy])).toEqual([
      [sid, 'logged-out', 'logout'],
      [other.claims.origin_jti, 'expired', undefined],
    ]);

    if (!backend.durable) return;
    await mock.close();
    const reopened = await start(namespace, () => Date.now() + DAY_AND_HOUR * 1000);
    const afterRestart = await sessions(reopened);
    expect(afterRestart.sessions.filter((t) => t.sid === sid).map((t) => t.status)).toEqual(['logged-out', 'logged-out']);
    expect(afterRestart.signIns.find((s) => s.sid === sid)?.status).toBe('logged-out');
  });
});

describe('the states QA reads in GET /__mock/sessions, on one mock', () => {
  let mock: Mock;
  afterEach(async () => {
    await mock?.close();
  });
  const stateOf = async (sid: string, query = '') =>
    ((await control(mock.url, 'GET', `/__mock/sessions${query}`)).body as SessionsView).signIns.find((s) => s.sid === sid);

  it('active → tokens-expired (an hour on: the refresh still works) → active (refreshed) → expired (a day on: over by time)', async () => {
    mock = await mockOn();
    const { idToken, refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    const sid = sidOf(idToken);
    expect(await stateOf(sid)).toMatchObject({ status: 'active', sub: DEMO_USER.sub, role: 'customer', refreshes: 0 });
    await mock.clock.advance(3600);
    const expired = await stateOf(sid);
    expect(expired).toMatchObject({ status: 'tokens-expired' });
    expect(Date.parse(expired?.tokensExpireAt ?? '')).toBeLessThanOrEqual(mock.clock.now());
    expect(Date.parse(expired?.refreshExpiresAt ?? '')).toBeGreaterThan(mock.clock.now());
    expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
    expect(await stateOf(sid)).toMatchObject({ status: 'active', refreshes: 1 });
    await mock.clock.advance(24 * 3600);
    expect((await refresh(mock, { token: refreshToken })).status).toBe(401);
    expect(await stateOf(sid)).toMatchObject({ status: 'expired' });
  });

  it('sessions expire answers exactly what a natural expiry answers (token expired), and the view says the tokens expired early', async () => {
    mock = await mockOn();
    const early = signedIn(await signIn(mock, { json: DEMO }));
    const natural = signedIn(await signIn(mock, { json: DEMO }));
    const sid = sidOf(early.idToken);
    await mock.expireSignIn(sid);
    const expiredEarly = await logout(mock, { token: early.idToken });
    await mock.clock.advance(3600);
    const expiredByTime = await logout(mock, { token: natural.idToken });
    const seen = (answer: Answer) => ({
      status: answer.status,
      challenge: answer.headers.get('www-authenticate'),
      reason: answer.headers.get('x-mock-reason'),
      body: answer.body,
    });
    expect(seen(expiredEarly)).toEqual(seen(expiredByTime));
    expect(seen(expiredEarly)).toMatchObject({ status: 401, reason: 'token expired', challenge: expect.stringContaining('error_description="token expired"') });
    expect((await mock.requests({ sid, operation: 'logout' })).map((entry) => entry.reason)).toEqual(['token expired']);

    const signInView = await stateOf(sid);
    expect(signInView).toMatchObject({ status: 'tokens-expired', tokens: [{ status: 'expired' }, { status: 'expired' }] });
    expect(Date.parse(signInView?.tokensExpiredEarlyAt ?? '')).toBeLessThan((signInView?.tokens[0]?.exp ?? 0) * 1000);
    expect(signInView?.tokensExpireAt).toBe(signInView?.tokensExpiredEarlyAt);
    expect((await stateOf(sidOf(natural.idToken)))?.tokensExpiredEarlyAt).toBeUndefined();
  });

  it('ended: deactivating, removing its user ends the sign-in, and the view says which', async () => {
    mock = await mockOn();
    await mock.users.add({ email: 'ada@example.com', password: 'Ada-Password-1' });
    await mock.users.add({ email: 'bob@example.com', password: 'Bob-Password-1' });
    const ada = sidOf(signedIn(await signIn(mock, { json: { email: 'ada@example.com', password: 'Ada-Password-1' } })).idToken);
    const bob = sidOf(signedIn(await signIn(mock, { json: { email: 'bob@example.com', password: 'Bob-Password-1' } })).idToken);
    await mock.users.add({ email: 'ada@example.com', password: 'Ada-Password-1', disabled: true });
    await mock.users.remove('bob@example.com');
    expect(await stateOf(ada)).toMatchObject({ status: 'ended', endedBy: 'deactivation', tokens: [{ status: 'ended' }, { status: 'ended' }] });
    expect(await stateOf(bob)).toMatchObject({ status: 'ended', endedBy: 'removal' });
  });

  it('logged-out says what logged it out: a reused refresh token under --refresh-reuse revoke, a provider state', async () => {
    mock = await mockOn({ refreshRotation: true, refreshReuse: 'revoke' });
    const { idToken, refreshToken } = signedIn(await signIn(mock, { json: DEMO }));
    expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
    expect((await refresh(mock, { token: refreshToken })).status).toBe(401);
    expect(await stateOf(sidOf(idToken))).toMatchObject({ status: 'logged-out', loggedOutBy: 'refresh-reuse', loggedOutAt: expect.any(String) });
    const state = await control(mock.url, 'POST', '/__mock/provider-states', { state: 'a customer whose session has been logged out', action: 'setup' });
    expect(state.status).toBe(200);
    const { token } = state.body as { token: string };
    expect(await stateOf(sidOf(token))).toMatchObject({ status: 'logged-out', loggedOutBy: 'operator' });
  });

  it('?sub= and ?status= filter (mock.sessions() alike); a bad status is a 400 naming it', async () => {
    mock = await mockOn();
    const a = await mock.issueToken({ sub: 'cust-a' });
    const b = await mock.issueToken({ sub: 'cust-b' });
    await logout(mock, { token: a.token });
    const out = (await control(mock.url, 'GET', '/__mock/sessions?status=logged-out')).body as SessionsView;
    expect(out.signIns.map((s) => s.sid)).toEqual([a.claims.origin_jti]);
    expect(out.sessions.map((t) => t.sid)).toEqual([a.claims.origin_jti, a.claims.origin_jti]);
    expect((await mock.sessions({ sub: 'cust-b' })).signIns.map((s) => [s.sid, s.status])).toEqual([[b.claims.origin_jti, 'active']]);
    expect(await mock.sessions({ status: 'logged-out' })).toEqual(out);
    const bad = await control(mock.url, 'GET', '/__mock/sessions?status=revoked');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'status', message: expect.stringContaining('active, tokens-expired, logged-out, ended, expired') });
    await expect(mock.sessions({ status: 'revoked' as never })).rejects.toMatchObject({ field: 'status' });
  });
});

function sidOf(jwt: string): string {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).origin_jti as string;
}
