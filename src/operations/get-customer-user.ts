import { objectOf } from './answers.ts';
import { CUSTOMER_PARAM, customerAccess, forcedCustomer } from './customer-access.ts';
import { detailRecord } from './customer-records.ts';
import type { Operation } from './operation.ts';

/** The path parameter that names the user on the `/customers/{customerID}/users/{userID}` operations. */
export const USER_PARAM = 'userID';

/**
 * Get Customer User By ID (spec: operationId `get-customer-user`, `GET /customers/{customerID}/users/{userID}`,
 * bearer). After the shared steps: a customer that does not exist, or another customer's → 403; no
 * `customer_user:read` → 403; a user the customer does not have (or a removed one) → its page's 404 (`Customer user
 * Not Found`); else 200 with the user's record (see customer-records.ts) built from state. A forced 200 shows the
 * path's user when there is one, else the first user of the customer a forced success shows (`forcedCustomer`): the
 * page's example fails its own schema (times without a zone), so it is never sent.
 */
export const getCustomerUser = {
  name: 'get-customer-user' as const,
  decides: [200, 401, 403, 404, 500],
  body: 'none',
  scopes: ['sub', 'sid', 'customer'],
  create({ store }, contract) {
    const { status, message } = objectOf(contract.examples.get(200)) ?? {};
    return {
      async decide(request, known) {
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:read', 403);
        if (!access.ok) return access.outcome;
        const id = request.params[USER_PARAM] as string;
        const user = await store.getUser({ id });
        if (user === undefined || user.status === 'REMOVED' || user.customerId !== access.customer.id) {
          return { ...known.base, status: 404, reason: `customer ${access.customer.id} has no user ${id.slice(0, 80)}` };
        }
        return {
          ...known.base,
          status: 200,
          reason: `user ${user.id} of customer ${access.customer.id}`,
          body: { status, message, data: detailRecord(user, access.customer) },
        };
      },
      async success(request, known) {
        const customer = await forcedCustomer(store, known, request.params[CUSTOMER_PARAM] as string);
        const wanted = await store.getUser({ id: request.params[USER_PARAM] as string });
        const user = wanted?.customerId === customer?.id && wanted?.status !== 'REMOVED' ? wanted : customer && (await store.listUsers(customer.id))[0];
        if (customer === undefined || user === undefined) return { ...known.base, status: 500, reason: 'no user to show for a forced 200: the mock has none' };
        return {
          ...known.base,
          status: 200,
          reason: `user ${user.id} of customer ${customer.id}`,
          body: { status, message, data: detailRecord(user, customer) },
        };
      },
    };
  },
} satisfies Operation;
