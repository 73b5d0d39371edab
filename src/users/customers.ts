import type { CustomerRecord, SubroleRecord, UserRecord } from '../state/records.ts';
import { derivedUuid } from './ids.ts';

/** Every permission code a customer user may hold: the 13 of the sign-in page's example, in its order. */
export const ALL_PERMISSIONS: readonly string[] = Object.freeze([
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

/**
 * The subroles every customer has, with the permissions their users get unless a user has its own: `owner` (the
 * account holder: all 13, not listed, not given by Create Customer User), `cro` (manages the customer's users, cases
 * and businesses: all but `brand_settings:write`) and `risk_analyst` (works cases: reads and writes cases and its
 * profile, reads businesses; cannot see or manage users). The names are Get Customer Subroles'; the permission sets
 * are the mock's choice (the pages give none but the owner's).
 */
const SUBROLES: readonly Omit<SubroleRecord, 'id'>[] = [
  { code: 'owner', label: 'Owner', displayName: 'Owner', roleId: 1, permissions: ALL_PERMISSIONS, assignable: false },
  {
    code: 'cro',
    label: 'CRO',
    displayName: 'CRO',
    roleId: 2,
    permissions: ALL_PERMISSIONS.filter((code) => code !== 'brand_settings:write'),
    assignable: true,
  },
  {
    code: 'risk_analyst',
    label: 'Risk Analyst',
    displayName: 'Risk Analyst',
    roleId: 3,
    permissions: ['case:read', 'case:write', 'profile:read', 'profile:write', 'businesses:read'],
    assignable: true,
  },
];

/** The sign-in example's customer, "Sandbox", and its subroles' ids as the pages give them (owner …0002, cro …0008, risk_analyst …0009). */
export const DEMO_CUSTOMER_ID = '00000000-0000-4000-8000-000000000003';
const DEMO_SUBROLE_IDS: Readonly<Record<string, string>> = {
  owner: '00000000-0000-4000-8000-000000000002',
  cro: '00000000-0000-4000-8000-000000000008',
  risk_analyst: '00000000-0000-4000-8000-000000000009',
};

/** A customer's subroles: the default three, each with an id derived from the customer's (the demo customer's are the pages'). */
export function defaultSubroles(customerId: string, name: string): SubroleRecord[] {
  return SUBROLES.map((subrole) => ({
    ...subrole,
    id: (customerId === DEMO_CUSTOMER_ID ? DEMO_SUBROLE_IDS[subrole.code] : undefined) ?? derivedUuid(`subrole:${customerId}:${subrole.code}`),
    ...(subrole.code === 'owner' ? {} : { description: `This is ${name}'s ${subrole.label}` }),
  }));
}

/** A customer record with the default subroles. */
export function newCustomer(id: string, name: string, source: CustomerRecord['source'], now: number): CustomerRecord {
  return { id, name, subroles: defaultSubroles(id, name), createdAt: now, source };
}

/** The subrole of `user` in its customer, when the customer has it. */
export function subroleOf(customer: CustomerRecord | undefined, user: Pick<UserRecord, 'subrole'>): SubroleRecord | undefined {
  return customer?.subroles.find((subrole) => subrole.code === user.subrole);
}

/** A user's permission codes: its own when it has them, else its subrole's (none when its customer lacks the subrole). */
export function permissionsOf(user: Pick<UserRecord, 'permissions' | 'subrole'>, customer: CustomerRecord | undefined): readonly string[] {
  return user.permissions ?? subroleOf(customer, user)?.permissions ?? [];
}
