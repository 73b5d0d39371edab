import { createHash } from 'node:crypto';
import type { Claims } from '../tokens/issuer.ts';

/** How long a sign-in (or a lone token) must be remembered as logged out, and what that depends on. */
export type RevocationLifetime = {
  /** A sign-in's revocation lasts until its refresh token expires: `auth_time` + this, in seconds. */
  readonly refreshTtlSeconds: number;
  /** Leeway the token verifier gives `exp`, in seconds: a revocation must outlive it. */
  readonly clockToleranceSeconds: number;
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
 * Until when (epoch ms) a logout of the token with these claims is remembered: past its `exp`, and for a
 * sign-in until its refresh token expires (`auth_time` + refresh ttl, never later than one refresh ttl from
 * now), by when every token of it, refreshed ones too, has expired; plus the leeway the verifier gives `exp`,
 * or an expired token could log out again.
 */
export function revokedUntil(claims: Claims, signIn: boolean, nowMs: number, lifetime: RevocationLifetime): number {
  const expMs = typeof claims.exp === 'number' ? claims.exp * 1000 : nowMs;
  const latestMs = nowMs + lifetime.refreshTtlSeconds * 1000;
  const refreshEndMs = typeof claims.auth_time === 'number' ? Math.min((claims.auth_time + lifetime.refreshTtlSeconds) * 1000, latestMs) : latestMs;
  return Math.max(expMs, signIn ? refreshEndMs : nowMs + 1000) + lifetime.clockToleranceSeconds * 1000;
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
  const sid = typeof claims.origin_jti === 'string' && claims.origin_jti !== '' ? `sid:${claims.origin_jti}` : undefined;
  const jti = typeof claims.jti === 'string' && claims.jti !== '' ? `jti:${claims.jti}` : `tok:${createHash('sha256').update(token).digest('base64url')}`;
  const all = sid ? [sid, jti] : [jti];
  const expired = typeof claims.jti === 'string' && claims.jti !== '' ? expiredKey(claims.jti) : undefined;
  const checked = expired === undefined ? all : [...all, expired];
  return Object.freeze({ primary: sid ?? jti, all: Object.freeze(all), checked: Object.freeze(checked), expired, signIn: sid !== undefined });
}

/** The key that marks one token expired ahead of its `exp` (`POST /__mock/sessions/{sid}/expire`). */
export function expiredKey(jti: string): string {
  return `expired:jti:${jti}`;
}
