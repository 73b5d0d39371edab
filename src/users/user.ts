import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError, shown } from '../errors.ts';
import type { UserRecord } from '../state/store.ts';
import { isEmail, isUuid } from './formats.ts';

/** A user as `--users`, `POST /__mock/users` and `mock.users.add()` take it (docs/operations.md). */
export type UserInput = {
  email: string;
  password: string;
  /** `custom:role` of the user's tokens (default `customer`; any other role signs in, and logout answers it 403). */
  role?: string;
  /** The tokens' `sub` (default: a UUID derived from the email, stable across restarts). */
  sub?: string;
  given_name?: string;
  family_name?: string;
  customer_id?: string;
  customer_name?: string;
  /** Permission codes (`case:read`); default: the 13 the spec's sign-in example lists. */
  permissions?: string[];
  /** A disabled user's sign-in fails like a wrong password. */
  disabled?: boolean;
};

/**
 * A user as listed (`GET /__mock/users`, `users list`, `mock.users.list()`): the input's own field names, so a
 * listing reads like what was added; never the password or its digest.
 */
export type UserView = {
  readonly email: string;
  readonly sub: string;
  readonly role: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly customer_id: string;
  readonly customer_name: string;
  readonly permissions: readonly string[];
  readonly disabled: boolean;
  /** `seed` (from `--users` or the demo user: kept by reset) or `runtime` (added while running). */
  readonly source: UserRecord['source'];
};

/** The permission codes of the spec's sign-in example (its objects' `code`s: the schema types them as strings). */
export const DEFAULT_PERMISSIONS: readonly string[] = Object.freeze([
  'customer_user:read',
  'customer_user:write',
  'customer_user:create',
  'case:read',
  'case:write',
  'case:create',
  'profile:read',
  'profile:write',
  'brand_settings:read',
  'brand_settings:write',
  'businesses:read',
  'businesses:write',
  'businesses:create',
]);

/** The user a mock started without `--users` has: the spec's sign-in example (ids, names, customer), with a password the banner prints. */
export const DEMO_USER: Readonly<UserInput> = Object.freeze({
  email: 'customer@example.com',
  password: 'Sandbox-Password-1',
  sub: '00000000-0000-4000-8000-000000000001',
  given_name: 'Sandbox',
  family_name: 'Customer Admin',
  customer_id: '00000000-0000-4000-8000-000000000003',
  customer_name: 'Sandbox',
});

const FIELDS = new Set(['email', 'password', 'role', 'sub', 'given_name', 'family_name', 'customer_id', 'customer_name', 'permissions', 'disabled']);

/**
 * Validates a user as written (`--users` entry, control API, in-process) into the record the store keeps: the
 * email lower-cased, the password replaced by a salted SHA-256 digest. Throws InputError naming the field
 * (never quoting a password).
 */
export function parseUser(input: unknown, source: UserRecord['source']): UserRecord {
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
  const customerId = text('customer_id', derivedUuid(`customer:${email}`));
  if (!isUuid(customerId)) throw new InputError('customer_id', `customer_id must be a UUID (the spec's format), got ${shown(customerId)}`);
  const permissions = raw.permissions ?? DEFAULT_PERMISSIONS;
  if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string' || p === '')) {
    throw new InputError('permissions', 'permissions must be an array of permission codes (strings)');
  }
  if (raw.disabled !== undefined && typeof raw.disabled !== 'boolean') throw new InputError('disabled', 'disabled must be true or false');
  const salt = randomBytes(16);
  return Object.freeze({
    email,
    passwordSalt: salt.toString('base64url'),
    passwordDigest: digest(salt, raw.password).toString('base64url'),
    sub: text('sub', derivedUuid(`user:${email}`)),
    role: text('role', 'customer'),
    givenName: text('given_name', 'Test'),
    familyName: text('family_name', 'Customer'),
    customerId,
    customerName: text('customer_name', email.slice(email.indexOf('@') + 1)),
    permissions: Object.freeze([...(permissions as string[])]),
    disabled: raw.disabled === true,
    source,
  });
}

/** The user without its password digest, as listings show it. */
export function viewOf(user: UserRecord): UserView {
  return {
    email: user.email,
    sub: user.sub,
    role: user.role,
    given_name: user.givenName,
    family_name: user.familyName,
    customer_id: user.customerId,
    customer_name: user.customerName,
    permissions: user.permissions,
    disabled: user.disabled,
    source: user.source,
  };
}

/** A digest no password has, compared against when the email is unknown so both cases take the same time. */
const NOBODY = { passwordSalt: randomBytes(16).toString('base64url'), passwordDigest: randomBytes(32).toString('base64url') };

/**
 * True when `password` is the user's and the user may sign in. An unknown email (`undefined`), a wrong password
 * and a disabled user all answer false after the same work: a constant-time compare of equal-length digests.
 */
export function passwordMatches(user: UserRecord | undefined, password: string): boolean {
  const against = user ?? NOBODY;
  const expected = Buffer.from(against.passwordDigest, 'base64url');
  const given = digest(Buffer.from(against.passwordSalt, 'base64url'), password);
  const same = expected.length === given.length && timingSafeEqual(expected, given);
  return same && user !== undefined && !user.disabled;
}

/** A UUID for a value that must be one (`user_details.id`, `customer_details.id`): the value itself when it is one, else derived from it. */
export function uuidFor(value: string): string {
  return isUuid(value) ? value : derivedUuid(`sub:${value}`);
}

function digest(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}

/** A name-based UUID (RFC 9562 version 8 layout) from SHA-256 of `name`: the same name gives the same UUID on every run. */
function derivedUuid(name: string): string {
  const bytes = createHash('sha256').update(`worth-auth-mock:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
