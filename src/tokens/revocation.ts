import { createHash } from 'node:crypto';
import type { Claims } from './issuer.ts';
import { isNumericDate, LATEST_NUMERIC_DATE, refusedFromMs } from './numeric-date.ts';

/** How long a sign-in (or a lone token) must be remembered as logged out, and what that depends on. */
export type RevocationLifetime = {
  /** A sign-in's revocation lasts until its refresh token expires: `auth_time` + this, in seconds. */
  readonly refreshTtlSeconds: number;
  /** Leeway the token verifier gives `exp`, in seconds: a revocation must outlive it. */
  readonly clockToleranceSeconds: number;
  /**
   * Lifetime of the id and access tokens a refresh mints, in seconds: one refreshed at the refresh token's last
   * moment lives this much longer, so a sign-in's revocation does too (absent: 0).
   */
  readonly tokenTtlSeconds?: number;
};

/**
 * The revocation keys a logout writes and a check reads: `sid:<origin_jti>` for the sign-in, `jti:`/`tok:` for the
 * token; `checked` adds the token's early-expiry key (`expired:jti:`), last, so a revocation is reported first.
 */
export type RevocationKeys = {
  readonly primary: string;
  readonly all: readonly string[];
  readonly checked: readonly string[];
  readonly expired: string | undefined;
  readonly signIn: boolean;
};

/**
 * Until when (epoch ms, always a finite whole number) a logout of the token with these claims is remembered: up to
 * the first moment the verifier refuses the token as expired (its `exp` plus the leeway, see `refusedFromMs`), and
 * for a sign-in until every token a refresh can still mint has expired (`auth_time` + refresh ttl, never later than one
 * refresh ttl from now, plus one token ttl for a token refreshed at the last moment); at least a second from now. A claim that is not a valid NumericDate (the
 * verifier refuses such tokens; a caller may still pass one) counts as "as long as the mock remembers anything":
 * one refresh ttl from now. Whatever the claims, the time is one every store keeps as it is (JSON, a Redis TTL).
 */
export function revokedUntil(claims: Claims, signIn: boolean, nowMs: number, lifetime: RevocationLifetime): number {
  const latestMs = nowMs + lifetime.refreshTtlSeconds * 1000;
  const presentableMs = isNumericDate(claims.exp) ? refusedFromMs(claims.exp, lifetime.clockToleranceSeconds) : latestMs;
  const refreshEndMs =
    (isNumericDate(claims.auth_time) ? Math.min((claims.auth_time + lifetime.refreshTtlSeconds) * 1000, latestMs) : latestMs) +
    ((lifetime.tokenTtlSeconds ?? 0) + lifetime.clockToleranceSeconds) * 1000;
  const until = Math.ceil(Math.max(presentableMs, signIn ? refreshEndMs : 0, nowMs + 1000));
  // Only a clock that tells no time gets here (the verifier refuses every token then): remember as long as can be.
  return Number.isFinite(until) ? until : LATEST_NUMERIC_DATE * 1000;
}

/** The keys of the claims of tokens the mock minted (frozen, one object per token), made once each. */
const keysOfMinted = new WeakMap<Claims, RevocationKeys>();

/**
 * The keys a logout revokes and a check consults: the sign-in (`origin_jti`), and the token itself (`jti`, else its
 * hash). For a token the mock minted (its claims frozen), the same strings every time: a Map hashes a string once.
 */
export function revocationKeys(claims: Claims, token: string): RevocationKeys {
  if (!Object.isFrozen(claims)) return keysOf(claims, token);
  let keys = keysOfMinted.get(claims);
  if (keys === undefined) {
    keys = keysOf(claims, token);
    keysOfMinted.set(claims, keys);
  }
  return keys;
}

function keysOf(claims: Claims, token: string): RevocationKeys {
  const sid = typeof claims.origin_jti === 'string' && claims.origin_jti !== '' ? signInKey(claims.origin_jti) : undefined;
  const jti = typeof claims.jti === 'string' && claims.jti !== '' ? tokenKey(claims.jti) : `tok:${createHash('sha256').update(token).digest('base64url')}`;
  const all = sid ? [sid, jti] : [jti];
  const expired = typeof claims.jti === 'string' && claims.jti !== '' ? expiredKey(claims.jti) : undefined;
  const checked = expired === undefined ? all : [...all, expired];
  return Object.freeze({ primary: sid ?? jti, all: Object.freeze(all), checked: Object.freeze(checked), expired, signIn: sid !== undefined });
}

/** The revocation key of a whole sign-in (every token of it, and its refresh token): `sid:<origin_jti>`. */
export function signInKey(sid: string): string {
  return `sid:${sid}`;
}

/** The revocation key of one token, by its `jti`: `jti:<jti>`. */
export function tokenKey(jti: string): string {
  return `jti:${jti}`;
}

/** The key that marks one token expired ahead of its `exp` (`POST /__mock/sessions/{sid}/expire`). */
export function expiredKey(jti: string): string {
  return `expired:jti:${jti}`;
}
