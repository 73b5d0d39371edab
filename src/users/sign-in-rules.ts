import type { SignInsEndedBy, UserRecord } from '../state/records.ts';
import { signInStartedAt } from '../tokens/issuer.ts';

/**
 * Why a sign-in of `user` no longer holds, or undefined when it does: one rule for every token and refresh token of
 * it, on every operation and every replica (the store is where the user's state lives). A user removed by an
 * operator, or deactivated (`status: INACTIVE`), has no live sign-in; a sign-in that began before the user's
 * `signInsFrom` (set by a deactivation, kept when it is lifted, and by a password reset) is over. A token of no user
 * (`POST /__mock/tokens` for a `sub` no user has) is not a user's: nothing ends it but its own logout and expiry.
 */
export function signInEnded(user: UserRecord | undefined, sid: string): string | undefined {
  const ending = signInEnding(user, sid);
  if (ending === undefined || user === undefined) return undefined;
  if (user.status === 'REMOVED') return 'its user was removed';
  if (user.status === 'INACTIVE') return 'its user is deactivated';
  return ending === 'password-reset'
    ? 'its sign-in ended when the user reset its password'
    : ending === 'removal'
      ? 'its sign-in ended when its user was removed'
      : user.signInsEndedBy === 'deactivation'
        ? 'its sign-in ended when the user was deactivated'
        : 'its sign-in ended when the user was deactivated or reset its password';
}

/**
 * What ended a sign-in of `user` (the rule of `signInEnded`), or undefined when it holds: `removal` for a removed user,
 * `deactivation` for a deactivated one, else what set the `signInsFrom` it began before (`deactivation` for a record
 * that does not say: a deactivation lifted since, or a reset, set it).
 */
export function signInEnding(user: UserRecord | undefined, sid: string): SignInsEndedBy | undefined {
  if (user === undefined) return undefined;
  if (user.status === 'REMOVED') return 'removal';
  if (user.status === 'INACTIVE') return 'deactivation';
  if (user.signInsFrom === undefined) return undefined;
  const started = signInStartedAt(sid);
  return started === undefined || started < user.signInsFrom ? (user.signInsEndedBy ?? 'deactivation') : undefined;
}

/**
 * The `signInsFrom` that ends every sign-in `user` has at `now` (a deactivation, a password reset, a removal): past
 * `now` and past the one it had, so it also ends the sign-ins begun since the last ending when the clock has not moved
 * on (a new sign-in begins at its user's `signInsFrom` at the earliest: see `SignIns.start`).
 */
export function signInsEndAt(user: Pick<UserRecord, 'signInsFrom'>, now: number): number {
  return Math.max(now, user.signInsFrom ?? now) + 1;
}

/** The fields of a user record that end every sign-in it has at `now` (`signInsEndAt`), saying what ended them. */
export function endSignIns(
  user: Pick<UserRecord, 'signInsFrom'>,
  now: number,
  by: SignInsEndedBy,
): Required<Pick<UserRecord, 'signInsFrom' | 'signInsEndedBy'>> {
  return { signInsFrom: signInsEndAt(user, now), signInsEndedBy: by };
}
