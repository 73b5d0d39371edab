import { randomUUID } from 'node:crypto';
import * as errors from 'jose/errors';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import type { KeySet } from './keys.ts';

/** What a mailed token is for: accepting an invitation, resetting a password. */
export type MailPurpose = 'invitation' | 'password-reset';

/**
 * A mailed token opened: the user it is for and its id, or why it cannot be used. Only an invalid token carries a
 * `reason` (the page's words: "invalid signature", "jwt malformed"); an expired link or one for the other purpose is
 * answered in each operation's own words.
 */
export type MailTokenCheck =
  | { readonly ok: true; readonly userId: string; readonly jti: string }
  | { readonly ok: false; readonly problem: 'invalid'; readonly reason: string }
  | { readonly ok: false; readonly problem: 'expired' | 'other-purpose' };

/** Signs and opens the tokens the mock mails (invitations, password-reset links). */
export type MailTokens = {
  /** A new token for `userId`, its `jti`, living `ttlSeconds` from now. */
  sign(purpose: MailPurpose, userId: string, ttlSeconds: number): Promise<{ token: string; jti: string }>;
  /** Opens a token: its user and id, or `invalid` (not a JWS, a bad signature: the service's `invalid signature`), `expired`, or `other-purpose`. */
  open(purpose: MailPurpose, token: string): Promise<MailTokenCheck>;
};

/**
 * Builds the signer of mailed tokens: JWTs signed with the key set's access key (so replicas sharing `--key-file`
 * verify each other's), `iss` the mock's issuer, `sub` the user's id, a `purpose` claim, no `token_use` (so no
 * operation takes one as a bearer). The service signs its own with the Node `jsonwebtoken` library (its 500 says
 * `JsonWebTokenError: invalid signature`); the mock answers the same for a token it did not sign.
 */
export function createMailTokens(options: { keys: KeySet; issuer: string; clock: () => number }): MailTokens {
  const { keys, issuer, clock } = options;
  return {
    async sign(purpose, userId, ttlSeconds) {
      const jti = randomUUID();
      const now = Math.floor(clock() / 1000);
      const token = await new SignJWT({ purpose })
        .setProtectedHeader({ alg: keys.alg, kid: keys.access.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(userId)
        .setJti(jti)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(keys.access.sign);
      return { token, jti };
    },
    async open(purpose, token) {
      try {
        const { payload } = await jwtVerify(token, keys.access.verify, { algorithms: [keys.alg], issuer, currentDate: new Date(clock()) });
        if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') return { ok: false, problem: 'invalid', reason: 'invalid signature' };
        if (payload.purpose !== purpose) return { ok: false, problem: 'other-purpose' };
        return { ok: true, userId: payload.sub, jti: payload.jti };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, problem: 'expired' };
        return { ok: false, problem: 'invalid', reason: error instanceof errors.JWSSignatureVerificationFailed ? 'invalid signature' : 'jwt malformed' };
      }
    },
  };
}
