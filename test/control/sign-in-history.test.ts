// The sign-in states, row by row of the decision table in docs/control-api.md, on the pure function that decides them.
import { describe, expect, it } from 'vitest';
import { type HistoryInput, SIGN_IN_STATUSES, sessionsFilter, sessionsView } from '../../src/control/sign-in-history.ts';
import type { SessionRecord, TokenRecord, UserRecord } from '../../src/state/records.ts';

const T0 = 1_800_000_000; // epoch seconds: the sign-in's auth_time
const HOUR = 3600;
const REFRESH_TTL = 24 * HOUR;
const SID = '00000000-0000-4000-8000-000000000aaa'; // not a UUIDv7: the records' authTime is what counts

const token = (jti: string, iat: number, extra: Partial<TokenRecord> = {}): TokenRecord => ({
  jti,
  sid: SID,
  sub: 'sub-1',
  tokenUse: 'access',
  role: 'customer',
  kind: 'valid',
  iat,
  exp: iat + HOUR,
  authTime: T0,
  ...extra,
});
const user = (extra: Partial<UserRecord> = {}): UserRecord => ({
  id: 'u-1',
  sub: 'sub-1',
  email: 'one@example.com',
  role: 'customer',
  givenName: 'One',
  familyName: 'User',
  customerId: 'c-1',
  subrole: 'owner',
  status: 'ACTIVE',
  isEmailVerified: true,
  isFirstLogin: false,
  createdAt: 0,
  updatedAt: 0,
  version: 1,
  source: 'runtime',
  ...extra,
});

/** The one sign-in's view at `nowS` (epoch seconds), from these records and users. */
function view(records: SessionRecord[], nowS: number, more: Partial<HistoryInput> = {}) {
  const answer = sessionsView({ records, users: new Map(), revoked: new Set(), refreshes: [], nowMs: nowS * 1000, refreshTtlSeconds: REFRESH_TTL, ...more });
  return { signIn: answer.signIns[0], tokens: answer.sessions.map((t) => t.status) };
}

describe('a sign-in’s state (the first row that holds)', () => {
  const first = [token('a1', T0), token('i1', T0, { tokenUse: 'id' })];

  it('active: an id or access token is live; it says when its tokens and its refresh token expire', () => {
    expect(view(first, T0 + 60)).toEqual({
      signIn: expect.objectContaining({
        sid: SID,
        status: 'active',
        signedInAt: new Date(T0 * 1000).toISOString(),
        tokensExpireAt: new Date((T0 + HOUR) * 1000).toISOString(),
        refreshExpiresAt: new Date((T0 + REFRESH_TTL) * 1000).toISOString(),
        refreshes: 0,
        storms: 0,
      }),
      tokens: ['active', 'active'],
    });
  });

  it('tokens-expired: no token is live but its refresh token still refreshes; a refresh makes it active again', () => {
    expect(view(first, T0 + HOUR)).toMatchObject({ signIn: { status: 'tokens-expired' }, tokens: ['expired', 'expired'] });
    const refreshed = [...first, token('a2', T0 + 2 * HOUR), token('i2', T0 + 2 * HOUR, { tokenUse: 'id' })];
    expect(view(refreshed, T0 + 2 * HOUR + 1)).toMatchObject({ signIn: { status: 'active' }, tokens: ['expired', 'expired', 'active', 'active'] });
  });

  it('tokens-expired early: `sessions expire` ends its tokens before their exp, and the view says when', () => {
    const expired: SessionRecord = { event: 'expired-early', sid: SID, sub: 'sub-1', at: (T0 + 60) * 1000, jtis: ['a1', 'i1'] };
    const { signIn, tokens } = view([...first, expired], T0 + 120);
    expect(signIn).toMatchObject({ status: 'tokens-expired', tokensExpireAt: new Date((T0 + 60) * 1000).toISOString() });
    expect(signIn?.tokensExpiredEarlyAt).toBe(new Date((T0 + 60) * 1000).toISOString());
    expect(tokens).toEqual(['expired', 'expired']);
    // Refreshed since: its current tokens did not expire early.
    const refreshed = view([...first, expired, token('a2', T0 + 90)], T0 + 120).signIn;
    expect(refreshed).toMatchObject({ status: 'active' });
    expect(refreshed?.tokensExpiredEarlyAt).toBeUndefined();
  });

  it('expired: its refresh token has expired too, at auth_time + the refresh ttl', () => {
    expect(view(first, T0 + REFRESH_TTL - 1).signIn?.status).toBe('tokens-expired');
    expect(view(first, T0 + REFRESH_TTL)).toMatchObject({ signIn: { status: 'expired' }, tokens: ['expired', 'expired'] });
  });

  it('active wins over expired while a token refreshed at the last moment lives on', () => {
    const late = [...first, token('a2', T0 + REFRESH_TTL - 10)];
    expect(view(late, T0 + REFRESH_TTL + 10).signIn?.status).toBe('active');
  });

  it('logged-out: a logout event says so for as long as the sign-in is listed, with when and what did it', () => {
    const out: SessionRecord = { event: 'logged-out', sid: SID, sub: 'sub-1', at: (T0 + 60) * 1000, by: 'logout' };
    for (const now of [T0 + 61, T0 + 2 * HOUR, T0 + REFRESH_TTL + HOUR]) {
      expect(view([...first, out], now)).toMatchObject({
        signIn: { status: 'logged-out', loggedOutAt: new Date((T0 + 60) * 1000).toISOString(), loggedOutBy: 'logout' },
        tokens: ['logged-out', 'logged-out'],
      });
    }
    expect(view(first, T0 + 61, { revoked: new Set([SID]) }).signIn).toMatchObject({ status: 'logged-out' });
  });

  it('ended: its user was deactivated, removed or reset the password after it began, and the view says which', () => {
    const cut = (T0 + 60) * 1000;
    const users = (u: UserRecord) => ({ users: new Map([['sub-1', u]]) });
    const sid = '018f0000-0000-7000-8000-000000000001'; // a UUIDv7 of ~2024: began before the cut
    const records = first.map((t) => ({ ...t, sid }));
    const at = T0 + 120;
    expect(view(records, at, users(user({ status: 'INACTIVE', signInsFrom: cut, signInsEndedBy: 'deactivation' }))).signIn).toMatchObject({
      status: 'ended',
      endedBy: 'deactivation',
    });
    expect(view(records, at, users(user({ status: 'REMOVED', signInsFrom: cut, signInsEndedBy: 'removal' }))).signIn).toMatchObject({
      status: 'ended',
      endedBy: 'removal',
    });
    const reset = view(records, at, users(user({ signInsFrom: cut, signInsEndedBy: 'password-reset' })));
    expect(reset).toMatchObject({ signIn: { status: 'ended', endedBy: 'password-reset' }, tokens: ['ended', 'ended'] });
    // A sign-in over by time before its user changed stays expired; one that began after the cut is the user's own.
    const late = user({ status: 'INACTIVE', signInsFrom: (T0 + REFRESH_TTL + HOUR) * 1000, signInsEndedBy: 'deactivation' });
    expect(view(records, T0 + REFRESH_TTL + 2 * HOUR, users(late)).signIn?.status).toBe('expired');
    const after = user({ signInsFrom: Date.UTC(2000, 0, 1), signInsEndedBy: 'password-reset' });
    expect(view(records, at, users(after)).signIn?.status).toBe('active');
  });

  it('logged-out wins over ended: the logout came first', () => {
    const out: SessionRecord = { event: 'logged-out', sid: SID, sub: 'sub-1', at: (T0 + 60) * 1000, by: 'operator' };
    const gone = user({ status: 'REMOVED', signInsFrom: (T0 + 90) * 1000, signInsEndedBy: 'removal' });
    expect(view([...first, out], T0 + 120, { users: new Map([['sub-1', gone]]) }).signIn).toMatchObject({ status: 'logged-out', loggedOutBy: 'operator' });
  });
});

describe('the listing', () => {
  it('one entry per sign-in in the order each first appears, with its refresh counts; sub and status filter both lists', () => {
    const other = (jti: string) => token(jti, T0, { sid: 'sid-2', sub: 'sub-2' });
    const records = [token('a1', T0), other('b1'), token('i1', T0, { tokenUse: 'id' }), other('b2')];
    const out: SessionRecord = { event: 'logged-out', sid: 'sid-2', sub: 'sub-2', at: (T0 + 1) * 1000, by: 'logout' };
    const input: HistoryInput = {
      records: [...records, out],
      users: new Map(),
      revoked: new Set(),
      refreshes: [{ sid: 'sid-2', refreshes: 2, storms: 1, lastStorm: { from: 'f', at: 'a', refreshes: 2 } }],
      nowMs: (T0 + 2) * 1000,
      refreshTtlSeconds: REFRESH_TTL,
    };
    const all = sessionsView(input);
    expect(all.signIns.map((s) => [s.sid, s.status, s.refreshes, s.storms])).toEqual([
      [SID, 'active', 0, 0],
      ['sid-2', 'logged-out', 2, 1],
    ]);
    expect(all.sessions.map((t) => t.jti)).toEqual(['a1', 'b1', 'i1', 'b2']);
    expect(sessionsView(input, { status: 'logged-out' }).sessions.map((t) => t.jti)).toEqual(['b1', 'b2']);
    expect(sessionsView(input, { sub: 'sub-1' }).signIns.map((s) => s.sid)).toEqual([SID]);
    expect(sessionsView(input, { limit: 1 }).signIns.map((s) => s.sid)).toEqual(['sid-2']);
  });

  it('a filter names what is wrong with it', () => {
    expect(sessionsFilter({ status: 'tokens-expired', sub: 's', limit: '20' })).toEqual({ status: 'tokens-expired', sub: 's', limit: 20 });
    expect(() => sessionsFilter({ status: 'revoked' })).toThrow(
      expect.objectContaining({ field: 'status', message: expect.stringContaining(SIGN_IN_STATUSES.join(', ')) }),
    );
    expect(() => sessionsFilter({ limit: 0 })).toThrow(expect.objectContaining({ field: 'limit' }));
    expect(() => sessionsFilter({ who: 'x' })).toThrow(expect.objectContaining({ field: 'who' }));
  });
});
