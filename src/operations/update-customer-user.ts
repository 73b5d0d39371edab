import type { UserRecord } from '../state/records.ts';
import { endSignIns } from '../users/sign-in-rules.ts';
import { requiredBodyProblem, success, withMessage } from './answers.ts';
import { actorOf, CUSTOMER_PARAM, customerAccess } from './customer-access.ts';
import { USER_PARAM } from './get-customer-user.ts';
import type { Operation } from './operation.ts';
import { retried } from './retried.ts';
import { chooseSubrole } from './subrole-choice.ts';

/** What a PATCH may change (any non-empty subset, as the schema's `minProperties: 1` says). */
type Patch = { first_name?: string; last_name?: string; email?: string; mobile?: string; subrole?: unknown; status?: 'ACTIVE' | 'INACTIVE' };

/**
 * Update Customer User By ID (spec: operationId `update-customer-user`, `PATCH /customers/{customerID}/users/{userID}`,
 * bearer). After the shared steps: a customer that does not exist, or another customer's → 403; no
 * `customer_user:write` → 403; a body that is not a JSON object or fails its schema (`{}` fails `minProperties: 1`) →
 * 400 naming the field; a user the customer does not have → its page's 404 (`Customer user does not exist`); a
 * subrole the customer does not give → 400; an email another user has → 400; else 200, the change stored.
 * `status: INACTIVE` deactivates the user: its sign-in answers as a wrong password, and every sign-in it has ends at
 * once (its tokens answer 401 everywhere, its refresh too) on every replica; `ACTIVE` lets it sign in again, its old
 * sign-ins staying over. A new email is not verified until the user signs in through a mailed link.
 */
export const updateCustomerUser = {
  name: 'update-customer-user' as const,
  decides: [200, 400, 401, 403, 404, 500],
  body: 'json',
  scopes: ['sub', 'sid', 'customer'],
  create({ store, clock }, contract) {
    const updated = contract.examples.get(200);
    return {
      async decide(request, known) {
        const { base } = known;
        const access = await customerAccess(store, known, request.params[CUSTOMER_PARAM] as string, 'customer_user:write', 403);
        if (!access.ok) return access.outcome;
        const problem =
          requiredBodyProblem(request, '{ "first_name"?, "last_name"?, "email"?, "mobile"?, "subrole"?, "status"? }') ??
          (await contract.checkBody(request.json));
        if (problem) return { ...base, status: 400, reason: problem };
        const patch = request.json as Patch;
        const subrole = patch.subrole === undefined ? undefined : chooseSubrole(access.customer, patch.subrole);
        if (typeof subrole === 'string') return { ...base, status: 400, reason: subrole };
        const id = request.params[USER_PARAM] as string;
        return retried(async () => {
          const user = await store.getUser({ id });
          if (user === undefined || user.status === 'REMOVED' || user.customerId !== access.customer.id) {
            return { ...base, status: 404, reason: `customer ${access.customer.id} has no user ${id.slice(0, 80)}` };
          }
          const next = changed(user, patch, subrole?.code, clock(), actorOf(known));
          const result = await store.putUser(next, user.version);
          if (result === 'email-taken') return withMessage(base, 400, 'Another customer user exists with the same email.');
          return result === 'ok' ? success(base, updated, `updated user ${user.id}${deactivation(user, next)}`) : undefined;
        });
      },
    };
  },
} satisfies Operation;

/** The user with the patch applied, audited; a deactivation ends its sign-ins (`signInsFrom`). */
function changed(user: UserRecord, patch: Patch, subrole: string | undefined, now: number, actor: string | undefined): UserRecord {
  const email = patch.email?.toLowerCase();
  const deactivated = patch.status === 'INACTIVE' && user.status !== 'INACTIVE';
  return {
    ...user,
    ...(patch.first_name === undefined ? {} : { givenName: patch.first_name }),
    ...(patch.last_name === undefined ? {} : { familyName: patch.last_name }),
    ...(email === undefined || email === user.email ? {} : { email, isEmailVerified: false }),
    ...(patch.mobile === undefined ? {} : { mobile: patch.mobile }),
    ...(subrole === undefined ? {} : { subrole }),
    ...(patch.status === undefined ? {} : { status: patch.status }),
    // A sign-in of this very millisecond is over too: it began before the deactivation answered.
    ...(deactivated ? endSignIns(user, now, 'deactivation') : {}),
    updatedAt: now,
    ...(actor === undefined ? {} : { updatedBy: actor }),
    version: user.version + 1,
  };
}

function deactivation(before: UserRecord, after: UserRecord): string {
  if (before.status !== after.status) return after.status === 'INACTIVE' ? ': deactivated, its sign-ins ended' : ': active again';
  return '';
}
