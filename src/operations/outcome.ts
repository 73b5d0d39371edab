import type { NetworkFault } from '../faults/fault.ts';
import { bearerChallenge } from '../tokens/challenge.ts';
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
  readonly claims?: Claims;
};

/** What every outcome of one request carries whatever its status. */
export type OutcomeBase = Pick<Outcome, 'delayMs' | 'faultId' | 'claims'>;

/** A 401 for a token that is not valid, with its `invalid_token` challenge. */
export function invalidToken(reason: string, base: OutcomeBase): Outcome {
  return { ...base, status: 401, reason, challenge: bearerChallenge('invalid_token', reason) };
}
