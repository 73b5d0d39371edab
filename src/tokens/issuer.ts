import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
// jose by subpath: its index loads every module it has (remote JWKS, all of JWE…), ~17 ms of start-up.
import * as base64url from 'jose/base64url';
import { jwtDecrypt } from 'jose/jwt/decrypt';
import { EncryptJWT } from 'jose/jwt/encrypt';
import { SignJWT } from 'jose/jwt/sign';
import { v7 as uuidv7 } from 'uuid';
import { InputError } from '../errors.ts';
import type { KeySet, SigningKey } from './keys.ts';
import { NUMERIC_DATE_CLAIMS } from './numeric-date.ts';

export { TOKEN_KINDS, type TokenKind } from './token-kinds.ts';

import type { TokenKind } from './token-kinds.ts';

/** The role that may log out. */
export const CUSTOMER_ROLE = 'customer';

/** Claims of an issued token (Cognito-shaped; extra claims may be merged in). */
export type Claims = JWTPayload & {
  sub: string;
  jti: string;
  origin_jti: string;
  token_use: 'access' | 'id';
  'custom:role'?: string;
  [claim: string]: unknown;
};

/** What the caller may ask for when minting. */
export type IssueOptions = {
  sub?: string;
  role?: string;
  ttlSeconds?: number;
  kind?: TokenKind;
  /** Extra claims of both tokens, merged in as given. */
  claims?: Record<string, unknown>;
  /** Extra claims of the id token only (Cognito puts a user's attributes there: `email`, `custom:customer_id`, …). */
  idClaims?: Record<string, unknown>;
};

/** One sign-in: the access token (`token`, the logout bearer) and its claims, with the id and refresh tokens beside it. */
export type SignIn = {
  token: string;
  claims: Claims;
  idToken: string;
  idClaims: Claims;
  refreshToken: string;
  kind: TokenKind;
};

/**
 * What a refresh token seals: enough to mint the sign-in's next tokens; with rotation, which of the sign-in's refresh
 * tokens it is (`generation`: 0, or absent, for the one sign-in gave; each rotation one more).
 */
export type RefreshGrant = {
  sid: string;
  sub: string;
  role: string;
  claims: Record<string, unknown>;
  idClaims?: Record<string, unknown>;
  authTime: number;
  generation?: number;
};

/** Mints Cognito-shaped tokens with the mock's keys, on an injected clock. */
export type Issuer = {
  /** `iss` of good tokens. */
  readonly issuer: string;
  /** How long a sign-in's refresh token lives, in seconds: a logout must outlast it (no refresh after logout). */
  readonly refreshTtlSeconds: number;
  /** How long the id and access tokens it mints live by default (and always when refreshed), in seconds. */
  readonly ttlSeconds: number;
  /**
   * Mints one sign-in; extra `claims` are merged in as given, malformed ones too (test input for a client). Throws
   * InputError (`role`; `claims.exp` and the other NumericDate claims when a number is not finite: no JWT carries it).
   * `startsAt` (epoch ms) is the earliest its sign-in id may say it began (a user's `signInsFrom`, which may be ahead of
   * this clock: a clock that stands still, another replica's clock moved forward).
   */
  issue(options?: IssueOptions, startsAt?: number): Promise<SignIn>;
  /** Opens a refresh token, or undefined when it is not one of ours. */
  openRefreshToken(token: string): Promise<RefreshGrant | undefined>;
  /** Opens a refresh token: its grant, or why it cannot be used (expired by the clock, or not one of ours: unknown or tampered). */
  checkRefreshToken(token: string): Promise<RefreshCheck>;
  /** New access and id tokens of an opened grant's sign-in: same `origin_jti` and `auth_time`, new `jti`, `iat`/`exp` renewed. */
  mintFor(grant: RefreshGrant): Promise<Omit<SignIn, 'refreshToken' | 'kind'>>;
  /** A refresh token of the grant's sign-in and generation (rotation): it expires with the sign-in's first one (`auth_time` + refresh ttl). */
  sealRefresh(grant: RefreshGrant): Promise<string>;
};

/** A refresh token opened: its grant, or the reason it was refused (never quoting the token). */
export type RefreshCheck = { readonly ok: true; readonly grant: RefreshGrant } | { readonly ok: false; readonly reason: string };

/** What createIssuer needs. */
export type IssuerOptions = {
  keys: KeySet;
  issuer: string;
  clientId: string;
  ttlSeconds: number;
  refreshTtlSeconds: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  clock: () => number;
};

const WRONG_ISSUER = 'https://wrong-issuer.invalid/';

/** Creates the issuer. */
export function createIssuer(options: IssuerOptions): Issuer {
  const { keys, issuer, clientId, clock } = options;

  async function mint(grant: RefreshGrant, kind: TokenKind, ttl: number): Promise<Omit<SignIn, 'refreshToken' | 'kind'>> {
    const { access, id } = claimsOf(grant, kind, ttl, Math.floor(clock() / 1000), kind === 'wrong-issuer' ? WRONG_ISSUER : issuer, clientId);
    const [token, idToken] = await Promise.all([sign(access, keys.access, kind), sign(id, keys.id, kind)]);
    return { token, claims: access, idToken, idClaims: id };
  }

  async function sign(claims: Claims, key: SigningKey, kind: TokenKind): Promise<string> {
    if (kind === 'alg-none') {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid: key.kid }));
      return `${header}.${base64url.encode(JSON.stringify(claims))}.`;
    }
    const jwt = await new SignJWT(claims).setProtectedHeader({ alg: keys.alg, kid: key.kid, typ: 'JWT' }).sign(key.sign);
    return kind === 'bad-signature' ? corruptSignature(jwt) : jwt;
  }

  async function seal(grant: RefreshGrant): Promise<string> {
    return new EncryptJWT({
      sid: grant.sid,
      sub: grant.sub,
      role: grant.role,
      claims: grant.claims,
      id_claims: grant.idClaims ?? {},
      auth_time: grant.authTime,
      // Only a rotated token says which it is: without rotation, refresh tokens carry what they always did.
      ...(grant.generation ? { gen: grant.generation } : {}),
    })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' })
      .setIssuedAt(grant.authTime)
      .setExpirationTime(grant.authTime + options.refreshTtlSeconds)
      .encrypt(keys.refreshSecret);
  }

  async function checkRefreshToken(token: string): Promise<RefreshCheck> {
    try {
      const { payload } = await jwtDecrypt(token, keys.refreshSecret, { currentDate: new Date(clock()) });
      const { sid, sub, role, claims, id_claims: idClaims, auth_time: authTime, gen } = payload as Record<string, unknown>;
      // The mock seals each of these (`gen` only once rotated, a whole number from 1): a token missing one, or with a
      // `gen` it never wrote, was sealed by someone else holding the key file.
      if (
        typeof sid !== 'string' ||
        typeof sub !== 'string' ||
        typeof role !== 'string' ||
        typeof authTime !== 'number' ||
        !(gen === undefined || isGeneration(gen))
      ) {
        return { ok: false, reason: 'refresh token is not one this mock issued' };
      }
      const object = (value: unknown) => (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      return { ok: true, grant: { sid, sub, role, authTime, claims: object(claims), idClaims: object(idClaims), generation: gen ?? 0 } };
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') return { ok: false, reason: 'refresh token has expired' };
      return { ok: false, reason: 'refresh token is not one this mock issued (unknown or tampered)' };
    }
  }

  async function openRefreshToken(token: string): Promise<RefreshGrant | undefined> {
    const check = await checkRefreshToken(token);
    return check.ok ? check.grant : undefined;
  }

  return {
    issuer,
    refreshTtlSeconds: options.refreshTtlSeconds,
    ttlSeconds: options.ttlSeconds,
    async issue(input: IssueOptions = {}, startsAt?: number) {
      const kind = input.kind ?? 'valid';
      const ttl = input.ttlSeconds ?? options.ttlSeconds;
      const role = input.role ?? (kind === 'non-customer' ? 'admin' : CUSTOMER_ROLE);
      if (kind === 'non-customer' && role === CUSTOMER_ROLE) throw new InputError('role', `kind "non-customer" needs a role other than "${CUSTOMER_ROLE}"`);
      // Any value a caller asks for is minted as it is (a malformed exp is a fine test input), except one no JWT can carry.
      for (const name of NUMERIC_DATE_CLAIMS) {
        const value = input.claims?.[name];
        if (typeof value === 'number' && !Number.isFinite(value))
          throw new InputError(`claims.${name}`, `claims.${name} must be a finite number: a JWT cannot carry ${value}`);
      }
      const grant: RefreshGrant = {
        sid: newSignInId(Math.max(clock(), startsAt ?? 0)),
        sub: input.sub ?? randomUUID(),
        role,
        claims: input.claims ?? {},
        idClaims: input.idClaims ?? {},
        authTime: Math.floor(clock() / 1000),
      };
      const [tokens, refreshToken] = await Promise.all([mint(grant, kind, ttl), seal(grant)]);
      return { ...tokens, refreshToken, token: kind === 'refresh-as-bearer' ? refreshToken : tokens.token, kind };
    },
    openRefreshToken,
    checkRefreshToken,
    mintFor: (grant) => mint(grant, 'valid', options.ttlSeconds),
    sealRefresh: seal,
  };
}

/**
 * The claims of a sign-in's access and id tokens, as Cognito shapes them (the id token also carries the user's
 * attributes: `grant.idClaims`), at `now` (epoch seconds) for `ttl` seconds; an `expired` kind's times lie in the past
 * and a `not-yet-valid` one's `nbf` an hour ahead.
 */
function claimsOf(grant: RefreshGrant, kind: TokenKind, ttl: number, now: number, iss: string, clientId: string): { access: Claims; id: Claims } {
  const times =
    kind === 'expired'
      ? { iat: now - ttl - 120, exp: now - 120, auth_time: grant.authTime - ttl - 120 }
      : { iat: now, exp: now + ttl, auth_time: grant.authTime, ...(kind === 'not-yet-valid' ? { nbf: now + 3600 } : {}) };
  const claims = { ...grant.claims };
  const access: Claims = {
    sub: grant.sub,
    iss,
    client_id: clientId,
    origin_jti: grant.sid,
    event_id: randomUUID(),
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    ...times,
    jti: randomUUID(),
    username: grant.sub,
    'custom:role': grant.role,
    ...claims,
  };
  const id: Claims = {
    sub: grant.sub,
    iss,
    aud: clientId,
    token_use: 'id',
    origin_jti: grant.sid,
    event_id: access.event_id,
    'cognito:username': grant.sub,
    'custom:id': grant.sub,
    email: `${grant.sub}@customers.example.test`,
    email_verified: true,
    given_name: 'Test',
    family_name: 'Customer',
    ...times,
    jti: randomUUID(),
    'custom:role': grant.role,
    ...claims,
    ...grant.idClaims,
  };
  return { access, id };
}

/**
 * A new sign-in id (`origin_jti`): a UUID version 7 (RFC 9562 §5.7), whose first 48 bits are the epoch millisecond it
 * was made, on the mock's clock, so a sign-in's start can be told apart from a deactivation's to the millisecond.
 */
function newSignInId(nowMs: number): string {
  return uuidv7({ msecs: Math.max(0, Math.floor(nowMs)) });
}

/** When a sign-in began, epoch ms, from its id (a UUID v7 the mock made); undefined for any other id (an earlier version's, a test's own). */
export function signInStartedAt(sid: string): number | undefined {
  if (sid.length !== 36 || sid[14] !== '7') return undefined;
  const ms = Number.parseInt(`${sid.slice(0, 8)}${sid.slice(9, 13)}`, 16);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A rotation's number as a refresh token carries it (`gen`): a whole number from 1. */
function isGeneration(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** Flips one bit of the signature: still base64url, same length, no longer valid. */
function corruptSignature(jwt: string): string {
  const dot = jwt.lastIndexOf('.');
  const signature = base64url.decode(jwt.slice(dot + 1));
  signature[0] = (signature[0] ?? 0) ^ 0x01;
  return `${jwt.slice(0, dot + 1)}${base64url.encode(signature)}`;
}
