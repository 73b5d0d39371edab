import type { UserRecord } from '../state/records.ts';
import type { MailTokenCheck } from '../tokens/mail-tokens.ts';
import { passwordPolicyProblem } from '../users/password-policy.ts';
import { hashPassword } from '../users/user.ts';
import { demoOrFirstUser } from '../users/user-directory.ts';
import { objectOf, withMessage } from './answers.ts';
import type { Operation, Subject } from './operation.ts';
import type { Outcome, OutcomeBase } from './outcome.ts';
import { retried } from './retried.ts';

/** The path parameter that carries the invitation's token (a JWT: the journal and the request log show it as `{token}`). */
const TOKEN_PARAM = 'inviteToken';

/** An accept request's subject: its token opened (its user, for the fault scopes). */
type AcceptSubject = Subject & { readonly check?: MailTokenCheck };

/**
 * Accept Invitation (spec: operationId `accept-invitation`, `POST /invite/{inviteToken}/accept`, public; body
 * optional). After the shared steps, in order: a body that is not a JSON object or fails its schema → 400 naming the
 * field; no password (an invited user has none yet: the mock asks for one) or one that fails the policy → the page's
 * 400, its message every failed rule; an `inviteToken` the mock did not sign → the page's 500 (`invalid signature`);
 * expired, already accepted, superseded by a resend, or of a user since deactivated or removed → 400 saying which (the
 * page documents none of these: the mock answers them as its 400, with the true message); else 200: the user is
 * active and verified, its password set, and it is signed in (a new sign-in: the page's three tokens, real).
 */
export const acceptInvitation = {
  name: 'accept-invitation' as const,
  decides: [200, 400, 500],
  body: 'json-untyped',
  badRequestMessage: 'reason',
  scopes: ['sub', 'customer'],
  create({ store, clock, mailTokens, signIns }, contract) {
    const { status, message } = objectOf(contract.examples.get(200)) ?? {};
    /** The 200 of a user who accepted (or who a forced 200 signs in): a new sign-in's three tokens, real. */
    const answer = async (user: UserRecord, base: OutcomeBase, reason: string): Promise<Outcome> => {
      const tokens = await signIns.start(user);
      const data = { access_token: tokens.token, id_token: tokens.idToken, refresh_token: tokens.refreshToken, is_email_verified: user.isEmailVerified };
      return {
        ...base,
        claims: tokens.claims,
        status: 200,
        reason: `${reason}: new sign-in ${tokens.claims.origin_jti}`,
        body: { status, message, data },
      };
    };
    return {
      async identify(request): Promise<AcceptSubject> {
        const check = await mailTokens.open('invitation', request.params[TOKEN_PARAM] as string);
        if (!check.ok) return { check };
        const user = await store.getUser({ id: check.userId });
        return { sub: user?.sub, customer: user?.customerId, check };
      },
      async decide(request, { base, subject }) {
        const json = request.json;
        if (request.hasBody && json === undefined) return withMessage(base, 400, 'body must be JSON (Content-Type: application/json): { "password" }');
        if (json !== undefined && objectOf(json) === undefined) return withMessage(base, 400, 'body must be a JSON object { "password" }');
        const invalidBody = json === undefined ? undefined : await contract.checkBody(json);
        if (invalidBody) return withMessage(base, 400, invalidBody);
        const password = objectOf(json)?.password as string | undefined;
        if (password === undefined) return withMessage(base, 400, 'password is required: an invited user sets one to accept');
        const weak = passwordPolicyProblem(password);
        if (weak) return withMessage(base, 400, weak);
        const check = (subject as AcceptSubject).check as MailTokenCheck;
        if (!check.ok && check.problem === 'invalid') return { ...base, status: 500, reason: `inviteToken: ${check.reason}` };
        if (!check.ok) return withMessage(base, 400, check.problem === 'expired' ? 'This invitation link has expired' : 'This link is not an invitation');
        return retried(async () => {
          const user = await store.getUser({ id: check.userId });
          if (user === undefined || user.status === 'REMOVED') return withMessage(base, 400, 'The invited user no longer exists');
          if (!user.isFirstLogin) return withMessage(base, 400, 'This invitation has already been accepted');
          if (user.invitation !== check.jti) return withMessage(base, 400, 'This invitation was superseded by a newer one');
          if (user.status === 'INACTIVE') return withMessage(base, 400, 'The invited user is deactivated');
          const now = clock();
          const { invitation: _used, ...rest } = user;
          const next = { ...rest, ...hashPassword(password), isFirstLogin: false, isEmailVerified: true, updatedAt: now, version: user.version + 1 };
          if ((await store.putUser(next, user.version)) !== 'ok') return undefined;
          return answer(next, base, `invitation of user ${user.id} accepted`);
        });
      },
      async success(_request, { base, subject }) {
        const check = (subject as AcceptSubject).check;
        const invited = check?.ok ? await store.getUser({ id: check.userId }) : undefined;
        const user = invited !== undefined && invited.status !== 'REMOVED' ? invited : await demoOrFirstUser(store, clock());
        return answer(user, base, `signed in user ${user.id}, the invitation left as it was`);
      },
    };
  },
} satisfies Operation;
