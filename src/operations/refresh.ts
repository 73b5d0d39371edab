import { SpecError } from '../errors.ts';
import type { Store } from '../state/store.ts';
import type { Claims, RefreshCheck, RefreshGrant } from '../tokens/issuer.ts';
import { firstSteps } from './first-steps.ts';
import { invalidToken, type Outcome, type OutcomeBase, storeFailed } from './outcome.ts';
import type { OperationRequest } from './request.ts';

/** The new tokens of a refreshed sign-in. */
export type RefreshedTokens = { readonly token: string; readonly claims: Claims; readonly idToken: string };

/** What the refresh decision depends on. */
export type RefreshDeps = {
  readonly statuses: readonly number[];
  /** The spec's 200 example of refresh: its `status` and `message` are the answer's. */
  readonly example: Readonly<Record<string, unknown>>;
  readonly store: Store;
  /** Opens a refresh token (its grant, or why not). */
  readonly check: (token: string) => Promise<RefreshCheck>;
  /** Mints and records the sign-in's next access and id tokens. */
  readonly refresh: (grant: RefreshGrant) => Promise<RefreshedTokens>;
  /** The cookie a sign-in set, read when the body names no token (the service's own web apps send none). */
  readonly cookieName: string;
  readonly clock: () => number;
};

const DECIDES = [200, 400, 401, 500] as const;

/**
 * Builds the Customer Refresh Token decision (spec: `POST /refresh-token/customer`; DESIGN.md "Sign-in and
 * refresh"), in order: armed fault → `Prefer`/`__code` → malformed → no token (400) → unknown, tampered or
 * expired (401) → its sign-in logged out (401) → 200 with the sign-in's new access and id tokens.
 * The token is the JSON body's `refresh_token`, else the refresh cookie. Throws SpecError at build time when
 * the spec does not document a status it answers with.
 */
export function createRefresh(deps: RefreshDeps): (request: OperationRequest) => Promise<Outcome> {
  const { statuses, store, clock } = deps;
  const missing = DECIDES.filter((status) => !statuses.includes(status));
  if (missing.length > 0) throw new SpecError(`refresh must document ${missing.join(', ')}: its decision answers with them`);
  const { status, message } = deps.example;

  return async function decide(request) {
    let base: OutcomeBase = { delayMs: 0 };
    try {
      const body =
        request.json !== null && typeof request.json === 'object' && !Array.isArray(request.json) ? (request.json as Record<string, unknown>) : undefined;
      const given = body?.refresh_token;
      const token = typeof given === 'string' && given !== '' ? given : given === undefined ? request.cookie?.(deps.cookieName) : undefined;
      const opened = token === undefined ? undefined : await deps.check(token);
      const grant = opened?.ok ? opened.grant : undefined;
      const now = clock();

      // 1–2. An armed fault for refresh (sub and sid known once the token opens); a per-request override.
      const fault = request.skipFaults
        ? undefined
        : await store.takeFault({ operation: 'refresh', sub: grant?.sub, sid: grant?.sid, session: request.session }, now);
      const first = firstSteps(fault, request, statuses);
      base = first.base;
      if (first.outcome) return first.outcome;

      // 3. Malformed: a body over the limit, declared JSON but not parsing, not JSON, not an object, or a token that is not a string.
      if (request.malformed) return { ...base, status: 400, reason: request.malformed };
      if (request.hasBody && request.json === undefined)
        return { ...base, status: 400, reason: 'body must be JSON (Content-Type: application/json): { "refresh_token" }' };
      if (request.json !== undefined && body === undefined) return { ...base, status: 400, reason: 'body must be a JSON object { "refresh_token" }' };
      if (given !== undefined && typeof given !== 'string') return { ...base, status: 400, reason: 'refresh_token must be a string' };

      // 4. No refresh token.
      if (token === undefined)
        return { ...base, status: 400, reason: `no refresh token: send { "refresh_token": "<token>" } or the ${deps.cookieName} cookie sign-in set` };
      // 5. Unknown, tampered or expired.
      if (!opened?.ok) return invalidToken(opened?.reason ?? 'refresh token is not valid', base);
      const known = grant as RefreshGrant;
      // 6. Its sign-in has logged out.
      if (await store.isRevoked([`sid:${known.sid}`], now)) return invalidToken('refresh token has been revoked: its sign-in logged out', base);

      // 7. Success: the same sign-in's next tokens.
      const tokens = await deps.refresh(known);
      return {
        ...base,
        claims: tokens.claims,
        status: 200,
        reason: `refreshed sign-in ${known.sid}`,
        body: { status, message, data: { access_token: tokens.token, id_token: tokens.idToken } },
      };
    } catch (error) {
      // The store failed: the documented 500, never a stack trace.
      return storeFailed(error, base);
    }
  };
}
