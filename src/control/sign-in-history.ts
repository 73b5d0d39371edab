import { InputError, shown } from '../errors.ts';
import { isTokenRecord, type LogoutCause, type SessionRecord, type SignInsEndedBy, type TokenRecord, type UserRecord } from '../state/records.ts';
import type { SignInRefreshes } from '../state/refresh-records.ts';
import { signInStartedAt } from '../tokens/issuer.ts';
import { signInEnding } from '../users/sign-in-rules.ts';

/**
 * A sign-in's state, as `GET /__mock/sessions`, `sessions` and the QA panel name it. Decided top-down, the first that
 * holds (docs/control-api.md has the table):
 * - `logged-out`: it logged out (Customer Logout, an operator, a reused refresh token under `--refresh-reuse revoke`);
 * - `ended`: its user was removed, deactivated, or reset the password after it began, while it could still refresh;
 * - `active`: one of its id or access tokens is live;
 * - `tokens-expired`: none is (their `exp` passed, or `sessions expire` expired them), but its refresh token still
 *   refreshes: the app's refresh-on-401 path gets new tokens;
 * - `expired`: its refresh token has expired too: the sign-in is over by time.
 */
export const SIGN_IN_STATUSES = ['active', 'tokens-expired', 'logged-out', 'ended', 'expired'] as const;

/** One of SIGN_IN_STATUSES. */
export type SignInStatus = (typeof SIGN_IN_STATUSES)[number];

/**
 * One token's own state: its sign-in's when that `logged-out` or `ended`, else `expired` once its `exp` passed or it
 * was expired on request, else `active`.
 */
export type TokenStatus = 'active' | 'expired' | 'logged-out' | 'ended';

/** An issued token as `mock.tokens()` and `GET /__mock/sessions` list it: its record and its state. */
export type TokenView = TokenRecord & { readonly status: TokenStatus };

/** One sign-in (`origin_jti`) with what became of it, as `GET /__mock/sessions` lists it in `signIns`. Times are ISO, on the mock's clock. */
export type SignInView = {
  readonly sid: string;
  readonly sub: string;
  readonly role: string;
  /** How its first token was minted: `valid` (a sign-in, a refresh, `POST /__mock/tokens`) or `non-customer`. */
  readonly kind: string;
  readonly status: SignInStatus;
  /** When it began: its `auth_time`. */
  readonly signedInAt: string;
  /** When its id and access tokens stop (stopped) working: the latest of its tokens' `exp`, or of the moments they were expired on request. */
  readonly tokensExpireAt: string;
  /** When `sessions expire` expired its tokens, when that is what ended its latest ones (absent otherwise). */
  readonly tokensExpiredEarlyAt?: string;
  /** When its refresh token expires: `auth_time` + `--refresh-ttl` (with rotation, every refresh token of it). */
  readonly refreshExpiresAt: string;
  /** `logged-out`: when (absent for a logout recorded before the mock kept the time) and what logged it out. */
  readonly loggedOutAt?: string;
  readonly loggedOutBy?: LogoutCause;
  /** `ended`: what ended it: its user's `removal`, `deactivation` or `password-reset`. */
  readonly endedBy?: SignInsEndedBy;
  /** Its tokens, oldest first: `jti`, `tokenUse` (`access`/`id`), `status`, `iat` and `exp` (epoch seconds). */
  readonly tokens: readonly Pick<TokenView, 'jti' | 'tokenUse' | 'status' | 'iat' | 'exp'>[];
  /** How often it was refreshed and its refresh storms (the storm detector's, kept while it can refresh: 0 after). */
  readonly refreshes: number;
  readonly storms: number;
  /** Its latest storm: first and last refresh (ISO times) and how many refreshes. */
  readonly lastStorm?: SignInRefreshes['lastStorm'];
  /** With rotation on: the generation of its current refresh token. */
  readonly generation?: number;
};

/**
 * What `GET /__mock/sessions`, `sessions --json` and `mock.sessions()` answer: the listed sign-ins' tokens (`sessions`,
 * oldest first, as the mock always listed them) and the sign-ins, in the order each first appears among them.
 */
export type SessionsView = { readonly sessions: TokenView[]; readonly signIns: SignInView[] };

/** Which sign-ins to list: among the newest `limit` tokens (1 to 10,000; default 500), of one user (`sub`), in one state. */
export type SessionsFilter = { readonly sub?: string; readonly status?: SignInStatus; readonly limit?: number };

/** The tokens listed when no `limit` is given. */
export const DEFAULT_SESSIONS_LIMIT = 500;
const MAX_SESSIONS_LIMIT = 10_000;

/** What the history is computed from: the store's reads, the mock's time and the refresh token's lifetime. */
export type HistoryInput = {
  /** The issued-token list (tokens and sign-in events), oldest first (`Store.listTokens`). */
  readonly records: readonly SessionRecord[];
  /** The users the listed tokens name, by `sub` (removed ones too); a `sub` no user has is absent. */
  readonly users: ReadonlyMap<string, UserRecord>;
  /** Sign-ins whose revocation is live though no logout event says so (recorded by an older mock). */
  readonly revoked: ReadonlySet<string>;
  /** The storm detector's counts (`refreshesView` of `Store.listRefreshes`). */
  readonly refreshes: readonly SignInRefreshes[];
  /** Epoch ms, the mock's clock. */
  readonly nowMs: number;
  /** `--refresh-ttl`, seconds. */
  readonly refreshTtlSeconds: number;
};

/** The token records listed for `limit`: the newest `limit`, oldest first. */
export function listedTokens(records: readonly SessionRecord[], limit = DEFAULT_SESSIONS_LIMIT): TokenRecord[] {
  const tokens = records.filter(isTokenRecord);
  return tokens.slice(Math.max(0, tokens.length - limit));
}

/** The sessions view (pure): each listed sign-in's state by the table of SIGN_IN_STATUSES, and its tokens', filtered. */
export function sessionsView(input: HistoryInput, filter: SessionsFilter = {}): SessionsView {
  const { nowMs } = input;
  const loggedOut = new Map<string, Extract<SessionRecord, { event: 'logged-out' }>>();
  const expiredEarly = new Map<string, number>();
  for (const record of input.records) {
    if (isTokenRecord(record)) continue;
    if (record.event === 'logged-out') {
      if (!loggedOut.has(record.sid)) loggedOut.set(record.sid, record);
    } else for (const jti of record.jtis) if (!expiredEarly.has(jti)) expiredEarly.set(jti, record.at);
  }
  const listed = listedTokens(input.records, filter.limit);
  const bySid = new Map<string, TokenRecord[]>();
  for (const token of listed) {
    const list = bySid.get(token.sid);
    if (list) list.push(token);
    else bySid.set(token.sid, [token]);
  }
  const counts = new Map(input.refreshes.map((c) => [c.sid, c]));
  const viewOf = new Map<TokenRecord, TokenView>();
  const signIns: SignInView[] = [];
  for (const [sid, tokens] of bySid) {
    const first = tokens[0] as TokenRecord;
    if (filter.sub !== undefined && first.sub !== filter.sub) continue;
    // When each token stops working: on request, or at its exp.
    const stops = tokens.map((t) => Math.min(t.exp * 1000, expiredEarly.get(t.jti) ?? Number.POSITIVE_INFINITY));
    const lastStop = Math.max(...stops.map((ms) => (Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms)));
    const latest = tokens[stops.indexOf(lastStop)];
    const authTime = tokens.find((t) => t.authTime !== undefined)?.authTime ?? startedSeconds(sid) ?? Math.min(...tokens.map((t) => t.iat));
    const refreshEndMs = (authTime + input.refreshTtlSeconds) * 1000;
    const logout = loggedOut.get(sid);
    const ending = signInEnding(input.users.get(first.sub), sid);
    const cut = input.users.get(first.sub)?.signInsFrom;
    // Ended only while it was not over by time: a sign-in that expired before its user changed stays expired.
    const ended = ending !== undefined && (cut === undefined || cut < Math.max(refreshEndMs, lastStop));
    const status: SignInStatus =
      logout !== undefined || input.revoked.has(sid)
        ? 'logged-out'
        : ended
          ? 'ended'
          : lastStop > nowMs
            ? 'active'
            : nowMs < refreshEndMs
              ? 'tokens-expired'
              : 'expired';
    if (filter.status !== undefined && status !== filter.status) continue;
    const views = tokens.map((t, i): TokenView => {
      const own: TokenStatus = status === 'logged-out' || status === 'ended' ? status : (stops[i] as number) > nowMs ? 'active' : 'expired';
      const view = { ...t, status: own };
      viewOf.set(t, view);
      return view;
    });
    const early = latest === undefined ? undefined : expiredEarly.get(latest.jti);
    const refreshCounts = counts.get(sid);
    signIns.push({
      sid,
      sub: first.sub,
      role: first.role,
      kind: first.kind,
      status,
      signedInAt: iso(authTime * 1000),
      tokensExpireAt: iso(lastStop),
      ...(early !== undefined && early < (latest?.exp ?? 0) * 1000 ? { tokensExpiredEarlyAt: iso(early) } : {}),
      refreshExpiresAt: iso(refreshEndMs),
      ...(status === 'logged-out' && logout !== undefined ? { loggedOutAt: iso(logout.at), loggedOutBy: logout.by } : {}),
      ...(status === 'ended' && ending !== undefined ? { endedBy: ending } : {}),
      tokens: views.map(({ jti, tokenUse, status, iat, exp }) => ({ jti, tokenUse, status, iat, exp })),
      refreshes: refreshCounts?.refreshes ?? 0,
      storms: refreshCounts?.storms ?? 0,
      ...(refreshCounts?.lastStorm === undefined ? {} : { lastStorm: refreshCounts.lastStorm }),
      ...(refreshCounts?.generation === undefined ? {} : { generation: refreshCounts.generation }),
    });
  }
  // The tokens of the sign-ins listed, in the list's order (a filtered-out sign-in's tokens leave `sessions` too).
  const sessions = listed.flatMap((t) => viewOf.get(t) ?? []);
  return { sessions, signIns };
}

/**
 * A sessions filter from query parameters (strings) or `mock.sessions()` (`limit` a number): `sub`, `status` (one of
 * SIGN_IN_STATUSES), `limit` (1 to 10,000). Throws InputError naming an unknown or bad one.
 */
export function sessionsFilter(input: Readonly<Record<string, unknown>>): SessionsFilter {
  const filter: { sub?: string; status?: SignInStatus; limit?: number } = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'sub') {
      if (typeof value !== 'string' || value === '') throw new InputError('sub', `sub must be a user's sub, got ${shown(value)}`);
      filter.sub = value;
    } else if (key === 'status') {
      if (!SIGN_IN_STATUSES.includes(value as SignInStatus))
        throw new InputError('status', `status must be one of ${SIGN_IN_STATUSES.join(', ')}, got ${shown(value)}`);
      filter.status = value as SignInStatus;
    } else if (key === 'limit') {
      const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SESSIONS_LIMIT)
        throw new InputError('limit', `limit must be a whole number from 1 to ${MAX_SESSIONS_LIMIT}, got ${shown(value)}`);
      filter.limit = n;
    } else {
      throw new InputError(key, `unknown filter "${key}"; use sub, status, limit`);
    }
  }
  return filter;
}

/** The sign-in id's time, epoch seconds (a UUIDv7's), or undefined. */
function startedSeconds(sid: string): number | undefined {
  const ms = signInStartedAt(sid);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString();
}
