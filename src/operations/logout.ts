import { createHash } from 'node:crypto';
import { SpecError } from '../errors.ts';
import type { Fault, NetworkFault } from '../faults/fault.ts';
import type { Store } from '../state/store.ts';
import { type Claims, CUSTOMER_ROLE } from '../tokens/issuer.ts';
import type { Verification, Verifier } from '../tokens/token-verifier.ts';

/** The realm named in every `WWW-Authenticate` challenge. */
export const REALM = 'worth-auth-mock';

/** What the app hands the decision: the parts of the request it depends on. */
export type LogoutInput = {
  readonly authorization: string | undefined;
  /** How many `Authorization` headers arrived (more than one is malformed). */
  readonly authorizationCount: number;
  readonly prefer: string | undefined;
  /** `?__code=` and `?__delay=`, for callers that cannot set headers. */
  readonly codeParam: string | null;
  readonly delayParam: string | null;
  /** Why the request is malformed (body, headers), found by the app while reading it. */
  readonly malformed: string | undefined;
  readonly session: string | undefined;
  /** Set when a held (`hang`) request is released: answer as if no fault were armed. */
  readonly skipFaults?: boolean;
};

/** The decision: a documented status with its reason, or a network fault; plus what the journal records. */
export type Outcome = {
  readonly status: number;
  readonly reason: string;
  readonly challenge?: string;
  readonly network?: NetworkFault;
  readonly delayMs: number;
  readonly faultId?: string;
  readonly claims?: Claims;
};

/** What the decision depends on. */
export type LogoutDeps = {
  readonly statuses: readonly number[];
  readonly verifier: Verifier;
  readonly store: Store;
  readonly idempotentLogout: boolean;
  /** A sign-in's revocation lasts until its refresh token expires: `auth_time` + this. */
  readonly refreshTtlSeconds: number;
  /** Leeway the verifier gives `exp`: a revocation must outlive it, or an expired token could log out again. */
  readonly clockToleranceSeconds: number;
  readonly clock: () => number;
};

/** The statuses the decision itself answers with; the spec must document each. */
const DECIDES = [200, 400, 401, 403, 500] as const;
const MAX_DELAY_MS = 10 * 60 * 1000;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const UNPRINTABLE = /[^\x20-\x7e]/;

/** Builds the Customer Logout decision: DESIGN.md's table, in order. */
export function createLogout(deps: LogoutDeps): (input: LogoutInput) => Promise<Outcome> {
  const { statuses, verifier, store, clock } = deps;
  const missing = DECIDES.filter((status) => !statuses.includes(status));
  if (missing.length > 0) throw new SpecError(`the operation must document ${missing.join(', ')}: the logout decision answers with them`);

  return async function decide(input) {
    let delayMs = 0;
    let faultId: string | undefined;
    let claims: Claims | undefined;
    try {
      const bearer = parseBearer(input.authorization);
      const verification = bearer.token === undefined ? undefined : await check(bearer.token);
      if (verification?.ok) claims = verification.claims;
      const now = clock();

      // 1. An armed fault that matches this request.
      const fault: Fault | undefined = input.skipFaults
        ? undefined
        : await store.takeFault({ sub: claims?.sub, sid: claims?.origin_jti, session: input.session }, now);
      if (fault) {
        faultId = fault.id;
        delayMs = fault.delayMs;
        if (fault.network) return { status: 0, reason: `network fault ${fault.network}`, network: fault.network, delayMs, faultId, claims };
        if (fault.status !== null) return withChallenge({ status: fault.status, reason: `fault ${fault.id} armed`, delayMs, faultId, claims });
      }

      // 2. Per-request override.
      const override = parseOverride(input, statuses);
      delayMs += override.delayMs;
      if (override.error) return { status: 400, reason: override.error, delayMs, faultId, claims };
      if (override.code !== undefined) return withChallenge({ status: override.code, reason: `override code=${override.code}`, delayMs, faultId, claims });

      // 3. Malformed request.
      if (input.authorizationCount > 1) return { status: 400, reason: 'more than one Authorization header', delayMs, faultId, claims };
      if (input.malformed) return { status: 400, reason: input.malformed, delayMs, faultId, claims };

      const base = { delayMs, faultId, claims };
      // 4. No credentials.
      if (bearer.token === undefined) return { ...base, status: 401, reason: bearer.missing, challenge: NO_CREDENTIALS };
      // 5. Invalid token.
      if (!verification?.ok) return invalidToken(verification?.reason ?? 'invalid token', base);
      const valid = verification.claims;

      // 6. Revoked.
      const keys = revocationKeys(valid, bearer.token);
      if (await store.isRevoked(keys.all, now)) return revoked(base);
      // 7. Not allowed to use this operation.
      const role = valid['custom:role'];
      if (role !== CUSTOMER_ROLE) {
        const reason =
          role === undefined
            ? 'token has no custom:role claim; only customers may log out'
            : `role "${clean(String(role))}" may not log out; only customers may`;
        return { ...base, status: 403, reason, challenge: challenge('insufficient_scope', reason) };
      }
      // 8. Success: the revocation is stored before the 200 is written.
      if (!(await store.revoke(keys.primary, revokedUntil(valid, keys.signIn, now, deps), now))) return revoked(base);
      return { ...base, status: 200, reason: keys.signIn ? 'logged out: sign-in revoked' : 'logged out: token revoked' };
    } catch (error) {
      // 9. The store failed: the documented 500, never a stack trace.
      return { status: 500, reason: `state store failed: ${clean((error as Error)?.message ?? String(error))}`, delayMs, faultId, claims };
    }
  };

  function check(token: string): Promise<Verification> | Verification {
    if (token === '') return { ok: false, reason: 'bearer token is empty' };
    if (!B64TOKEN.test(token)) return { ok: false, reason: 'bearer token has characters RFC 6750 does not allow' };
    return verifier.verify(token);
  }

  function revoked(base: Pick<Outcome, 'delayMs' | 'faultId' | 'claims'>): Outcome {
    if (deps.idempotentLogout) return { ...base, status: 200, reason: 'already logged out (idempotent logout)' };
    return invalidToken('token has been revoked', base);
  }
}

/** How long a sign-in (or a lone token) must be remembered as logged out, and what that depends on. */
export type RevocationLifetime = Pick<LogoutDeps, 'refreshTtlSeconds' | 'clockToleranceSeconds'>;

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

function invalidToken(reason: string, base: Pick<Outcome, 'delayMs' | 'faultId' | 'claims'>): Outcome {
  return { ...base, status: 401, reason, challenge: challenge('invalid_token', reason) };
}

/** Gives forced 401s and 403s the challenge HTTP requires of them. */
function withChallenge(outcome: Outcome): Outcome {
  if (outcome.status === 401) return { ...outcome, challenge: challenge('invalid_token', outcome.reason) };
  if (outcome.status === 403) return { ...outcome, challenge: challenge('insufficient_scope', outcome.reason) };
  return outcome;
}

/** RFC 6750's answer to a request with no credentials: the realm, and no error. */
const NO_CREDENTIALS = `Bearer realm="${REALM}"`;
/** Challenges already built, by error, then reason (reasons repeat: most are fixed texts). */
const challenges = new Map<string, Map<string, string>>();

function challenge(error: string, description: string): string {
  const text = clean(description); // Bounded (200 characters): a reason may quote what a client sent.
  let byReason = challenges.get(error);
  if (byReason === undefined) {
    byReason = new Map();
    challenges.set(error, byReason);
  }
  let made = byReason.get(text);
  if (made === undefined) {
    made = `Bearer realm="${REALM}", error="${error}", error_description="${text.replace(/["\\]/g, "'")}"`;
    if (byReason.size >= 256) byReason.clear(); // Reasons that quote input (a role, a delay) must not grow it.
    byReason.set(text, made);
  }
  return made;
}

/** Keeps header-safe printable ASCII only, bounded: reasons may quote what a client sent. */
export function clean(text: string): string {
  if (text.length <= 200 && !UNPRINTABLE.test(text)) return text; // The common case, without a copy.
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 200 ? `${ascii.slice(0, 197)}...` : ascii;
}

function parseBearer(header: string | undefined): { token: string; missing?: undefined } | { token?: undefined; missing: string } {
  if (header === undefined || header.trim() === '') return { missing: 'no Authorization header' };
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { missing: `Authorization scheme is not Bearer` };
  const token = space === -1 ? '' : header.slice(space + 1).trim();
  if (token === '') return { token: '' };
  return { token };
}

/** The ids a logout revokes and a check consults: the sign-in, and the token itself. */
function revocationKeys(claims: Claims, token: string): { primary: string; all: string[]; signIn: boolean } {
  const sid = typeof claims.origin_jti === 'string' && claims.origin_jti !== '' ? `sid:${claims.origin_jti}` : undefined;
  const jti = typeof claims.jti === 'string' && claims.jti !== '' ? `jti:${claims.jti}` : `tok:${createHash('sha256').update(token).digest('base64url')}`;
  return { primary: sid ?? jti, all: sid ? [sid, jti] : [jti], signIn: sid !== undefined };
}

type Override = { code?: number; delayMs: number; error?: string };

/** `Prefer: code=NNN, delay=MS` (Prism's convention) and the `?__code=` / `?__delay=` query forms. */
function parseOverride(input: LogoutInput, statuses: readonly number[]): Override {
  let code: string | undefined = input.codeParam ?? undefined;
  let delay: string | undefined = input.delayParam ?? undefined;
  if (input.prefer) {
    for (const part of input.prefer.split(/[,;]/)) {
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      const name = part.slice(0, eq).trim().toLowerCase();
      const value = part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (name === 'code') code ??= value;
      else if (name === 'delay') delay ??= value;
    }
  }
  let delayMs = 0;
  if (delay !== undefined) {
    if (!/^\d{1,7}$/.test(delay) || Number(delay) > MAX_DELAY_MS)
      return { delayMs: 0, error: `delay must be whole milliseconds from 0 to ${MAX_DELAY_MS}, got "${clean(delay)}"` };
    delayMs = Number(delay);
  }
  if (code === undefined) return { delayMs };
  const n = /^\d{3}$/.test(code) ? Number(code) : NaN;
  if (!statuses.includes(n)) return { delayMs, error: `code=${clean(code)} is not documented for this operation; allowed: ${statuses.join(', ')}` };
  return { code: n, delayMs };
}
