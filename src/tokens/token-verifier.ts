import { createHmac, KeyObject, timingSafeEqual, verify as verifySignatureNatively } from 'node:crypto';
import type { CryptoKey, JWSHeaderParameters, JWTPayload } from 'jose';
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import type { Algorithm } from '../config/config.ts';
import type { Claims, SignIn } from './issuer.ts';
import { type KeySet, keyProblem } from './keys.ts';
import { MintedTokens } from './minted-tokens.ts';
import { clockProblem, numericDateProblem, timeProblem } from './numeric-date.ts';

/** The outcome of checking a bearer token: its claims, or why it is not valid (never echoing the token). */
export type TokenCheck = { readonly ok: true; readonly claims: Claims } | { readonly ok: false; readonly reason: string };

/** Checks bearer tokens: those this process minted by their exact string, any other with real crypto. */
export type TokenVerifier = {
  verify(token: string): Promise<TokenCheck>;
  /**
   * A token this process minted, checked at once by its exact string (its times only: the signature is ours);
   * undefined for any other token, which `verify` checks.
   */
  known(token: string): TokenCheck | undefined;
  /** Lets the tokens of a sign-in skip signature checks (their string is known). */
  remember(signIn: Pick<SignIn, 'token' | 'claims' | 'idToken' | 'idClaims'>): void;
  forget(): void;
};

/** What createTokenVerifier needs. */
export type TokenVerifierOptions = {
  keys: KeySet;
  issuer: string;
  clientId: string;
  clockToleranceSeconds: number;
  clock: () => number;
  /** How many minted tokens to know by string at most (oldest forgotten first: they fall back to crypto). */
  rememberAtMost?: number;
  /** Check common signatures with node:crypto (default true); false sends every token through jwtVerify. */
  nativeSignatures?: boolean;
  /** True for a string that is one of our refresh tokens. */
  isRefreshToken: (token: string) => Promise<boolean>;
};

/** Creates the verifier. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { keys, issuer, clientId, clock } = options;
  const tolerance = options.clockToleranceSeconds;
  const minted = new MintedTokens<Valid>(options.rememberAtMost ?? 10_000);
  const byKid = new Map([keys.access, keys.id].map((key) => [key.kid, key.verify]));
  const checkNatively = options.nativeSignatures === false ? new Map<string, NativeCheck>() : nativeChecker(keys);
  const commonPath: CommonPath = { alg: keys.alg, issuer, clientId, tolerance, checkNatively };

  /**
   * Every check of the claims, in one order for every path: the issuer (jose checks it first), the NumericDate
   * claims' form, then time (nbf, exp, iat at `nowMs`), then what the token is for.
   */
  function checkClaims(claims: JWTPayload, nowMs: number): string | undefined {
    if (claims.iss !== issuer) return 'token issuer is not this mock';
    return numericDateProblem(claims) ?? timeProblem(claims, nowMs, tolerance) ?? useProblem(claims, clientId);
  }

  async function verifySignature(token: string, nowMs: number): Promise<TokenCheck> {
    const common = verifyCommon(token, nowMs, commonPath);
    if (common) return common;
    const parts = token.split('.');
    if (parts.length === 5) {
      return { ok: false, reason: (await options.isRefreshToken(token)) ? 'a refresh token is not a bearer token' : 'token is a JWE, not a signed JWT' };
    }
    if (parts.length !== 3) return { ok: false, reason: 'token is not a JWT (expected three dot-separated parts)' };
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: [keys.alg],
        issuer,
        clockTolerance: tolerance,
        currentDate: new Date(nowMs),
      });
      const reason = checkClaims(payload, nowMs);
      return reason ? { ok: false, reason } : { ok: true, claims: payload as Claims };
    } catch (error) {
      // jose refused a claim of a correctly signed token: name what is wrong with it as the other path does
      // (jose says "iat" for an iat that is a string, where the problem is its type, not its time).
      const signed = error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired ? error.payload : undefined;
      return { ok: false, reason: (signed && checkClaims(signed, nowMs)) ?? reasonOf(error) };
    }
  }

  function getKey(header: JWSHeaderParameters) {
    if (typeof header.kid !== 'string') throw new errors.JWKSNoMatchingKey('token header has no kid');
    const key = byKid.get(header.kid);
    if (!key) throw new errors.JWKSNoMatchingKey("token kid is not one of the mock's keys");
    return key;
  }

  function known(token: string, nowMs: number = clock()): TokenCheck | undefined {
    const valid = minted.find(token);
    if (valid === undefined) return undefined;
    const reason = clockProblem(nowMs) ?? timeProblem(valid.claims, nowMs, tolerance);
    return reason ? { ok: false, reason } : valid;
  }

  return {
    async verify(token) {
      // One reading of the clock per token; a clock that tells no valid time refuses every token, on every path.
      const nowMs = clock();
      const broken = clockProblem(nowMs);
      if (broken) return { ok: false, reason: broken };
      return known(token, nowMs) ?? verifySignature(token, nowMs);
    },
    known,
    remember(signIn) {
      for (const [token, claims] of [
        [signIn.token, signIn.claims],
        [signIn.idToken, signIn.idClaims],
      ] as const) {
        // Claims asked for at minting may be ones the signature path refuses (token_use, iss, types):
        // such a token is checked like any other, so the decision never depends on who minted it.
        if (!plain(claims, issuer, clientId)) continue;
        // One frozen answer per token: a check of it allocates nothing.
        minted.add(token, Object.freeze({ ok: true, claims: Object.freeze(claims) }));
      }
    },
    forget() {
      minted.clear();
    },
  };
}

/** What the common path checks a token against: the key set's alg, the issuer, the client, the leeway, the native checks. */
type CommonPath = {
  readonly alg: Algorithm;
  readonly issuer: string;
  readonly clientId: string;
  readonly tolerance: number;
  readonly checkNatively: Map<string, NativeCheck>;
};

/**
 * The common case without jose: a token whose header is just our alg, one of our kids and typ JWT, in strict
 * base64url, with claims of the plain shape. Its signature is checked with node:crypto in one synchronous call,
 * where jose goes through WebCrypto (a thread-pool job and promises: ~60% more CPU per token; the bench's
 * verify path). Anything else — other header fields, odd encodings, unusual claims — is left to jwtVerify
 * (undefined), so every refusal keeps jose's checks and reasons.
 */
function verifyCommon(token: string, nowMs: number, path: CommonPath): TokenCheck | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first === -1 || second === -1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const [header, payload, signature] = [token.slice(0, first), token.slice(first + 1, second), token.slice(second + 1)];
  if (!strictBase64url(header) || !strictBase64url(payload) || !strictBase64url(signature)) return undefined;
  const fields = parseObject(header);
  if (!fields || !ourHeader(fields, path.alg)) return undefined;
  const key = path.checkNatively.get(fields.kid as string);
  if (!key) return undefined;
  if (!key(`${header}.${payload}`, Buffer.from(signature, 'base64url'))) return { ok: false, reason: 'token signature is invalid' };
  const claims = parseObject(payload);
  if (!claims || !plain(claims, path.issuer, path.clientId)) return undefined;
  // plain() has checked everything checkClaims does but time.
  const reason = timeProblem(claims, nowMs, path.tolerance);
  return reason ? { ok: false, reason } : { ok: true, claims: claims as Claims };
}

function ourHeader(fields: Record<string, unknown>, alg: Algorithm): boolean {
  for (const name in fields) if (name !== 'alg' && name !== 'kid' && name !== 'typ') return false;
  return fields.alg === alg && typeof fields.kid === 'string' && (fields.typ === undefined || fields.typ === 'JWT');
}

/** True for claims that pass every check the signature path makes besides time. */
function plain(claims: JWTPayload, issuer: string, clientId: string): boolean {
  const aud = claims.aud;
  return (
    claims.iss === issuer &&
    typeof claims.iat === 'number' &&
    numericDateProblem(claims) === undefined &&
    (aud === undefined || typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) &&
    (claims.jti === undefined || typeof claims.jti === 'string') &&
    useProblem(claims, clientId) === undefined
  );
}

/** Why a token is not one a bearer may be (its `token_use`, `sub`, an id token's audience), or undefined. */
function useProblem(claims: JWTPayload, clientId: string): string | undefined {
  const use = claims.token_use;
  if (use !== 'access' && use !== 'id') return `token_use ${JSON.stringify(use ?? null)} is not accepted: send an access or id token`;
  if (typeof claims.sub !== 'string' || claims.sub === '') return 'token has no sub claim';
  if (use === 'id' && claims.aud !== clientId && !(Array.isArray(claims.aud) && claims.aud.includes(clientId)))
    return 'id token audience does not match the client';
  return undefined;
}

/** A minted token's answer when its times pass. */
type Valid = TokenCheck & { readonly ok: true };

/** Checks a signature over `input`, for one key. */
type NativeCheck = (input: string, signature: Buffer) => boolean;

/** Per kid, the signature check of node:crypto for the key set's alg; only for keys jose would use itself. */
function nativeChecker(keys: KeySet): Map<string, NativeCheck> {
  const checks = new Map<string, NativeCheck>();
  for (const { kid, verify } of [keys.access, keys.id]) if (keyProblem(keys.alg, verify) === undefined) checks.set(kid, nativeCheck(keys.alg, verify));
  return checks;
}

function nativeCheck(alg: Algorithm, key: CryptoKey | Uint8Array): NativeCheck {
  if (alg === 'HS256') {
    const secret = Buffer.from(key as Uint8Array);
    return (input, signature) => {
      const expected = createHmac('sha256', secret).update(input).digest();
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    };
  }
  const publicKey = KeyObject.from(key as CryptoKey);
  // JWS carries an ECDSA signature as r‖s (IEEE P1363), not DER.
  const options = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  // node:crypto answers false for a signature of any size (none throws: the fuzz suite sends every length).
  return (input, signature) => verifySignatureNatively('sha256', Buffer.from(input), options, signature);
}

/** Unpadded base64url whose length can be a whole encoding (jose refuses the rest: they go its way). */
function strictBase64url(part: string): boolean {
  return part.length > 0 && part.length % 4 !== 1 && /^[A-Za-z0-9_-]+$/.test(part);
}

/** Refuses invalid UTF-8, as jose does (Buffer#toString would replace it and let the token through). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON object a base64url part encodes, or undefined. */
function parseObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(part, 'base64url')));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A short reason for a failed verification; jose's messages name claims, never the token. A claim jose refuses
 * (iss, exp, nbf, iat) never gets here: checkClaims checks each of them and names it first.
 */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token alg is not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return error.message;
  if (error instanceof errors.JOSENotSupported) return `token uses an unsupported feature: ${error.message}`;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return `token is malformed: ${error.message}`;
  return 'token could not be verified';
}
