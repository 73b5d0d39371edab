import type { MailTokenCheck } from '../tokens/mail-tokens.ts';
import { passwordPolicyProblem } from '../users/password-policy.ts';
import { endSignIns } from '../users/sign-in-rules.ts';
import { hashPassword } from '../users/user.ts';
import { objectOf, requiredBodyProblem, success, withMessage } from './answers.ts';
import type { Operation, Subject } from './operation.ts';
import { retried } from './retried.ts';

/** A reset request's subject: its token opened (its user, for the fault scopes), when the body carries one. */
type ResetSubject = Subject & { readonly check?: MailTokenCheck };

/**
 * Reset Password (spec: operationId `reset-password`, `POST /reset-password`, public). After the shared steps, in
 * order: a body that is not a JSON object or fails its schema → 400 naming the field; a password that fails the policy
 * (see password-policy.ts) → 400 with every failed rule as its message; a `reset_token` the mock did not sign (bad
 * signature, not a JWT) → the page's 500 (`invalid signature`); expired, already used, or superseded by a newer link →
 * the page's 400 (`This reset password link has expired`); a user deactivated since the link was mailed → that 400
 * saying so; else 200: the new password works, the old one no longer does, the user's email counts as verified, and
 * every sign-in it had ends (a security-minded service assumes the account may have been taken over; its tokens
 * answer 401 and its refresh tokens no longer refresh).
 */
export const resetPassword = {
  name: 'reset-password' as const,
  decides: [200, 400, 500],
  body: 'json-untyped',
  badRequestMessage: 'reason',
  scopes: ['sub', 'customer'],
  create({ store, clock, mailTokens }, contract) {
    const changed = contract.examples.get(200);
    return {
      async identify(request): Promise<ResetSubject> {
        const token = objectOf(request.json)?.reset_token;
        if (typeof token !== 'string' || token === '') return {};
        const check = await mailTokens.open('password-reset', token);
        if (!check.ok) return { check };
        const user = await store.getUser({ id: check.userId });
        return { sub: user?.sub, customer: user?.customerId, check };
      },
      async decide(request, { base, subject }) {
        const problem = requiredBodyProblem(request, '{ "password", "reset_token" }') ?? (await contract.checkBody(request.json));
        if (problem) return withMessage(base, 400, problem);
        const body = request.json as { password: string; reset_token: string };
        const weak = passwordPolicyProblem(body.password);
        if (weak) return withMessage(base, 400, weak);
        const check = (subject as ResetSubject).check;
        if (check === undefined || (!check.ok && check.problem === 'invalid'))
          return { ...base, status: 500, reason: `reset_token: ${check?.reason ?? 'jwt must be provided'}` };
        if (!check.ok)
          return check.problem === 'expired'
            ? { ...base, status: 400, reason: 'reset_token: expired' }
            : withMessage(base, 400, 'This link is not a password reset link');
        return retried(async () => {
          const user = await store.getUser({ id: check.userId });
          if (user === undefined || user.status === 'REMOVED') return { ...base, status: 400, reason: 'reset_token: its user no longer exists' };
          if (user.passwordReset !== check.jti) return { ...base, status: 400, reason: 'reset_token: already used, or superseded by a newer link' };
          // As Cognito refuses a disabled user's confirmation: a link mailed before the deactivation does not let it in.
          if (user.status !== 'ACTIVE') return withMessage(base, 400, 'This user is deactivated: the link no longer works');
          const now = clock();
          const { passwordReset: _used, ...rest } = user;
          const next = {
            ...rest,
            ...hashPassword(body.password),
            isEmailVerified: true,
            ...endSignIns(user, now, 'password-reset'),
            updatedAt: now,
            version: user.version + 1,
          };
          if ((await store.putUser(next, user.version)) !== 'ok') return undefined;
          return success(base, changed, `password of user ${user.id} reset: its sign-ins ended`);
        });
      },
    };
  },
} satisfies Operation;
