import type { LogoutCause, SignInEvent, TokenRecord, UserRecord } from '../state/records.ts';
import type { Store } from '../state/store.ts';
import type { Claims, Issuer, RefreshGrant, SignIn } from './issuer.ts';
import { type RevocationKeys, type RevocationLifetime, revokedUntil, signInKey } from './revocation.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** The new id and access tokens of a refreshed sign-in. */
export type RefreshedTokens = Pick<SignIn, 'token' | 'claims' | 'idToken' | 'idClaims'>;

/**
 * Sign-ins as the mock keeps them: each new one minted and recorded (the verifier then knows its tokens by string, the
 * store lists them), refreshed within the same `origin_jti`, revoked as a logout revokes them. What sign-in, refresh,
 * `POST /__mock/tokens` and the provider states share, so a token is the same whichever way it was made.
 */
export type SignIns = {
  /** How long a revocation lasts (the tokens' and refresh token's lifetimes, the verifier's leeway). */
  readonly lifetime: RevocationLifetime;
  /** Starts a new sign-in of `user` (a new `origin_jti`, never before its `signInsFrom`): its id, access and refresh tokens, recorded. */
  start(user: UserRecord): Promise<SignIn>;
  /** The next id and access tokens of an opened refresh grant's sign-in (same `origin_jti` and `auth_time`), recorded. */
  refresh(grant: RefreshGrant): Promise<RefreshedTokens>;
  /** Records a sign-in minted elsewhere (`POST /__mock/tokens`): the verifier knows its tokens, the store lists them. */
  record(signIn: Pick<SignIn, 'token' | 'claims' | 'idToken' | 'idClaims' | 'kind'>): Promise<void>;
  /**
   * Logs out what a token with these claims and revocation keys belongs to (Customer Logout): its whole sign-in
   * (`keys.primary` is `sid:<origin_jti>`) or, for a token of no sign-in, the token alone, until every token it could
   * still get has expired; then, for a sign-in, records that it logged out (a `logged-out` event beside its tokens, which
   * outlives the revocation). Resolves false when it already was logged out (nothing recorded).
   */
  logOut(claims: Claims, keys: Pick<RevocationKeys, 'primary' | 'signIn'>): Promise<boolean>;
  /** Logs out the whole sign-in of a token with these claims (`sid:<origin_jti>`) as a logout does, by an operator (provider states); resolves false when it already was. */
  revoke(claims: Claims): Promise<boolean>;
  /** Logs out the whole sign-in an opened refresh grant belongs to (a reused refresh token, `--refresh-reuse revoke`), as a logout does. */
  revokeGrant(grant: RefreshGrant): Promise<boolean>;
};

/** What createSignIns needs. */
export type SignInsDeps = {
  readonly issuer: Issuer;
  readonly verifier: TokenVerifier;
  readonly store: Store;
  readonly clockToleranceSeconds: number;
  readonly clock: () => number;
};

/** Builds the sign-ins over the issuer, the verifier and the store. */
export function createSignIns(deps: SignInsDeps): SignIns {
  const { issuer, verifier, store, clock } = deps;
  const lifetime: RevocationLifetime = {
    refreshTtlSeconds: issuer.refreshTtlSeconds,
    tokenTtlSeconds: issuer.ttlSeconds,
    clockToleranceSeconds: deps.clockToleranceSeconds,
  };

  async function record(signIn: Pick<SignIn, 'token' | 'claims' | 'idToken' | 'idClaims' | 'kind'>): Promise<void> {
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
      ...(typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) ? { authTime: claims.auth_time } : {}),
    });
    await store.recordTokens([of(signIn.claims), of(signIn.idClaims)]);
  }

  return {
    lifetime,
    async start(user) {
      const signIn = await issuer.issue(
        {
          sub: user.sub,
          role: user.role,
          // The user's attributes ride in the id token, as Cognito puts them; Worth's services read the customer there.
          idClaims: {
            'custom:id': user.id,
            'custom:customer_id': user.customerId,
            email: user.email,
            email_verified: user.isEmailVerified,
            given_name: user.givenName,
            family_name: user.familyName,
          },
        },
        // A sign-in never begins before the user's `signInsFrom`: one that follows a deactivation or a reset lives even
        // when the clock has not moved on (a frozen test clock, the same millisecond, another replica's clock ahead).
        user.signInsFrom,
      );
      await record(signIn);
      return signIn;
    },
    async refresh(grant) {
      const minted = await issuer.mintFor(grant);
      await record({ ...minted, kind: 'valid' });
      return minted;
    },
    record,
    logOut(claims, keys) {
      return end(claims, keys.primary, keys.signIn, 'logout');
    },
    revoke(claims) {
      return end(claims, signInKey(claims.origin_jti), true, 'operator');
    },
    revokeGrant(grant) {
      // Until every token the sign-in could still mint has expired: its refresh lifetime from auth_time, as a logout's.
      const claims = { sub: grant.sub, jti: '', origin_jti: grant.sid, token_use: 'access', auth_time: grant.authTime, exp: grant.authTime } as const;
      return end(claims, signInKey(grant.sid), true, 'refresh-reuse');
    },
  };

  /**
   * Revokes `key` (a sign-in's when `signIn`) for as long as `revokedUntil` says; the call that revoked it first then
   * records the sign-in's `logged-out` event (after the revocation: the event never says more than is enforced).
   */
  async function end(claims: Claims, key: string, signIn: boolean, by: LogoutCause): Promise<boolean> {
    const now = clock();
    if (!(await store.revoke(key, revokedUntil(claims, signIn, now, lifetime), now))) return false;
    if (signIn) {
      const event: SignInEvent = { event: 'logged-out', sid: claims.origin_jti, sub: claims.sub, at: now, by };
      await store.recordTokens([event]);
    }
    return true;
  }
}
