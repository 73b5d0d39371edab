import { success, withMessage } from './answers.ts';
import { CUSTOMER_PARAM, customerAccess } from './customer-access.ts';
import { USER_PARAM } from './get-customer-user.ts';
import type { Operation } from './operation.ts';
import { retried } from './retried.ts';

/**
 * Customer User Resend Invitation (spec: operationId `resend-invitation`, `POST
 * /customers/{customerID}/users/{userID}/resend-invite`, bearer, no body). After the shared steps: a customer that
 * does not exist, or another customer's → 403; no `customer_user:write` → 403; a user the customer does not have →
 * 400 saying so (the page documents no 404); a user who has accepted → the page's 400 (`Customer has already onboarded
 * the platform`); a deactivated one → 400 saying so; else a new invitation goes to the outbox (the older ones stop
 * working) and 200.
 */
export const resendInvitation = {
  name: 'resend-invitation' as const,
  decides: [200, 400, 401, 403, 500],
  body: 'none',
  badRequestMessage: 'reason',
  scopes: ['sub', 'sid', 'customer'],
  create({ store, mailer }, contract) {
    const sent = contract.examples.get(200);
    return {
      async decide(request, known) {
        const { base } = known;
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:write', 403);
        if (!access.ok) return access.outcome;
        const id = request.params[USER_PARAM] as string;
        return retried(async () => {
          const user = await store.getUser({ id });
          if (user === undefined || user.status === 'REMOVED' || user.customerId !== access.customer.id) {
            return withMessage(base, 400, 'Customer user does not exist');
          }
          if (!user.isFirstLogin) return { ...base, status: 400, reason: `user ${user.id} has accepted its invitation` };
          if (user.status === 'INACTIVE') return withMessage(base, 400, 'Customer user is deactivated');
          const mail = await mailer.invitation(user);
          if ((await store.putUser(mail.user, user.version)) !== 'ok') return undefined;
          await store.appendMessage(mail.message);
          return success(base, sent, `new invitation for user ${user.id}: the older ones no longer work`);
        });
      },
    };
  },
} satisfies Operation;
