import type { UserRecord } from './records.ts';

/**
 * A user record as an earlier version (0.1, state file format 2) kept it: keyed by email, with `disabled`, its own
 * permissions and its customer's name, and no id, status, subrole or audit fields.
 */
type EarlierUser = {
  readonly email: string;
  readonly passwordSalt: string;
  readonly passwordDigest: string;
  readonly sub: string;
  readonly role: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly customerId: string;
  readonly customerName?: string;
  readonly permissions?: readonly string[];
  readonly disabled?: boolean;
  readonly source: 'seed' | 'runtime';
};

/**
 * A stored user record in today's shape, whatever version wrote it: an earlier one gets its `sub` as its id (what its
 * sign-in answered as `user_details.id`), `ACTIVE` or `INACTIVE` from `disabled`, the `owner` subrole and its own
 * permissions, as a user who has signed in (verified, not first login). Today's records pass through.
 */
export function upgradeUser(stored: UserRecord | EarlierUser): UserRecord {
  // Today's records have an id; an earlier one's customer has no record of its own (customer routes answer that it does not exist).
  if ('id' in stored && typeof stored.id === 'string') return stored as UserRecord;
  const earlier = stored as EarlierUser;
  return {
    id: earlier.sub,
    sub: earlier.sub,
    email: earlier.email,
    passwordSalt: earlier.passwordSalt,
    passwordDigest: earlier.passwordDigest,
    role: earlier.role,
    givenName: earlier.givenName,
    familyName: earlier.familyName,
    customerId: earlier.customerId,
    subrole: 'owner',
    ...(earlier.permissions === undefined ? {} : { permissions: earlier.permissions }),
    status: earlier.disabled ? 'INACTIVE' : 'ACTIVE',
    isEmailVerified: true,
    isFirstLogin: false,
    createdAt: 0,
    updatedAt: 0,
    version: 1,
    source: earlier.source,
  };
}
