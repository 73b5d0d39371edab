import { AssertionError } from 'node:assert';
import { MAX_TTL_SECONDS } from '../config/limits.ts';
import { InputError, NotFoundError, shown } from '../errors.ts';
import { type Fault, type FaultTargets, parseFault } from '../faults/fault.ts';
import type { HangRegistry } from '../faults/network.ts';
import { type ArmedFault, scopeWarnings, withWarnings } from '../faults/scope-warnings.ts';
import type { JournalEntry, JournalFilter } from '../state/journal.ts';
import type { MockClock } from '../state/mock-clock.ts';
import { isTokenRecord, MESSAGE_KINDS, type MessageKind, type OutboxFilter, type OutboxMessage, type TokenRecord } from '../state/records.ts';
import { refreshesView, type SignInRefreshes } from '../state/refresh-records.ts';
import type { Store } from '../state/store.ts';
import { type Claims, type IssueOptions, type Issuer, type SignIn, TOKEN_KINDS, type TokenKind } from '../tokens/issuer.ts';
import { expiredKey, signInKey } from '../tokens/revocation.ts';
import type { SignIns } from '../tokens/sign-ins.ts';
import type { TokenVerifier } from '../tokens/token-verifier.ts';
import { isUuid } from '../users/formats.ts';
import type { UserDirectory } from '../users/user-directory.ts';
import { listedTokens, type SessionsFilter, type SessionsView, sessionsView, type TokenView } from './sign-in-history.ts';

/** What `POST /__mock/tokens` and `mock.issueToken()` answer: one sign-in. */
export type IssuedTokens = {
  token: string;
  claims: Claims;
  idToken: string;
  refreshToken: string;
  kind: TokenKind;
};

export type { SessionsFilter, SessionsView, SignInStatus, SignInView, TokenView } from './sign-in-history.ts';

/** Which sign-ins' refreshes to list: one sign-in, or only those that stormed. */
export type RefreshesFilter = { readonly sid?: string; readonly stormed?: boolean };

/** The operations behind the control API and the programmatic API: one implementation for both. */
export type Services = {
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
  /** Arms a fault (throws InputError naming the field); `warnings` say when its scope matches no known sign-in or customer. */
  armFault(input: unknown): Promise<ArmedFault>;
  faults(): Promise<Fault[]>;
  /** Logs out the sign-in of a token with these claims (its `origin_jti`) as a logout would, without a request: for provider states. */
  revokeSignIn(claims: Claims): Promise<void>;
  /** The operations the mock serves, by name (what a fault's `match.operation` and the journal's `operation` name). */
  readonly operations: readonly string[];
  /** Clears one fault (false if unknown) or, without an id, all (the count). */
  clearFaults(id?: string): Promise<number>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** What the service would have mailed, oldest first (filtered by recipient, in any case, and kind); rejects with InputError naming a bad filter. */
  outbox(filter?: OutboxFilter): Promise<OutboxMessage[]>;
  clearRequests(): Promise<void>;
  /** Forgets tokens, revocations, faults, the journal and runtime users; sets the clock back; keeps seed users. */
  reset(): Promise<void>;
  /** The users who can sign in. */
  readonly users: UserDirectory;
  /** The mock's time: `{ now, offsetSeconds }`, and `advance(seconds)` (whole seconds, 1 to 10 years; throws InputError). */
  clock(): ClockView;
  advanceClock(input: unknown): Promise<ClockView>;
  /**
   * Expires one sign-in's current id and access tokens now (its refresh token stays valid), for the
   * refresh-on-401 path without moving anyone else's clock. Throws NotFoundError when it has no live token.
   */
  expireSignIn(sid: string): Promise<{ sid: string; expired: string[] }>;
};

/** The mock's clock as the control API shows it. */
export type ClockView = { now: string; offsetSeconds: number };

/** What createServices needs. */
export type ServicesDeps = {
  issuer: Issuer;
  verifier: TokenVerifier;
  signIns: SignIns;
  store: Store;
  hangs: HangRegistry;
  /** Every operation the mock serves, by name: what a fault may target, answer with and be scoped by. */
  targets: FaultTargets;
  seed: number;
  users: UserDirectory;
  mockClock: MockClock;
  /** The verifier's leeway on `exp`: an early expiry outlives it. */
  clockToleranceSeconds: number;
  clock: () => number;
};

const ISSUE_FIELDS = new Set(['sub', 'role', 'customer_id', 'ttlSeconds', 'kind', 'claims', 'refreshToken']);

/** Creates the services. */
export function createServices(deps: ServicesDeps): Services {
  const { issuer, verifier, signIns, store, hangs, clock } = deps;
  let faultsArmed = 0;
  const clockView = (): ClockView => ({ now: new Date(clock()).toISOString(), offsetSeconds: deps.mockClock.offsetSeconds() });

  const services: Services = {
    async issueToken(input = {}) {
      const options = parseIssueOptions(input);
      let signIn: SignIn;
      if (options.refreshToken !== undefined) {
        const grant = await issuer.openRefreshToken(options.refreshToken);
        if (!grant) throw new InputError('refreshToken', 'refreshToken is not a refresh token this mock issued');
        if (await store.isRevoked([signInKey(grant.sid)], clock()))
          throw new InputError('refreshToken', 'refreshToken belongs to a sign-in that has logged out');
        signIn = (await issuer.refresh(options.refreshToken)).signIn;
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

    async armFault(input) {
      const fault = parseFault(input, { targets: deps.targets, now: clock(), seed: deps.seed + faultsArmed });
      faultsArmed += 1;
      await store.addFault(fault);
      // A hang armed with a ttl lets its held requests go when it expires, as it leaves `fault list`.
      if (fault.network === 'hang' && fault.expiresAt !== null) hangs.releaseAfter(fault.id, fault.expiresAt - clock());
      if (fault.match.sid === undefined && fault.match.sub === undefined) return fault;
      const [tokens, users] = await Promise.all([store.listTokens(), store.listUsers()]);
      const known = { sids: new Set(tokens.map((t) => t.sid)), subs: new Set([...tokens.map((t) => t.sub), ...users.map((u) => u.sub)]) };
      return withWarnings(fault, scopeWarnings(fault.match, known));
    },

    faults: () => store.listFaults(clock()),

    async revokeSignIn(claims) {
      await signIns.revoke(claims);
    },

    operations: [...deps.targets.keys()],

    async clearFaults(id) {
      if (id === undefined) {
        hangs.releaseAll();
        return store.clearFaults();
      }
      // A hang whose ttl has passed is no longer stored but may still hold requests: releasing them is clearing it.
      const released = hangs.release(id);
      return (await store.removeFault(id)) || released > 0 ? 1 : 0;
    },

    requests: (filter = {}) => store.listRequests(filter),
    outbox: async (filter = {}) => store.listMessages(outboxFilter(filter)),
    clearRequests: () => store.clearRequests(),

    users: deps.users,

    clock: () => clockView(),

    async advanceClock(input) {
      const raw = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
      if (!raw) throw new InputError('body', 'a clock change is a JSON object { "advanceSeconds": n }');
      for (const key of Object.keys(raw)) if (key !== 'advanceSeconds') throw new InputError(key, `unknown field "${key}"; the clock takes advanceSeconds`);
      const seconds = raw.advanceSeconds;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TTL_SECONDS) {
        throw new InputError('advanceSeconds', `advanceSeconds must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${shown(seconds)}`);
      }
      deps.mockClock.advance(seconds);
      return clockView();
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

    async reset() {
      // Default seeds restart too, so a scenario armed after a reset draws the same sequence every time.
      faultsArmed = 0;
      hangs.releaseAll();
      verifier.forget();
      deps.mockClock.reset();
      await store.reset();
      await deps.users.seed();
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

/**
 * An outbox filter as the store compares it, whether from `?recipient=&kind=` or `mock.outbox()`: the recipient
 * trimmed and lower-cased (as emails are kept); throws InputError naming `recipient` or `kind` when it is not one.
 */
export function outboxFilter(input: { readonly recipient?: unknown; readonly kind?: unknown }): OutboxFilter {
  const filter: { recipient?: string; kind?: MessageKind } = {};
  if (input.recipient !== undefined) {
    if (typeof input.recipient !== 'string') throw new InputError('recipient', `recipient must be an email, got ${shown(input.recipient)}`);
    filter.recipient = input.recipient.trim().toLowerCase();
  }
  if (input.kind !== undefined) {
    if (!MESSAGE_KINDS.includes(input.kind as MessageKind))
      throw new InputError('kind', `kind must be one of ${MESSAGE_KINDS.join(', ')}, got ${shown(input.kind)}`);
    filter.kind = input.kind as MessageKind;
  }
  return filter;
}
