import type { CustomerRecord, SubroleRecord, UserRecord } from '../state/records.ts';
import { subroleOf } from '../users/customers.ts';
import { isUuid } from '../users/formats.ts';
import { isoInstant } from '../users/iso-instant.ts';

/**
 * A customer's user as the Auth Service's pages show it, built from state: the list's record (Get Customer Users)
 * and the by-id record (Get Customer User By ID: no `ext_auth_ref_id`, plus `company_details`, its subrole with
 * `role_id`). Times are RFC 3339 with a zone (`format: date-time`; the by-id page's example has none, which fails its
 * own schema). A field the user has no value for is left out (JSON drops a field whose value is undefined): `mobile`
 * when it has none (never the `null` the examples show), audit ids when nobody made the change (seed users), a
 * subrole's `description` and `role_id`; `ext_auth_ref_id` when the user's `sub` is not a UUID (`--users` may name any
 * sub; the page's field is `format: uuid`).
 */
export function listRecord(user: UserRecord, customer: CustomerRecord): Record<string, unknown> {
  const subrole = subroleOf(customer, user);
  return {
    ...common(user),
    ...(isUuid(user.sub) ? { ext_auth_ref_id: user.sub } : {}),
    status: status(user),
    ...(subrole === undefined
      ? {}
      : { subrole: { id: subrole.id, code: subrole.code, display_name: subrole.displayName, label: subrole.label, description: subrole.description } }),
  };
}

/** The by-id record (see listRecord). */
export function detailRecord(user: UserRecord, customer: CustomerRecord): Record<string, unknown> {
  const subrole = subroleOf(customer, user);
  return {
    ...common(user),
    status: status(user),
    company_details: {
      id: customer.id,
      name: customer.name,
      is_active: true,
      created_at: isoInstant(customer.createdAt),
      updated_at: isoInstant(customer.createdAt),
    },
    ...(subrole === undefined
      ? {}
      : {
          subrole: {
            id: subrole.id,
            code: subrole.code,
            display_name: subrole.displayName,
            label: subrole.label,
            role_id: subrole.roleId,
          },
        }),
  };
}

/** A subrole as Get Customer Subroles lists it. */
export function subroleItem(subrole: SubroleRecord): Record<string, unknown> {
  return { id: subrole.id, code: subrole.code, label: subrole.label, display_name: subrole.displayName };
}

function common(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    first_name: user.givenName,
    last_name: user.familyName,
    email: user.email,
    mobile: user.mobile,
    is_email_verified: user.isEmailVerified,
    is_first_login: user.isFirstLogin,
    created_at: isoInstant(user.createdAt),
    created_by: user.createdBy,
    updated_at: isoInstant(user.updatedAt),
    updated_by: user.updatedBy,
  };
}

function status(user: UserRecord): 'ACTIVE' | 'INACTIVE' {
  return user.status === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE';
}
