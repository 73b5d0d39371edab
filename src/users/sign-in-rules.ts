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
