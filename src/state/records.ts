/**
 * The shapes every store keeps, whatever the backend: tokens issued, users, customers, the outbox. JSON-safe (the
 * file store writes them as lines, Redis as strings): numbers, strings, booleans, arrays, plain objects.
 */

/** A token the mock issued, as `GET /__mock/sessions` lists it (by `jti`, never the raw token). */
export type TokenRecord = {
  readonly jti: string;
  /** The sign-in (`origin_jti`). */
  readonly sid: string;
  readonly sub: string;
  readonly tokenUse: 'access' | 'id';
  readonly role: string;
  readonly kind: string;
  /** Epoch seconds. */
  readonly iat: number;
  /** Epoch seconds. */
  readonly exp: number;
  /**
   * The sign-in's `auth_time`, epoch seconds: its refresh token expires `--refresh-ttl` after it. Absent in records
   * written before it was kept (the sign-in id's time stands in).
   */
  readonly authTime?: number;
};

/** What logged a sign-in out: the Customer Logout operation, an operator (`revokeSignIn`: a provider state), or a reused refresh token (`--refresh-reuse revoke`). */
export type LogoutCause = 'logout' | 'operator' | 'refresh-reuse';

/**
 * What happened to a sign-in, kept in the issued-token list beside its tokens (so it ages out with them, in every
 * store, and outlives the revocation that enforces it): it logged out (`logged-out`, and what did it), or some of its
 * tokens were expired on request (`expired-early`, `POST /__mock/sessions/{sid}/expire`: their `jtis`). Told from a
 * TokenRecord by its `event` (see `isTokenRecord`).
 */
export type SignInEvent =
  | { readonly event: 'logged-out'; readonly sid: string; readonly sub: string /** Epoch ms, mock time. */; readonly at: number; readonly by: LogoutCause }
  | {
      readonly event: 'expired-early';
      readonly sid: string;
      readonly sub: string;
      /** Epoch ms, mock time. */
      readonly at: number;
      readonly jtis: readonly string[];
    };

/** One entry of the issued-token list (`Store.recordTokens`): a token, or an event of its sign-in. */
export type SessionRecord = TokenRecord | SignInEvent;

/** True for an issued token, false for a sign-in's event. */
export function isTokenRecord(record: SessionRecord): record is TokenRecord {
  return !('event' in record);
}

/** What ended a user's sign-ins: an operator's or Update Customer User's deactivation, Reset Password, an operator's removal. */
export type SignInsEndedBy = 'deactivation' | 'password-reset' | 'removal';

/** What a user is: `ACTIVE` (may sign in once it has a password), `INACTIVE` (deactivated), `REMOVED` (an operator removed it; kept so its tokens stay refused). */
export type UserStatus = 'ACTIVE' | 'INACTIVE' | 'REMOVED';

/**
 * A user of a customer, as every store keeps it: never the password, only its salted SHA-256 digest (none while the
 * user is invited). Emails are unique across the mock, lower-cased.
 */
export type UserRecord = {
  /** The user's id (a UUID): `{userID}` in paths, `custom:id` of its id tokens, `user_details.id` at sign-in. */
  readonly id: string;
  /** Its tokens' `sub` (the identity provider's id; `ext_auth_ref_id` in listings). */
  readonly sub: string;
  /** Lower-cased. */
  readonly email: string;
  /** base64url random salt and base64url sha256(salt bytes + UTF-8 password); absent while the user has no password. */
  readonly passwordSalt?: string;
  readonly passwordDigest?: string;
  /** `custom:role` of its tokens (`customer`; another role signs in and is refused where only customers may go). */
  readonly role: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly mobile?: string;
  /** The customer (tenant) it belongs to. */
  readonly customerId: string;
  /** Its subrole's code within its customer (`owner`, `cro`, …). */
  readonly subrole: string;
  /** Its own permission codes; absent: its subrole's. */
  readonly permissions?: readonly string[];
  readonly status: UserStatus;
  readonly isEmailVerified: boolean;
  /** True until it has accepted its invitation (set a password). */
  readonly isFirstLogin: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  /** The id of the user who created it (absent for seed users, and when a minted token of no user with no UUID `custom:id` did). */
  readonly createdBy?: string;
  readonly updatedAt: number;
  readonly updatedBy?: string;
  /** Epoch ms: the user's sign-ins that began before it are over (a deactivation, a password reset, a removal). */
  readonly signInsFrom?: number;
  /** What set `signInsFrom` last (absent in records written before it was kept). */
  readonly signInsEndedBy?: SignInsEndedBy;
  /** The `jti` of the one invitation that still works (a resend supersedes the older ones). */
  readonly invitation?: string;
  /** The `jti` of the one password-reset link that still works (used or superseded ones do not). */
  readonly passwordReset?: string;
  /** Bumped by every change: a change made from an older version is refused (compare-and-set, across replicas). */
  readonly version: number;
  /** `seed`: from --users or the demo customer, restored by reset(); `runtime`: added while running, forgotten by reset(). */
  readonly source: 'seed' | 'runtime';
};

/** A subrole of a customer: what the subroles list shows, and the permissions its users get by default. */
export type SubroleRecord = {
  readonly id: string;
  readonly code: string;
  readonly label: string;
  readonly displayName: string;
  readonly description?: string;
  /** The numeric role id the by-id record shows (`role_id`). */
  readonly roleId?: number;
  readonly permissions: readonly string[];
  /** False for the subrole only the customer's account holder has (`owner`): not listed, not given by Create Customer User. */
  readonly assignable: boolean;
};

/** A customer (tenant): its id (the sign-in's `customer_details.id`, `{customerID}` in paths), name and subroles. */
export type CustomerRecord = {
  readonly id: string;
  readonly name: string;
  readonly subroles: readonly SubroleRecord[];
  /** Epoch ms. */
  readonly createdAt: number;
  readonly source: 'seed' | 'runtime';
};

/** What a message is for: an invitation to a new user, a password-reset link. */
export const MESSAGE_KINDS = ['invitation', 'password-reset'] as const;
/** One of MESSAGE_KINDS. */
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** A mail the service would have sent, as the outbox keeps it. */
export type OutboxMessage = {
  readonly id: string;
  readonly kind: MessageKind;
  /** The recipient's email, lower-cased. */
  readonly recipient: string;
  /** ISO time it was sent. */
  readonly at: string;
  /** The token the link carries (an invitation or reset JWT the mock signed). */
  readonly token: string;
  /** The link a real mail would carry (`--app-url` and the token). */
  readonly link: string;
};

/** Which outbox messages to list. */
export type OutboxFilter = { readonly recipient?: string; readonly kind?: MessageKind };

/** A token's sign-in as one read finds it: the first of the keys asked for that is revoked, and the user whose `sub` it names. */
export type SignInState = { readonly revoked: string | undefined; readonly user: UserRecord | undefined };

/** How a user is looked up: by its id, its (lower-cased) email, or its tokens' `sub`. */
export type UserKey = { readonly id: string } | { readonly email: string } | { readonly sub: string };

/** What `putUser` did: stored; refused because another user has the email; refused because the user changed since it was read. */
export type PutUserResult = 'ok' | 'email-taken' | 'changed';
