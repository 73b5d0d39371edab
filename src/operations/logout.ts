import { headerSafe, SpecError } from '../errors.ts';
import type { Store } from '../state/store.ts';
import { bearerSyntaxProblem, readBearer } from '../tokens/bearer.ts';
import { bearerChallenge, NO_CREDENTIALS_CHALLENGE } from '../tokens/challenge.ts';
import { type Claims, CUSTOMER_ROLE } from '../tokens/issuer.ts';
import type { TokenCheck, TokenVerifier } from '../tokens/token-verifier.ts';
import { firstSteps } from './first-steps.ts';
import { invalidToken, type Outcome, type OutcomeBase, storeFailed } from './outcome.ts';
import type { OperationRequest } from './request.ts';
import { type RevocationLifetime, revocationKeys, revokedUntil } from './revocation.ts';

/** What the logout decision reads of a request (every operation reads the same). */
export type LogoutInput = OperationRequest;

/** What the decision depends on. */
export type LogoutDeps = RevocationLifetime & {
  readonly statuses: readonly number[];
  readonly verifier: TokenVerifier;
  readonly store: Store;
  readonly idempotentLogout: boolean;
  readonly clock: () => number;
};

/** The statuses the decision itself answers with; the spec must document each. */
const DECIDES = [200, 400, 401, 403, 500] as const;

/**
 * Builds the Customer Logout decision (DESIGN.md's table, in order; spec: `POST /customer/logout`).
 * Throws SpecError at build time when the spec does not document a status the decision answers with.
 */
export function createLogout(deps: LogoutDeps): (input: LogoutInput) => Promise<Outcome> {
  const { statuses, verifier, store, clock } = deps;
  const missing = DECIDES.filter((status) => !statuses.includes(status));
  if (missing.length > 0) throw new SpecError(`the operation must document ${missing.join(', ')}: the logout decision answers with them`);

  return async function decide(input) {
    let claims: Claims | undefined;
    let base: OutcomeBase = { delayMs: 0 };
    try {
      const bearer = readBearer(input.authorization);
      let check = bearer.token === undefined ? undefined : checkToken(bearer.token);
      if (check instanceof Promise) check = await check; // a token the mock minted is checked at once, without a turn
      if (check?.ok) claims = check.claims;
      const now = clock();

      // 1–2. An armed fault that matches this request; a per-request override.
      const fault = input.skipFaults
        ? undefined
        : await store.takeFault({ operation: 'logout', sub: claims?.sub, sid: claims?.origin_jti, session: input.session }, now);
      const first = firstSteps(fault, input, statuses, { claims });
      base = first.base;
      if (first.outcome) return first.outcome;

      // 3. Malformed request.
      if (input.authorizationCount > 1) return { ...base, status: 400, reason: 'more than one Authorization header' };
      if (input.malformed) return { ...base, status: 400, reason: input.malformed };

      // 4. No credentials.
      if (bearer.token === undefined) return { ...base, status: 401, reason: bearer.missing, challenge: NO_CREDENTIALS_CHALLENGE };
      // 5. Invalid token.
      if (!check?.ok) return invalidToken(check?.reason ?? 'invalid token', base);
      const valid = check.claims;

      // 6. Revoked.
      const keys = revocationKeys(valid, bearer.token);
      const hit = await store.firstRevoked(keys.checked, now);
      if (hit !== undefined) return hit === keys.expired ? invalidToken('token has expired (its sign-in was expired on request)', base) : revoked(base);
      // 7. Not allowed to use this operation.
      const role = valid['custom:role'];
      if (role !== CUSTOMER_ROLE) {
        const reason =
          role === undefined
            ? 'token has no custom:role claim; only customers may log out'
            : `role "${headerSafe(String(role))}" may not log out; only customers may`;
        return { ...base, status: 403, reason, challenge: bearerChallenge('insufficient_scope', reason) };
      }
      // 8. Success: the revocation is stored before the 200 is written.
      if (!(await store.revoke(keys.primary, revokedUntil(valid, keys.signIn, now, deps), now))) return revoked(base);
      return { ...base, status: 200, reason: keys.signIn ? 'logged out: sign-in revoked' : 'logged out: token revoked' };
    } catch (error) {
      // 9. The store failed: the documented 500, never a stack trace.
      return storeFailed(error, { ...base, claims });
    }
  };

  function checkToken(token: string): Promise<TokenCheck> | TokenCheck {
    // A token the mock minted is known by its exact string: no syntax or signature to check (a ~1 KB scan each).
    const known = verifier.known(token);
    if (known !== undefined) return known;
    const problem = bearerSyntaxProblem(token);
    return problem === undefined ? verifier.verify(token) : { ok: false, reason: problem };
  }

  function revoked(base: OutcomeBase): Outcome {
    if (deps.idempotentLogout) return { ...base, status: 200, reason: 'already logged out (idempotent logout)' };
    return invalidToken('token has been revoked', base);
  }
}
