import { jwtVerify, errors, type JWSHeaderParameters, type JWTPayload } from 'jose';
import type { KeySet } from './keys.ts';
import type { Claims, SignIn } from './tokens.ts';

/** The outcome of checking a bearer token: its claims, or why it is not valid (never echoing the token). */
export type Verification = { readonly ok: true; readonly claims: Claims } | { readonly ok: false; readonly reason: string };

/** Checks bearer tokens: those this process minted by their exact string, any other with real crypto. */
export type Verifier = {
  verify(token: string): Promise<Verification>;
  /** Lets the tokens of a sign-in skip signature checks (their string is known). */
  remember(signIn: Pick<SignIn, 'token' | 'claims' | 'idToken' | 'idClaims'>): void;
  forget(): void;
};

/** What createVerifier needs. */
export type VerifierOptions = {
  keys: KeySet;
  issuer: string;
  clientId: string;
  clockToleranceSeconds: number;
  clock: () => number;
  /** How many minted tokens to know by string at most (oldest forgotten first: they fall back to crypto). */
  rememberAtMost?: number;
  /** True for a string that is one of our refresh tokens. */
  isRefreshToken: (token: string) => Promise<boolean>;
};

/** Creates the verifier. */
export function createVerifier(options: VerifierOptions): Verifier {
  const { keys, issuer, clientId, clock } = options;
  const tolerance = options.clockToleranceSeconds;
  const limit = options.rememberAtMost ?? 10_000;
  const minted = new Map<string, Claims>();
  const byKid = new Map([keys.access, keys.id].map((key) => [key.kid, key.verify]));

  function checkTimes(claims: JWTPayload): string | undefined {
    const now = Math.floor(clock() / 1000);
    if (typeof claims.exp === 'number' && claims.exp <= now - tolerance) return 'token expired';
    if (typeof claims.nbf === 'number' && claims.nbf > now + tolerance) return 'token is not yet valid (nbf)';
    if (typeof claims.iat === 'number' && claims.iat > now + tolerance) return 'token was issued in the future (iat)';
    return undefined;
  }

  function checkUse(claims: JWTPayload): string | undefined {
    const use = claims.token_use;
    if (use !== 'access' && use !== 'id') return `token_use ${JSON.stringify(use ?? null)} is not accepted: send an access or id token`;
    if (typeof claims.sub !== 'string' || claims.sub === '') return 'token has no sub claim';
    if (use === 'id' && claims.aud !== clientId && !(Array.isArray(claims.aud) && claims.aud.includes(clientId))) return 'id token audience does not match the client';
    return undefined;
  }

  async function verifySignature(token: string): Promise<Verification> {
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
        currentDate: new Date(clock()),
      });
      const reason = checkTimes(payload) ?? checkUse(payload);
      return reason ? { ok: false, reason } : { ok: true, claims: payload as Claims };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  }

  function getKey(header: JWSHeaderParameters) {
    if (typeof header.kid !== 'string') throw new errors.JWKSNoMatchingKey('token header has no kid');
    const key = byKid.get(header.kid);
    if (!key) throw new errors.JWKSNoMatchingKey('token kid is not one of the mock\'s keys');
    return key;
  }

  /** True for claims that pass every check the signature path makes besides time. */
  function plain(claims: JWTPayload): boolean {
    const aud = claims.aud;
    return (
      claims.iss === issuer &&
      typeof claims.exp === 'number' &&
      typeof claims.iat === 'number' &&
      (claims.nbf === undefined || typeof claims.nbf === 'number') &&
      (aud === undefined || typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) &&
      (claims.jti === undefined || typeof claims.jti === 'string') &&
      checkUse(claims) === undefined
    );
  }

  return {
    async verify(token) {
      const claims = minted.get(token);
      if (claims) {
        const reason = checkTimes(claims);
        return reason ? { ok: false, reason } : { ok: true, claims };
      }
      return verifySignature(token);
    },
    remember(signIn) {
      for (const [token, claims] of [
        [signIn.token, signIn.claims],
        [signIn.idToken, signIn.idClaims],
      ] as const) {
        // Claims asked for at minting may be ones the signature path refuses (token_use, iss, types):
        // such a token is checked like any other, so the decision never depends on who minted it.
        if (!plain(claims)) continue;
        if (minted.size >= limit) minted.delete(minted.keys().next().value as string);
        minted.set(token, Object.freeze(claims));
      }
    },
    forget() {
      minted.clear();
    },
  };
}

/** A short reason for a failed verification; jose's messages name claims, never the token. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'token issuer is not this mock';
    if (error.claim === 'nbf') return 'token is not yet valid (nbf)';
    if (error.claim === 'iat') return 'token was issued in the future (iat)';
    return `token claim ${error.claim} is invalid: ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token alg is not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return error.message;
  if (error instanceof errors.JOSENotSupported) return `token uses an unsupported feature: ${error.message}`;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return `token is malformed: ${error.message}`;
  return 'token could not be verified';
}
