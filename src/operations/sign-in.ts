import { serialize } from 'cookie';
import { headerSafe, SpecError } from '../errors.ts';
import type { Store, UserRecord } from '../state/store.ts';
import type { Claims } from '../tokens/issuer.ts';
import { isEmail } from '../users/formats.ts';
import { passwordMatches, uuidFor } from '../users/user.ts';
import { firstSteps } from './first-steps.ts';
import { type Outcome, type OutcomeBase, storeFailed } from './outcome.ts';
import type { OperationRequest } from './request.ts';

/** The tokens of one new sign-in, as `POST /__mock/tokens` mints them. */
export type SignInTokens = { readonly token: string; readonly claims: Claims; readonly idToken: string; readonly refreshToken: string };

/** Where the refresh-token cookie goes: its name, path and lifetime (seconds). */
export type RefreshCookie = { readonly name: string; readonly path: string; readonly maxAgeSeconds: number };

/** What the sign-in decision depends on. */
export type SignInDeps = {
  readonly statuses: readonly number[];
  /** The spec's 200 example of sign-in: its `status`, `message` and `subrole` are the answer's. */
  readonly example: Readonly<Record<string, unknown>>;
  readonly store: Store;
  /** Mints and records a new sign-in for the user (a new `origin_jti`). */
  readonly signIn: (user: UserRecord) => Promise<SignInTokens>;
  /** The status wrong credentials answer: the documented 400, or the documented 500 (`--sign-in-failure 500`). */
  readonly failureStatus: 400 | 500;
  /** `single`: the schema's shape (`data.id_token`); `double`: the page example's (`data.data.id_token`). */
  readonly wrap: 'single' | 'double';
  readonly refreshCookie: RefreshCookie;
  readonly clock: () => number;
};

/** One answer for an unknown email, a wrong password and a disabled user: the mock teaches no account enumeration. */
export const BAD_CREDENTIALS = 'email or password is incorrect, or the user is disabled';

const DECIDES = [200, 400, 500] as const;

/**
 * Builds the Customer Sign In decision (spec: `POST /customer/sign-in`; DESIGN.md "Sign-in and refresh"), in order:
 * armed fault → `Prefer`/`__code` → malformed body → request schema → credentials → 200 with a new sign-in.
 * Throws SpecError at build time when the spec does not document a status it answers with.
 */
export function createSignIn(deps: SignInDeps): (request: OperationRequest) => Promise<Outcome> {
  const { statuses, store, clock } = deps;
  const missing = DECIDES.filter((status) => !statuses.includes(status));
  if (missing.length > 0) throw new SpecError(`sign-in must document ${missing.join(', ')}: its decision answers with them`);
  const { status, message, subrole } = successParts(deps.example);

  return async function decide(request) {
    let email: string | undefined;
    let base: OutcomeBase = { delayMs: 0 };
    try {
      const body =
        request.json !== null && typeof request.json === 'object' && !Array.isArray(request.json) ? (request.json as Record<string, unknown>) : undefined;
      // Looked up as given (an address may be 254 characters, more than headerSafe keeps); named in the journal only
      // when it is an address: a password typed into the email field must not reach the journal or the log.
      const given = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : undefined;
      const address = given !== undefined && isEmail(given) ? given : undefined;
      email = address === undefined ? undefined : headerSafe(address);
      const user = address !== undefined ? await store.getUser(address) : undefined;
      const now = clock();

      // 1–2. An armed fault for sign-in (match.sub applies once the email names a known user); a per-request override.
      const fault = request.skipFaults ? undefined : await store.takeFault({ operation: 'sign-in', sub: user?.sub, session: request.session }, now);
      const first = firstSteps(fault, request, statuses, { email });
      base = first.base;
      if (first.outcome) return first.outcome;

      // 3. Malformed: a body that is missing, not JSON, not an object, or over the limit.
      const malformed = request.malformed ?? bodyProblem(request);
      if (malformed) return { ...base, status: 400, reason: malformed };

      // 4. The request schema: email and password required strings, email in email format.
      const invalid = schemaProblem(body as Record<string, unknown>);
      if (invalid) return { ...base, status: 400, reason: invalid };

      // 5. Unknown email, wrong password or disabled user: one answer for all three.
      if (!passwordMatches(user, (body as { password: string }).password)) return { ...base, status: deps.failureStatus, reason: BAD_CREDENTIALS };

      // 6. Success: a new sign-in, exactly the tokens POST /__mock/tokens mints.
      const known = user as UserRecord;
      const tokens = await deps.signIn(known);
      const payload = {
        user_details: { id: uuidFor(known.sub), first_name: known.givenName, last_name: known.familyName, email: known.email, is_email_verified: true },
        access_token: tokens.token,
        id_token: tokens.idToken,
        refresh_token: tokens.refreshToken,
        ...(subrole === undefined ? {} : { subrole }),
        permissions: known.permissions,
        customer_details: { id: known.customerId, name: known.customerName },
      };
      return {
        ...base,
        claims: tokens.claims,
        status: 200,
        reason: `signed in: new sign-in ${tokens.claims.origin_jti}`,
        body: deps.wrap === 'double' ? { status, message, data: { status, message, data: payload } } : { status, message, data: payload },
        cookies: [refreshCookie(deps.refreshCookie, tokens.refreshToken)],
      };
    } catch (error) {
      // The store failed: the documented 500, never a stack trace.
      return storeFailed(error, { ...base, email });
    }
  };
}

/** The `Set-Cookie` value that hands the refresh token to a browser app: HttpOnly, SameSite=Lax, on the base path. */
export function refreshCookie(cookie: RefreshCookie, value: string): string {
  return serialize(cookie.name, value, { httpOnly: true, sameSite: 'lax', path: cookie.path, maxAge: cookie.maxAgeSeconds });
}

/** Why the body cannot be read as the request schema's object, or undefined. */
function bodyProblem(request: OperationRequest): string | undefined {
  if (!request.hasBody) return 'body is required: a JSON object { "email", "password" }';
  if (request.json === undefined) return 'body must be JSON (Content-Type: application/json): { "email", "password" }';
  if (request.json === null || typeof request.json !== 'object' || Array.isArray(request.json)) return 'body must be a JSON object { "email", "password" }';
  return undefined;
}

/** The first field the request schema refuses, named, or undefined. */
function schemaProblem(body: Record<string, unknown>): string | undefined {
  if (typeof body.email !== 'string') return body.email === undefined ? 'email is required' : 'email must be a string';
  if (typeof body.password !== 'string') return body.password === undefined ? 'password is required' : 'password must be a string';
  if (!isEmail(body.email.trim())) return 'email is not an email address (format: email)';
  return undefined;
}

/** `status`, `message` and `subrole` of the spec's 200 example (its payload may be wrapped once or twice). */
function successParts(example: Readonly<Record<string, unknown>>): { status: unknown; message: unknown; subrole: unknown } {
  const data = example.data as Record<string, unknown> | undefined;
  const inner = (data?.data as Record<string, unknown> | undefined) ?? data;
  return { status: example.status, message: example.message, subrole: inner?.subrole };
}
