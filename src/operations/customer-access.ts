import type { CustomerRecord, UserRecord } from '../state/records.ts';
import type { Store } from '../state/store.ts';
import { bearerChallenge } from '../tokens/challenge.ts';
import { ALL_PERMISSIONS, permissionsOf } from '../users/customers.ts';
import { isUuid } from '../users/formats.ts';
import type { Caller } from './authenticate.ts';
import type { Known } from './operation.ts';
import type { Outcome, OutcomeBase } from './outcome.ts';

/** The path parameter that names the customer on the Auth Service's `/customers/{customerID}/…` operations. */
export const CUSTOMER_PARAM = 'customerID';

/** What a customer operation may go on with: the path's customer, and what the caller may do there. */
export type CustomerAccess =
  | { readonly ok: true; readonly customer: CustomerRecord; readonly permissions: readonly string[] }
  | { readonly ok: false; readonly outcome: Outcome };

/** How an operation answers a `{customerID}` that names no customer: its page's 400 (Get Customer Subroles), else the 403. */
export type UnknownCustomer = 400 | 403;

/**
 * The rows every bearer-protected `/customers/{customerID}/…` operation shares, after authentication, in order: a
 * customer that does not exist → `unknown` (400 or 403); the token's customer is not the path's → 403; the caller
 * lacks `permission` → 403. Each 403 carries RFC 6750's `insufficient_scope` challenge. The caller's customer is its
 * id token's `custom:customer_id`, else its user's; its permissions are its user's (its own or its subrole's), or for
 * a token of no user (`POST /__mock/tokens`) the `permissions` claim when it has one, else every permission.
 */
export async function customerAccess(store: Store, known: Known, customerId: string, permission: string, unknown: UnknownCustomer): Promise<CustomerAccess> {
  const { base } = known;
  const caller = known.caller as Caller & { ok: true };
  const customer = await store.getCustomer(customerId);
  if (customer === undefined) {
    const reason = `customer ${customerId.slice(0, 80)} does not exist`;
    return { ok: false, outcome: unknown === 400 ? { ...base, status: 400, reason } : forbidden(reason, base) };
  }
  const own = caller.subject.customer;
  if (own !== customer.id) {
    return { ok: false, outcome: forbidden(own === undefined ? 'token belongs to no customer' : `token belongs to another customer (${own})`, base) };
  }
  const permissions = callerPermissions(caller.user, caller.claims.permissions, customer);
  if (!permissions.includes(permission)) return { ok: false, outcome: forbidden(`the user lacks the permission ${permission}`, base) };
  return { ok: true, customer, permissions };
}

/** A 403 with its `insufficient_scope` challenge. */
export function forbidden(reason: string, base: OutcomeBase): Outcome {
  return { ...base, status: 403, reason, challenge: bearerChallenge('insufficient_scope', reason) };
}

function callerPermissions(user: UserRecord | undefined, claim: unknown, customer: CustomerRecord): readonly string[] {
  if (user !== undefined) return permissionsOf(user, customer);
  return Array.isArray(claim) && claim.every((code) => typeof code === 'string') ? (claim as string[]) : ALL_PERMISSIONS;
}

/**
 * The customer a forced success (`Prefer: code=200`, a 200 fault) shows, built from state as a real success is: the
 * path's customer when it exists, else the caller's, else the first customer the mock has; undefined when it has none.
 */
export async function forcedCustomer(store: Store, known: Pick<Known, 'subject'>, customerId: string): Promise<CustomerRecord | undefined> {
  return (
    (await store.getCustomer(customerId)) ??
    (known.subject.customer === undefined ? undefined : await store.getCustomer(known.subject.customer)) ??
    (await store.listCustomers())[0]
  );
}

/**
 * The id of the user making a change (for `created_by`/`updated_by`), in a decision (after authentication): the
 * caller's user, else its id token's `custom:id` when it is a UUID.
 */
export function actorOf(known: Known): string | undefined {
  const caller = known.caller as Caller & { ok: true };
  const claimed = caller.claims['custom:id'];
  return caller.user?.id ?? (typeof claimed === 'string' && isUuid(claimed) ? claimed : undefined);
}
