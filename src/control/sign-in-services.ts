import { AssertionError } from 'node:assert';
import { MAX_TTL_SECONDS } from '../config/limits.ts';
import { InputError, NotFoundError, shown } from '../errors.ts';
import { isTokenRecord, type TokenRecord } from '../state/records.ts';
import { refreshesView, type SignInRefreshes } from '../state/refresh-records.ts';
import type { Store } from '../state/store.ts';
import { type Claims, type IssueOptions, type Issuer, type SignIn, TOKEN_KINDS, type TokenKind } from '../tokens/issuer.ts';
import { expiredKey, signInKey } from '../tokens/revocation.ts';
import type { SignIns } from '../tokens/sign-ins.ts';
import { isUuid } from '../users/formats.ts';
import { listedTokens, type SessionsFilter, type SessionsView, sessionsView, type TokenView } from './sign-in-history.ts';

/** What `POST /__mock/tokens` and `mock.issueToken()` answer: one sign-in. */
export type IssuedTokens = {
  token: string;
  claims: Claims;
  idToken: string;
  refreshToken: string;
  kind: TokenKind;
};

/**
 * What a caller asks a minted sign-in to be (`POST /__mock/tokens`, `mock.issueToken()`, `worth-auth-mock token`): its
 * user (`sub`), `role` (`custom:role`), lifetime in seconds, kind (a valid token or a canned bad one), extra `claims`
 * of both tokens, and the customer its id token names (`customer_id`, a UUID); or `{ refreshToken }` alone: the next
 * tokens of that sign-in, as a refresh gives them.
 */
export type TokenRequest = {
  readonly sub?: string;
  readonly role?: string;
  readonly ttlSeconds?: number;
  readonly kind?: TokenKind;
  readonly claims?: Record<string, unknown>;
  readonly customer_id?: string;
  readonly refreshToken?: string;
};

/** Which sign-ins' refreshes to list: one sign-in, or only those that stormed. */
export type RefreshesFilter = { readonly sid?: string; readonly stormed?: boolean };

/** The sign-in half of the services: minting, listing, expiring and revoking sign-ins, and their refreshes. */
export type SignInServices = {
  issueToken(input?: unknown): Promise<IssuedTokens>;
  /** The newest `limit` issued tokens (default 500), oldest first, with their status. */
  tokens(limit?: number): Promise<TokenView[]>;
  /**
   * The sign-ins among the newest `limit` issued tokens (default 500), each with its state (`SIGN_IN_STATUSES`), its
   * tokens, refreshes and storms, and those tokens; filtered by `sub` and `status` (see `sessionsFilter`, which
   * validates a filter given as input).
   */
  sessions(filter?: SessionsFilter): Promise<SessionsView>;
  /** Sign-ins' refreshes and storms, ordered by sign-in id (so by when each began), filtered. */
  refreshes(filter?: RefreshesFilter): Promise<SignInRefreshes[]>;
  /** Rejects with an AssertionError naming every sign-in that stormed (how many refreshes, when); resolves when none did. */
  expectNoRefreshStorms(): Promise<void>;
  /** Logs out the sign-in of a token with these claims (its `origin_jti`) as a logout would, without a request: for provider states. */
  revokeSignIn(claims: Claims): Promise<void>;
  /**
   * Expires one sign-in's current id and access tokens now (its refresh token stays valid), for the
   * refresh-on-401 path without moving anyone else's clock. Throws NotFoundError when it has no live token.
   */
  expireSignIn(sid: string): Promise<{ sid: string; expired: string[] }>;
};

/** What the sign-in services need. */
export type SignInServicesDeps = {
  readonly issuer: Issuer;
  readonly signIns: SignIns;
  readonly store: Store;
  /** The verifier's leeway on `exp`: an early expiry outlives it. */
  readonly clockToleranceSeconds: number;
  readonly clock: () => number;
};

const ISSUE_FIELDS = new Set(['sub', 'role', 'customer_id', 'ttlSeconds', 'kind', 'claims', 'refreshToken']);

/** Creates the sign-in services. */
export function createSignInServices(deps: SignInServicesDeps): SignInServices {
  const { issuer, signIns, store, clock } = deps;
  const services: SignInServices = {
    async issueToken(input = {}) {
      const options = parseIssueOptions(input);
      let signIn: SignIn;
      if (options.refreshToken !== undefined) {
        const grant = await issuer.openRefreshToken(options.refreshToken);
        if (!grant) throw new InputError('refreshToken', 'refreshToken is not a refresh token this mock issued');
        if (await store.isRevoked([signInKey(grant.sid)], clock()))
          throw new InputError('refreshToken', 'refreshToken belongs to a sign-in that has logged out');
        signIn = { ...(await issuer.mintFor(grant)), refreshToken: options.refreshToken, kind: 'valid' };
      } else {
        signIn = await issuer.issue(options);
      }
      if (signIn.kind === 'valid' || signIn.kind === 'non-customer') await signIns.record(signIn);
      return { token: signIn.token, claims: signIn.claims, idToken: signIn.idToken, refreshToken: signIn.refreshToken, kind: signIn.kind };
    },

    async tokens(limit) {
      return (await services.sessions(limit === undefined ? {} : { limit })).sessions;
    },

    async sessions(filter = {}) {
      const now = clock();
      const [records, refreshRecords] = await Promise.all([store.listTokens(), store.listRefreshes(now)]);
      const listed = listedTokens(records, filter.limit);
      const sids = [...new Set(listed.map((t) => t.sid))];
      const subs = [...new Set(listed.map((t) => t.sub))];
      // A logout recorded by an older mock has only its revocation: read it while it lasts.
      const [revoked, users] = await Promise.all([
        Promise.all(sids.map(async (sid) => ((await store.isRevoked([signInKey(sid)], now)) ? [sid] : []))),
        Promise.all(subs.map((sub) => store.getUser({ sub }))),
      ]);
      return sessionsView(
        {
          records,
          users: new Map(users.flatMap((user) => (user === undefined ? [] : [[user.sub, user] as const]))),
          revoked: new Set(revoked.flat()),
          refreshes: refreshRecords.map(refreshesView),
          nowMs: now,
          refreshTtlSeconds: signIns.lifetime.refreshTtlSeconds,
        },
        filter,
      );
    },

    async refreshes(filter = {}) {
      const records = await store.listRefreshes(clock(), filter.sid);
      return records.filter((record) => filter.stormed === undefined || record.storms > 0 === filter.stormed).map(refreshesView);
    },

    async expectNoRefreshStorms() {
      const stormed = await services.refreshes({ stormed: true });
      if (stormed.length === 0) return;
      const each = stormed.map(
        ({ sid, refreshes, storms, lastStorm }) =>
          `sign-in ${sid} refreshed ${lastStorm?.refreshes} times from ${lastStorm?.from} to ${lastStorm?.at}` +
          ` (${storms} storm${storms === 1 ? '' : 's'}, ${refreshes} refreshes all told)`,
      );
      throw new AssertionError({
        message: `refresh storm${stormed.length === 1 ? '' : 's'}: ${each.join('; ')}`,
        actual: stormed,
        expected: [],
        operator: 'expectNoRefreshStorms',
      });
    },

    async revokeSignIn(claims) {
      await signIns.revoke(claims);
    },

    async expireSignIn(sid) {
      const now = clock();
      const live = (await store.listTokens()).filter(isTokenRecord).filter((token) => token.sid === sid && token.exp * 1000 > now);
      if (live.length === 0) throw new NotFoundError(`sign-in ${sid.slice(0, 80)} has no live id or access token`);
      // A logged-out sign-in's tokens already answer 401 and its refresh token no longer refreshes: nothing to expire.
      if (await store.isRevoked([signInKey(sid)], now)) throw new NotFoundError(`sign-in ${sid.slice(0, 80)} has logged out: its tokens already answer 401`);
      for (const token of live) await store.revoke(expiredKey(token.jti), token.exp * 1000 + deps.clockToleranceSeconds * 1000, now);
      const expired = live.map((token) => token.jti);
      // Recorded beside the tokens, so the sessions view tells an early expiry from a natural one after the keys are pruned.
      await store.recordTokens([{ event: 'expired-early', sid, sub: (live[0] as TokenRecord).sub, at: now, jtis: expired }]);
      return { sid, expired };
    },
  };
  return services;
}

/** Validates what a caller asks a token to be; throws InputError naming the field. */
export function parseIssueOptions(input: unknown): IssueOptions & { refreshToken?: string } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InputError('body', 'token options must be a JSON object');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!ISSUE_FIELDS.has(key)) throw new InputError(key, `unknown field "${key}"; a token takes ${[...ISSUE_FIELDS].join(', ')}`);
  }
  const out: IssueOptions & { refreshToken?: string } = {};
  for (const field of ['sub', 'role', 'refreshToken'] as const) {
    const v = raw[field];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '' || v.length > 4096) throw new InputError(field, `${field} must be a non-empty string`);
    out[field] = v;
  }
  if (raw.ttlSeconds !== undefined) {
    const v = raw.ttlSeconds;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_TTL_SECONDS)
      throw new InputError('ttlSeconds', `ttlSeconds must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
    out.ttlSeconds = v;
  }
  if (raw.customer_id !== undefined) {
    if (typeof raw.customer_id !== 'string' || !isUuid(raw.customer_id))
      throw new InputError('customer_id', `customer_id must be a UUID, got ${shown(raw.customer_id)}`);
    // The customer rides in the id token, as Worth's services read it (`custom:customer_id`).
    out.idClaims = { 'custom:customer_id': raw.customer_id };
  }
  if (raw.kind !== undefined) {
    if (!TOKEN_KINDS.includes(raw.kind as TokenKind)) throw new InputError('kind', `kind must be one of ${TOKEN_KINDS.join(', ')}, got ${shown(raw.kind)}`);
    out.kind = raw.kind as TokenKind;
  }
  if (raw.claims !== undefined) {
    if (!raw.claims || typeof raw.claims !== 'object' || Array.isArray(raw.claims))
      throw new InputError('claims', 'claims must be a JSON object of extra claims');
    out.claims = raw.claims as Record<string, unknown>;
  }
  if (out.refreshToken !== undefined && Object.keys(raw).length > 1) {
    throw new InputError('refreshToken', 'refreshToken refreshes a sign-in and takes no other field');
  }
  return out;
}
