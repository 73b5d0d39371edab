import type { UserRecord } from '../state/records.ts';
import { signInStartedAt } from '../tokens/issuer.ts';

/**
 * Why a sign-in of `user` no longer holds, or undefined when it does: one rule for every token and refresh token of
 * it, on every operation and every replica (the store is where the user's state lives). A user removed by an
 * operator, or deactivated (`status: INACTIVE`), has no live sign-in; a sign-in that began before the user's
 * `signInsFrom` (set by a deactivation, kept when it is lifted, and by a password reset) is over. A token of no user
 * (`POST /__mock/tokens` for a `sub` no user has) is not a user's: nothing ends it but its own logout and expiry.
 */
export function signInEnded(user: UserRecord | undefined, sid: string): string | undefined {
  if (user === undefined) return undefined;
  if (user.status === 'REMOVED') return 'its user was removed';
  if (user.status === 'INACTIVE') return 'its user is deactivated';
  if (user.signInsFrom === undefined) return undefined;
  const started = signInStartedAt(sid);
  return started === undefined || started < user.signInsFrom ? 'its sign-in ended when the user was deactivated or reset its password' : undefined;
}

/**
 * The `signInsFrom` that ends every sign-in `user` has at `now` (a deactivation, a password reset, a removal): past
 * `now` and past the one it had, so it also ends the sign-ins begun since the last ending when the clock has not moved
 * on (a new sign-in begins at its user's `signInsFrom` at the earliest: see `SignIns.start`).
 */
export function signInsEndAt(user: Pick<UserRecord, 'signInsFrom'>, now: number): number {
  return Math.max(now, user.signInsFrom ?? now) + 1;
}
