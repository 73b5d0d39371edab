import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../state/records.ts';
import { requiredBodyProblem, success, withMessage } from './answers.ts';
import { actorOf, CUSTOMER_PARAM, customerAccess } from './customer-access.ts';
import type { Operation } from './operation.ts';
import { chooseSubrole } from './subrole-choice.ts';

/** The create body, once its schema holds. */
type CreateBody = { first_name: string; last_name: string; email: string; mobile?: string; subrole: { id: string; code: string; label: string } };

/**
 * Create Customer User (spec: operationId `create-customer-user`, `POST /customers/{customerID}/users`, bearer).
 * After the shared steps: a customer that does not exist, or another customer's → 403; no `customer_user:create` →
 * 403; a body that is not a JSON object, or fails its schema → 400 naming the field; a subrole the customer does not
 * give (by id, else code) → 400; an email any user of the mock has (any case) → the page's 400 (`Another customer
 * user exists with the same email.`); else the user is made invited (no password, `is_first_login`, not verified), an
 * invitation goes to the outbox, and 200 answers its `user_id`.
 */
export const createCustomerUser = {
  name: 'create-customer-user' as const,
  decides: [200, 400, 401, 403, 500],
  body: 'json',
  badRequestMessage: 'reason',
  scopes: ['sub', 'sid', 'customer'],
  create({ store, clock, mailer }, contract) {
    const created = contract.examples.get(200);
    return {
      async decide(request, known) {
        const { base } = known;
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:create', 403);
        if (!access.ok) return access.outcome;
        const problem = requiredBodyProblem(request, '{ "first_name", "last_name", "email", "subrole" }') ?? (await contract.checkBody(request.json));
        if (problem) return withMessage(base, 400, problem);
        const body = request.json as CreateBody;
        const subrole = chooseSubrole(access.customer, body.subrole);
        if (typeof subrole === 'string') return withMessage(base, 400, subrole);
        const now = clock();
        const actor = actorOf(known);
        const invited: UserRecord = {
          id: randomUUID(),
          sub: randomUUID(),
          email: body.email.toLowerCase(),
          role: 'customer',
          givenName: body.first_name,
          familyName: body.last_name,
          // A store is given what it keeps: no field for what the user has none of.
          ...(body.mobile === undefined ? {} : { mobile: body.mobile }),
          customerId: access.customer.id,
          subrole: subrole.code,
          status: 'ACTIVE',
          isEmailVerified: false,
          isFirstLogin: true,
          createdAt: now,
          updatedAt: now,
          ...(actor === undefined ? {} : { createdBy: actor, updatedBy: actor }),
          version: 0,
          source: 'runtime',
        };
        const { user, message } = await mailer.invitation(invited);
        if ((await store.putUser(user)) === 'email-taken') return { ...base, status: 400, reason: `another user has the email ${user.email}` };
        await store.appendMessage(message);
        return success(base, created, `created user ${user.id} of customer ${access.customer.id}, invited`, { user_id: user.id });
      },
    };
  },
} satisfies Operation;
