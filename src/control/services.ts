import { InputError, shown } from '../errors.ts';
import { type Fault, parseFault } from '../faults/fault.ts';
import type { HangRegistry } from '../faults/network.ts';
import { revokedUntil } from '../operations/revocation.ts';
import type { JournalEntry, JournalFilter } from '../state/journal.ts';
import type { Store, TokenRecord } from '../state/store.ts';
import { type Claims, type IssueOptions, type Issuer, type SignIn, TOKEN_KINDS, type TokenKind } from '../tokens/issuer.ts';
import type { TokenVerifier } from '../tokens/token-verifier.ts';

/** What `POST /__mock/tokens` and `mock.issueToken()` answer: one sign-in. */
export type IssuedTokens = {
  token: string;
  claims: Claims;
  idToken: string;
  refreshToken: string;
  kind: TokenKind;
};

/** A sign-in's token as listed by `sessions()`. */
export type SessionView = TokenRecord & { status: 'active' | 'logged-out' | 'expired' };

/** The operations behind the control API and the programmatic API: one implementation for both. */
export type Services = {
  issueToken(input?: unknown): Promise<IssuedTokens>;
  /** The newest `limit` issued tokens (default 500), oldest first, with their status. */
  sessions(limit?: number): Promise<SessionView[]>;
  armFault(input: unknown): Promise<Fault>;
  faults(): Promise<Fault[]>;
  /** Logs out the sign-in of a token with these claims (its `origin_jti`) as a logout would, without a request: for provider states. */
  revokeSignIn(claims: Claims): Promise<void>;
  /** Clears one fault (false if unknown) or, without an id, all (the count). */
  clearFaults(id?: string): Promise<number>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  clearRequests(): Promise<void>;
  reset(): Promise<void>;
};

/** What createServices needs. */
export type ServicesDeps = {
  issuer: Issuer;
  verifier: TokenVerifier;
  store: Store;
  hangs: HangRegistry;
  statuses: readonly number[];
  seed: number;
  /** The verifier's leeway on `exp`: a revocation outlives it (see `revokedUntil`). */
  clockToleranceSeconds: number;
  clock: () => number;
};

const ISSUE_FIELDS = new Set(['sub', 'role', 'ttlSeconds', 'kind', 'claims', 'refreshToken']);

/** Creates the services. */
export function createServices(deps: ServicesDeps): Services {
  const { issuer, verifier, store, hangs, clock } = deps;
  let faultsArmed = 0;

  async function record(signIn: SignIn): Promise<void> {
    verifier.remember(signIn);
    const of = (claims: Claims): TokenRecord => ({
      jti: claims.jti,
      sid: claims.origin_jti,
      sub: claims.sub,
      tokenUse: claims.token_use,
      role: String(claims['custom:role'] ?? ''),
      kind: signIn.kind,
      iat: Number(claims.iat),
      exp: Number(claims.exp),
    });
    await store.recordTokens([of(signIn.claims), of(signIn.idClaims)]);
  }

  return {
    async issueToken(input = {}) {
      const options = parseIssueOptions(input);
      let signIn: SignIn;
      if (options.refreshToken !== undefined) {
        const grant = await issuer.openRefreshToken(options.refreshToken);
        if (!grant) throw new InputError('refreshToken', 'refreshToken is not a refresh token this mock issued');
        if (await store.isRevoked([`sid:${grant.sid}`], clock())) throw new InputError('refreshToken', 'refreshToken belongs to a sign-in that has logged out');
        signIn = (await issuer.refresh(options.refreshToken)).signIn;
      } else {
        signIn = await issuer.issue(options);
      }
      if (signIn.kind === 'valid' || signIn.kind === 'non-customer') await record(signIn);
      return { token: signIn.token, claims: signIn.claims, idToken: signIn.idToken, refreshToken: signIn.refreshToken, kind: signIn.kind };
    },

    async sessions(limit = 500) {
      const now = clock();
      const all = await store.listTokens();
      const records = all.slice(Math.max(0, all.length - limit));
      return Promise.all(
        records.map(async (r): Promise<SessionView> => {
          const revoked = await store.isRevoked([`sid:${r.sid}`, `jti:${r.jti}`], now);
          return { ...r, status: revoked ? 'logged-out' : r.exp * 1000 <= now ? 'expired' : 'active' };
        }),
      );
    },

    async armFault(input) {
      const fault = parseFault(input, { statuses: deps.statuses, now: clock(), seed: deps.seed + faultsArmed });
      faultsArmed += 1;
      await store.addFault(fault);
      return fault;
    },

    faults: () => store.listFaults(clock()),

    async revokeSignIn(claims) {
      const now = clock();
      await store.revoke(
        `sid:${claims.origin_jti}`,
        revokedUntil(claims, true, now, { refreshTtlSeconds: issuer.refreshTtlSeconds, clockToleranceSeconds: deps.clockToleranceSeconds }),
        now,
      );
    },

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
    clearRequests: () => store.clearRequests(),

    async reset() {
      // Default seeds restart too, so a scenario armed after a reset draws the same sequence every time.
      faultsArmed = 0;
      hangs.releaseAll();
      verifier.forget();
      await store.reset();
    },
  };
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
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10 * 365 * 24 * 3600)
      throw new InputError('ttlSeconds', `ttlSeconds must be a whole number of seconds from 1 to ${10 * 365 * 24 * 3600}`);
    out.ttlSeconds = v;
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
