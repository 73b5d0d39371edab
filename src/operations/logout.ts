import { headerSafe } from '../errors.ts';
import { bearerChallenge } from '../tokens/challenge.ts';
import { CUSTOMER_ROLE } from '../tokens/issuer.ts';
import type { Operation } from './operation.ts';
import { invalidToken, type Outcome, type OutcomeBase } from './outcome.ts';
import { clearedRefreshCookie, refreshCookieAt } from './sign-in.ts';

/**
 * Customer Logout (spec: operationId `logout`, `POST /customer/logout`, bearer). After the shared steps (fault,
 * override, malformed, authentication), its own: a valid token of a user who is not a customer (`custom:role`) → 403
 * `insufficient_scope`; else 200, the sign-in (`origin_jti`; the token alone when it has none) revoked until every
 * token of it has expired, stored before the 200 is written, and the sign-in's logout recorded beside its tokens
 * (the sessions view tells it after the revocation is pruned). Of two logouts racing on one sign-in exactly one gets 200.
 * `--idempotent-logout`: a logged-out sign-in's token answers 200 instead of 401. Each 200 clears the refresh cookie
 * (`Set-Cookie: <--refresh-cookie>=; Max-Age=0`, with the Path, HttpOnly and SameSite sign-in gave it).
 */
export const logout = {
  name: 'logout' as const,
  decides: [200, 400, 401, 403, 500],
  body: 'json',
  scopes: ['sub', 'sid', 'customer'],
  create({ config, signIns, basePath }) {
    // Its 200 takes the refresh cookie back (the one sign-in set: same name and path), so a browser app forgets it.
    const cookies = [clearedRefreshCookie(refreshCookieAt(config.refreshCookie, basePath))];
    const repeated = (base: OutcomeBase): Outcome =>
      config.idempotentLogout
        ? { ...base, status: 200, reason: 'already logged out (idempotent logout)', cookies }
        : invalidToken('token has been revoked', base);
    return {
      revoked: repeated,
      async decide(_request, { base, caller }) {
        const { claims, keys } = caller!;
        const role = claims['custom:role'];
        if (role !== CUSTOMER_ROLE) {
          const reason =
            role === undefined
              ? 'token has no custom:role claim; only customers may log out'
              : `role "${headerSafe(String(role))}" may not log out; only customers may`;
          return { ...base, status: 403, reason, challenge: bearerChallenge('insufficient_scope', reason) };
        }
        if (!(await signIns.logOut(claims, keys))) return repeated(base);
        return { ...base, status: 200, reason: keys.signIn ? 'logged out: sign-in revoked' : 'logged out: token revoked', cookies };
      },
    };
  },
} satisfies Operation;
