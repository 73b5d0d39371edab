import { objectOf } from './answers.ts';
import { CUSTOMER_PARAM, customerAccess } from './customer-access.ts';
import { subroleItem } from './customer-records.ts';
import type { Operation } from './operation.ts';

/**
 * Get Customer Subroles (spec: operationId `get-customer-subroles`, `GET /customers/{customerID}/subroles`, bearer).
 * After the shared steps: a customer that does not exist → its page's 400 (`Customer does not exists`); another
 * customer's → 403; no `customer_user:read` → 403; else 200 with the subroles a user may be given (`cro`,
 * `risk_analyst`; not `owner`, the account holder's, which the page does not list either).
 */
export const getCustomerSubroles = {
  name: 'get-customer-subroles' as const,
  decides: [200, 400, 401, 403, 500],
  body: 'none',
  scopes: ['sub', 'sid', 'customer'],
  create({ store }, contract) {
    const { status, message } = objectOf(contract.examples.get(200)) ?? {};
    return {
      async decide(request, known) {
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:read', 400);
        if (!access.ok) return access.outcome;
        const listed = access.customer.subroles.filter((subrole) => subrole.assignable).map(subroleItem);
        return { ...known.base, status: 200, reason: `${listed.length} subroles of customer ${access.customer.id}`, body: { status, message, data: listed } };
      },
    };
  },
} satisfies Operation;
