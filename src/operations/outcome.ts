import type { Body } from '../contract/bodies.ts';
import { headerSafe } from '../errors.ts';
import type { NetworkFault } from '../faults/fault.ts';
import { bearerChallenge, challengeForStatus } from '../tokens/challenge.ts';
import type { Claims } from '../tokens/issuer.ts';

/**
 * A contract operation's decision: a documented status with its reason (and the RFC 6750 challenge a 401
 * or 403 carries), or a network fault; plus what the journal records (fault, claims).
 */
export type Outcome = {
  readonly status: number;
  readonly reason: string;
  readonly challenge?: string;
  readonly network?: NetworkFault;
  /** Milliseconds to wait before answering (a fault's or the request's own `delay`). */
  readonly delayMs: number;
  readonly faultId?: string;
  /** The token's claims (logout, refresh) or the new sign-in's access claims (sign-in): the journal's sub, jti and sid. */
  readonly claims?: Claims;
  /** The email a sign-in named (the journal keeps it; never the password). */
  readonly email?: string;
  /**
   * The `message` the spec's example for `status` carries in this answer, where the example states another reason
   * (create's 400 says the email is taken; this one is about its subrole). Its other fields stay the example's.
   */
  readonly message?: string;
  /** The answer's body when it is not the spec's example for `status` (a sign-in's or refresh's 200). */
  readonly body?: unknown;
  /** `Set-Cookie` values of the answer (the refresh-token cookie a sign-in sets). */
  readonly cookies?: readonly string[];
  /** The answer's body ready to write (a mounted document's answer, made when it was mounted), instead of `body`. */
  readonly payload?: Body;
  /** More headers of the answer, as flat name/value pairs (a mounted document's captured headers). */
  readonly headers?: readonly string[];
};

/** What every outcome of one request carries whatever its status. */
export type OutcomeBase = Pick<Outcome, 'delayMs' | 'faultId' | 'claims' | 'email'>;

/** A 401 for a token that is not valid, with its `invalid_token` challenge. */
export function invalidToken(reason: string, base: OutcomeBase): Outcome {
  return { ...base, status: 401, reason, challenge: bearerChallenge('invalid_token', reason) };
}

/** A status forced by a fault or an override, with the challenge HTTP requires of a 401 or 403. */
export function forced(status: number, reason: string, base: OutcomeBase): Outcome {
  const challenge = challengeForStatus(status, reason);
  return challenge === undefined ? { ...base, status, reason } : { ...base, status, reason, challenge };
}

/** The documented 500 for a store that failed (disk, Redis), its message bounded and header-safe: never a stack trace. */
export function storeFailed(error: unknown, base: OutcomeBase): Outcome {
  return { ...base, status: 500, reason: `state store failed: ${headerSafe((error as Error)?.message ?? String(error))}` };
}
