import type { CustomerRecord } from '../state/records.ts';
import { objectOf } from './answers.ts';
import { CUSTOMER_PARAM, customerAccess, forcedCustomer } from './customer-access.ts';
import { subroleItem } from './customer-records.ts';
import type { Operation } from './operation.ts';
import type { Outcome, OutcomeBase } from './outcome.ts';

/**
 * Get Customer Subroles (spec: operationId `get-customer-subroles`, `GET /customers/{customerID}/subroles`, bearer).
 * After the shared steps: a customer that does not exist → its page's 400 (`Customer does not exists`); another
 * customer's → 403; no `customer_user:read` → 403; else 200 with the subroles a user may be given (`cro`,
 * `risk_analyst`; not `owner`, the account holder's, which the page does not list either). A forced 200 lists the
 * subroles of the customer a forced success shows (`forcedCustomer`), from state as a real 200 does (the page's example
 * when the mock has no customer).
 */
export const getCustomerSubroles = {
  name: 'get-customer-subroles' as const,
  decides: [200, 400, 401, 403, 500],
  body: 'none',
  badRequestMessage: 'reason',
  scopes: ['sub', 'sid', 'customer'],
  create({ store }, contract) {
    const { status, message } = objectOf(contract.examples.get(200)) ?? {};
    const answer = (base: OutcomeBase, customer: CustomerRecord): Outcome => {
      const listed = customer.subroles.filter((subrole) => subrole.assignable).map(subroleItem);
      return { ...base, status: 200, reason: `${listed.length} subroles of customer ${customer.id}`, body: { status, message, data: listed } };
    };
    return {
      async decide(request, known) {
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:read', 400);
        return access.ok ? answer(known.base, access.customer) : access.outcome;
      },
      async success(request, known) {
        const customer = await forcedCustomer(store, known, request.params[CUSTOMER_PARAM] as string);
        // A mock with no customer at all answers the page's example (valid against its schema).
        if (customer === undefined) return { ...known.base, status: 200, reason: "the page's example: the mock has no customer" };
        return answer(known.base, customer);
      },
    };
  },
} satisfies Operation;
