import { headerSafe } from '../errors.ts';
import type { UserRecord } from '../state/records.ts';
import { isEmail } from '../users/formats.ts';
import { objectOf, requiredBodyProblem, success } from './answers.ts';
import type { Operation, Subject } from './operation.ts';
import { retried } from './retried.ts';

/** A forgot-password request's subject: the user its email names, when it names one. */
type ForgotSubject = Subject & { readonly user?: UserRecord };

/**
 * Forgot Password Init (spec: operationId `forgot-password`, `POST /forgot-password`, public). After the shared
 * steps: a body that is not a JSON object or fails its schema → 400 naming the field; else the documented 200 for any
 * email (no account enumeration: the answer never says whether it names a user), and a password-reset link goes to
 * the outbox only for a user who is active and has signed up (an invited user has its invitation; a deactivated or
 * removed one gets nothing). Each new link supersedes the user's earlier ones.
 */
export const forgotPassword = {
  name: 'forgot-password' as const,
  decides: [200, 400, 500],
  body: 'json-untyped',
  scopes: ['sub', 'customer'],
  create({ store, mailer }, contract) {
    const sent = contract.examples.get(200);
    return {
      async identify(request): Promise<ForgotSubject> {
        const given = objectOf(request.json)?.email;
        const email = typeof given === 'string' ? given.toLowerCase() : undefined;
        if (email === undefined || !isEmail(email)) return {};
        const user = await store.getUser({ email });
        return { sub: user?.sub, customer: user?.customerId, email: headerSafe(email), user };
      },
      async decide(request, { base, subject }) {
        const problem = requiredBodyProblem(request, '{ "email" }') ?? (await contract.checkBody(request.json));
        if (problem) return { ...base, status: 400, reason: problem };
        const named = (subject as ForgotSubject).user;
        if (named === undefined || named.status !== 'ACTIVE' || named.isFirstLogin) {
          return success(base, sent, named === undefined ? 'no user has that email: nothing sent' : `user ${named.id} may not reset a password: nothing sent`);
        }
        return retried(async () => {
          const user = await store.getUser({ id: named.id });
          if (user === undefined || user.status !== 'ACTIVE' || user.isFirstLogin) return success(base, sent, 'the user changed meanwhile: nothing sent');
          const mail = await mailer.passwordReset(user);
          if ((await store.putUser(mail.user, user.version)) !== 'ok') return undefined;
          await store.appendMessage(mail.message);
          return success(base, sent, `a password-reset link for user ${user.id} is in the outbox`);
        });
      },
    };
  },
} satisfies Operation;
