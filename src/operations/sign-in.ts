import { serialize } from 'cookie';
import { headerSafe } from '../errors.ts';
import type { UserRecord } from '../state/records.ts';
import { permissionsOf, subroleOf } from '../users/customers.ts';
import { isEmail } from '../users/formats.ts';
import { passwordMatches } from '../users/user.ts';
import { demoOrFirstUser } from '../users/user-directory.ts';
import { objectOf, requiredBodyProblem } from './answers.ts';
import type { Operation, OperationContext, Subject } from './operation.ts';
import type { Outcome, OutcomeBase } from './outcome.ts';

/** A sign-in request's subject: the user its email names, when it names one. */
type SignInSubject = Subject & { readonly user?: UserRecord };

/** Where the refresh-token cookie goes: its name, path and lifetime (seconds). */
export type RefreshCookie = { readonly name: string; readonly path: string; readonly maxAgeSeconds: number };

/** One answer for an unknown email, a wrong password and a disabled user: the mock teaches no account enumeration. */
export const BAD_CREDENTIALS = 'email or password is incorrect, or the user is disabled';

/**
 * Customer Sign In (spec: operationId `sign-in`, `POST /customer/sign-in`, public). After the shared steps, its own:
 * a body that is missing, not JSON or not an object → 400; the request schema (email and password required strings,
 * email in `format: email`, read as `check` reads it) → 400 naming the field; an unknown email, a wrong password or a
 * disabled user → the same documented 400 for all three (`--sign-in-failure 500`: the documented 500); else 200 with a
 * new sign-in whose tokens are exactly what `POST /__mock/tokens` mints, and the refresh cookie. A forced 200 signs in
 * the body's user when it names one, else the demo user.
 */
export const signIn = {
  name: 'sign-in' as const,
  decides: [200, 400, 500],
  body: 'json-untyped',
  // A sign-in request has no sign-in yet (it makes one): only its user, once the email names one.
  scopes: ['sub', 'customer'],
  create(context, contract) {
    const { store, config } = context;
    const answer = successAnswer(context, contract.examples.get(200));

    return {
      /** The user the body's email names (lower-cased), and the email when it is an address: never a password typed there. */
      async identify(request): Promise<SignInSubject> {
        const given = objectOf(request.json)?.email;
        const address = typeof given === 'string' ? given.toLowerCase() : undefined;
        if (address === undefined || !isEmail(address)) return {};
        const user = await store.getUser({ email: address });
        return { sub: user?.sub, customer: user?.customerId, email: headerSafe(address), user };
      },
      async decide(request, { base, subject }) {
        const problem = requiredBodyProblem(request, '{ "email", "password" }') ?? (await contract.checkBody(request.json));
        if (problem) return { ...base, status: 400, reason: problem };
        // The schema held, so the email is an address: the user identify looked up is the one it names.
        const { user } = subject as SignInSubject;
        if (!passwordMatches(user, (request.json as { password: string }).password)) return { ...base, status: config.signInFailure, reason: BAD_CREDENTIALS };
        return answer(user as UserRecord, base);
      },
      async success(_request, { base, subject }) {
        return answer((subject as SignInSubject).user ?? (await demoOrFirstUser(store, context.clock())), base);
      },
    };
  },
} satisfies Operation;

/** Builds the 200 of a new sign-in of a user, in the configured wrap, with the refresh cookie. */
function successAnswer(context: OperationContext, example: unknown): (user: UserRecord, base: OutcomeBase) => Promise<Outcome> {
  const { config, signIns, basePath, store } = context;
  const { status, message } = successParts(example);
  const cookie: RefreshCookie = { ...refreshCookieAt(config.refreshCookie, basePath), maxAgeSeconds: config.refreshTtlSeconds };
  return async (user, base) => {
    const [tokens, customer] = await Promise.all([signIns.start(user), store.getCustomer(user.customerId)]);
    const subrole = subroleOf(customer, user);
    const payload = {
      user_details: { id: user.id, first_name: user.givenName, last_name: user.familyName, email: user.email, is_email_verified: user.isEmailVerified },
      access_token: tokens.token,
      id_token: tokens.idToken,
      refresh_token: tokens.refreshToken,
      ...(subrole === undefined ? {} : { subrole: { id: subrole.id, code: subrole.code, label: subrole.label } }),
      permissions: permissionsOf(user, customer),
      customer_details: { id: user.customerId, name: customer?.name ?? user.customerId },
    };
    return {
      ...base,
      claims: tokens.claims,
      email: user.email,
      status: 200,
      reason: `signed in: new sign-in ${tokens.claims.origin_jti}`,
      body: config.signInWrap === 'double' ? { status, message, data: { status, message, data: payload } } : { status, message, data: payload },
      cookies: [refreshCookie(cookie, tokens.refreshToken)],
    };
  };
}

/** The refresh cookie's name and path (the mock's base path, `/` when it has none): where sign-in sets it and logout clears it. */
export function refreshCookieAt(name: string, basePath: string): Pick<RefreshCookie, 'name' | 'path'> {
  return { name, path: basePath || '/' };
}

/** The `Set-Cookie` value that hands the refresh token to a browser app: HttpOnly, SameSite=Lax, on the base path. */
export function refreshCookie(cookie: RefreshCookie, value: string): string {
  return serialize(cookie.name, value, { httpOnly: true, sameSite: 'lax', path: cookie.path, maxAge: cookie.maxAgeSeconds });
}

/** The `Set-Cookie` value that takes the refresh token back (a logout): the same cookie, empty, `Max-Age=0`. */
export function clearedRefreshCookie(cookie: Pick<RefreshCookie, 'name' | 'path'>): string {
  return refreshCookie({ ...cookie, maxAgeSeconds: 0 }, '');
}

/** `status` and `message` of the spec's 200 example. */
function successParts(example: unknown): { status: unknown; message: unknown } {
  const outer = objectOf(example);
  return { status: outer?.status, message: outer?.message };
}
