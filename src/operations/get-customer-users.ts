import type { CustomerRecord, UserRecord } from '../state/records.ts';
import { objectOf } from './answers.ts';
import { CUSTOMER_PARAM, customerAccess, forcedCustomer } from './customer-access.ts';
import { listRecord } from './customer-records.ts';
import type { Operation } from './operation.ts';
import type { OutcomeBase } from './outcome.ts';

/** What the list takes from its query: a page (from 1), its size (1–100, default 10), and filters. */
type Listing = { page: number; size: number; keep: (user: UserRecord) => boolean };

/**
 * Get Customer Users (spec: operationId `get-customer-users`, `GET /customers/{customerID}/users`, bearer). After the
 * shared steps: a customer that does not exist, or another customer's → 403; no `customer_user:read` → 403; a query
 * value it cannot read → 400 naming it; else 200 with the page's shape (`records`, `total_pages` an integer,
 * `total_items` a string), built from state, oldest user first. The query: `page` (from 1), `items_per_page` (1–100,
 * default 10), `search` (in first name, last name or email, any case), `status` (`ACTIVE`, `INACTIVE`), `subrole` (a
 * code); a parameter sent empty is as if absent (a filter left blank); other parameters are left alone (the page lets
 * a client pass any).
 */
export const getCustomerUsers = {
  name: 'get-customer-users' as const,
  decides: [200, 400, 401, 403, 500],
  body: 'none',
  scopes: ['sub', 'sid', 'customer'],
  create({ store }, contract) {
    const { status, message } = objectOf(contract.examples.get(200)) ?? {};
    const answer = async (base: OutcomeBase, customer: CustomerRecord, listing: Listing) => {
      const users = (await store.listUsers(customer.id)).filter(listing.keep);
      const records = users.slice((listing.page - 1) * listing.size, listing.page * listing.size).map((user) => listRecord(user, customer));
      const data = { records, total_pages: Math.ceil(users.length / listing.size), total_items: String(users.length) };
      return { ...base, status: 200, reason: `${records.length} of ${users.length} users of customer ${customer.id}`, body: { status, message, data } };
    };
    return {
      async decide(request, known) {
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:read', 403);
        if (!access.ok) return access.outcome;
        const listing = readListing(request.query);
        if (typeof listing === 'string') return { ...known.base, status: 400, reason: listing };
        return answer(known.base, access.customer, listing);
      },
      async success(request, known) {
        const customer = await forcedCustomer(store, known, request.params[CUSTOMER_PARAM] as string);
        if (customer === undefined) return { ...known.base, status: 500, reason: 'no customer to list for a forced 200: the mock has none' };
        return answer(known.base, customer, { page: 1, size: 10, keep: () => true });
      },
    };
  },
} satisfies Operation;

/** The listing a query asks for, or why a value cannot be read (naming the parameter). */
function readListing(query: URLSearchParams | undefined): Listing | string {
  // A parameter sent empty (`?status=&search=`, what a client sends for a filter left blank) is as if absent.
  const given = (name: string): string | undefined => query?.get(name) || undefined;
  const page = whole(given('page'), 'page', 1, 1_000_000, 1);
  if (typeof page === 'string') return page;
  const size = whole(given('items_per_page'), 'items_per_page', 1, 100, 10);
  if (typeof size === 'string') return size;
  const status = given('status');
  if (status !== undefined && status !== 'ACTIVE' && status !== 'INACTIVE') return 'status must be ACTIVE or INACTIVE';
  const subrole = given('subrole');
  const search = given('search')?.toLowerCase();
  return {
    page,
    size,
    keep: (user) =>
      (status === undefined || user.status === status) &&
      (subrole === undefined || user.subrole === subrole) &&
      (search === undefined || [user.givenName, user.familyName, user.email].some((text) => text.toLowerCase().includes(search))),
  };
}

function whole(raw: string | undefined, name: string, min: number, max: number, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  return n >= min && n <= max ? n : `${name} must be a whole number from ${min} to ${max}`;
}
