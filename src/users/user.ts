import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError, shown } from '../errors.ts';
import type { CustomerRecord, UserRecord } from '../state/records.ts';
import { permissionsOf } from './customers.ts';
import { isEmail, isUuid } from './formats.ts';
import { derivedUuid } from './ids.ts';

/** A user as `--users`, `POST /__mock/users` and `mock.users.add()` take it (docs/operations.md, "Users"). */
export type UserInput = {
  email: string;
  password: string;
  /** `custom:role` of the user's tokens (default `customer`; any other role signs in, and is refused where only customers may go). */
  role?: string;
  /** The user's id (a UUID; default its `sub`). */
  id?: string;
  /** Its tokens' `sub` (default: a UUID derived from the email, stable across restarts). */
  sub?: string;
  given_name?: string;
  family_name?: string;
  mobile?: string;
  /** Its customer's id (a UUID; default: one derived from the email, a customer of its own). */
  customer_id?: string;
  /** Its customer's name, when this user's entry is the first to name the customer (default: the email's domain). */
  customer_name?: string;
  /** Its subrole's code in its customer (default `owner`). */
  subrole?: string;
  /** Its own permission codes (`case:read`); default: its subrole's. */
  permissions?: string[];
  /** `INACTIVE` deactivates it: its sign-in fails like a wrong password and its tokens answer 401 (default `ACTIVE`). */
  status?: 'ACTIVE' | 'INACTIVE';
  /** The same as `status: INACTIVE` (one fact: true is INACTIVE, false ACTIVE). */
  disabled?: boolean;
};

/**
 * A user as listed (`GET /__mock/users`, `users list`, `mock.users.list()`): the input's own field names, its customer,
 * subrole, status and the permissions it has (its own or its subrole's); never the password or its digest.
 */
export type UserView = {
  readonly id: string;
  readonly email: string;
  readonly sub: string;
  readonly role: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly mobile?: string;
  readonly customer_id: string;
  readonly customer_name: string;
  readonly subrole: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly is_email_verified: boolean;
  /** True while the user is invited: it has not accepted (set a password) yet. */
  readonly is_first_login: boolean;
  readonly permissions: readonly string[];
  /** `seed` (from `--users` or the demo customer: restored by reset) or `runtime` (added while running). */
  readonly source: UserRecord['source'];
};

/** The user a mock started without `--users` has: the sign-in page's example user (ids, names, customer), with a password the banner prints. */
export const DEMO_USER: Readonly<UserInput> = Object.freeze({
  email: 'customer@example.com',
  password: 'Sandbox-Password-1',
  id: '00000000-0000-4000-8000-000000000001',
  sub: '00000000-0000-4000-8000-000000000001',
  given_name: 'Sandbox',
  family_name: 'Customer Admin',
  customer_id: '00000000-0000-4000-8000-000000000003',
  customer_name: 'Sandbox',
  subrole: 'owner',
});

const FIELDS = new Set([
  'email',
  'password',
  'role',
  'id',
  'sub',
  'given_name',
  'family_name',
  'mobile',
  'customer_id',
  'customer_name',
  'subrole',
  'permissions',
  'status',
  'disabled',
]);

/** A user as parsed: its record, and the name its entry gives its customer (for a customer no entry named before). */
export type ParsedUser = { readonly user: UserRecord; readonly customerName: string };

/**
 * Validates a user as written (`--users` entry, control API, in-process) into the record the store keeps: the email
 * lower-cased, the password replaced by a salted SHA-256 digest, a signed-up user (verified, not first login). The
 * caller checks its subrole against its customer. Throws InputError naming the field (never quoting a password).
 */
export function parseUser(input: unknown, source: UserRecord['source'], now: number): ParsedUser {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InputError('body', 'a user must be a JSON object { email, password, … }');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!FIELDS.has(key)) throw new InputError(key, `unknown field "${key}"; a user takes ${[...FIELDS].join(', ')}`);
  }
  const email = typeof raw.email === 'string' ? raw.email.trim().toLowerCase() : undefined;
  if (email === undefined || !isEmail(email)) throw new InputError('email', `email must be an email address, got ${shown(raw.email)}`);
  if (typeof raw.password !== 'string' || raw.password === '' || raw.password.length > 1024) {
    throw new InputError('password', 'password must be a non-empty string of at most 1024 characters');
  }
  const text = (field: string, fallback: string): string => {
    const value = raw[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value === '' || value.length > 512) throw new InputError(field, `${field} must be a non-empty string`);
    return value;
  };
  const uuid = (field: string, fallback: string): string => {
    const value = text(field, fallback);
    if (!isUuid(value)) throw new InputError(field, `${field} must be a UUID (the spec's format), got ${shown(value)}`);
    return value;
  };
  const sub = text('sub', derivedUuid(`user:${email}`));
  const permissions = raw.permissions;
  if (permissions !== undefined && (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string' || p === ''))) {
    throw new InputError('permissions', 'permissions must be an array of permission codes (strings)');
  }
  if (raw.disabled !== undefined && typeof raw.disabled !== 'boolean') throw new InputError('disabled', 'disabled must be true or false');
  if (raw.status !== undefined && raw.status !== 'ACTIVE' && raw.status !== 'INACTIVE') throw new InputError('status', 'status must be ACTIVE or INACTIVE');
  const inactive = raw.status === 'INACTIVE' || raw.disabled === true;
  if (raw.status !== undefined && raw.disabled !== undefined && (raw.status === 'INACTIVE') !== raw.disabled) {
    throw new InputError('disabled', 'disabled and status say different things: give one (disabled: true is status INACTIVE)');
  }
  const mobile = raw.mobile === undefined ? undefined : text('mobile', '');
  const user: UserRecord = {
    id: uuid('id', isUuid(sub) ? sub : derivedUuid(`id:${email}`)),
    sub,
    email,
    ...hashPassword(raw.password),
    role: text('role', 'customer'),
    givenName: text('given_name', 'Test'),
    familyName: text('family_name', 'Customer'),
    ...(mobile === undefined ? {} : { mobile }),
    customerId: uuid('customer_id', derivedUuid(`customer:${email}`)),
    subrole: text('subrole', 'owner'),
    ...(permissions === undefined ? {} : { permissions: Object.freeze([...(permissions as string[])]) }),
    status: inactive ? 'INACTIVE' : 'ACTIVE',
    isEmailVerified: true,
    isFirstLogin: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
    source,
  };
  return { user: Object.freeze(user), customerName: text('customer_name', email.slice(email.indexOf('@') + 1)) };
}

/** The user as listings show it: never its password or digest. */
export function viewOf(user: UserRecord, customer: CustomerRecord | undefined): UserView {
  return {
    id: user.id,
    email: user.email,
    sub: user.sub,
    role: user.role,
    given_name: user.givenName,
    family_name: user.familyName,
    ...(user.mobile === undefined ? {} : { mobile: user.mobile }),
    customer_id: user.customerId,
    customer_name: customer?.name ?? user.customerId,
    subrole: user.subrole,
    status: user.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
    is_email_verified: user.isEmailVerified,
    is_first_login: user.isFirstLogin,
    permissions: permissionsOf(user, customer),
    source: user.source,
  };
}

/** A password as a user record keeps it: a random salt and sha256(salt + UTF-8 password), both base64url. */
export function hashPassword(password: string): { passwordSalt: string; passwordDigest: string } {
  const salt = randomBytes(16);
  return { passwordSalt: salt.toString('base64url'), passwordDigest: digest(salt, password).toString('base64url') };
}

/** A digest no password has, compared against when the email is unknown so both cases take the same time. */
const NOBODY = hashPassword(randomBytes(32).toString('base64url'));

/**
 * True when `password` is the user's and the user may sign in (active, with a password). An unknown email
 * (`undefined`), a wrong password, a deactivated or removed user and an invited one (no password yet) all answer false
 * after the same work: a constant-time compare of equal-length digests.
 */
export function passwordMatches(user: UserRecord | undefined, password: string): boolean {
  const against = user?.passwordDigest !== undefined && user.passwordSalt !== undefined ? (user as Required<UserRecord>) : NOBODY;
  const expected = Buffer.from(against.passwordDigest, 'base64url');
  const given = digest(Buffer.from(against.passwordSalt, 'base64url'), password);
  const same = expected.length === given.length && timingSafeEqual(expected, given);
  return same && against !== NOBODY && user?.status === 'ACTIVE';
}

function digest(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}
