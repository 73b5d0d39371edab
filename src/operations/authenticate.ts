import type { UserRecord } from '../state/records.ts';
import type { Store } from '../state/store.ts';
import { bearerSyntaxProblem, readBearer } from '../tokens/bearer.ts';
import { bearerChallenge, NO_CREDENTIALS_CHALLENGE } from '../tokens/challenge.ts';
import type { Claims } from '../tokens/issuer.ts';
import { TOKEN_EXPIRED } from '../tokens/numeric-date.ts';
import { type RevocationKeys, revocationKeys } from '../tokens/revocation.ts';
import type { TokenCheck, TokenVerifier } from '../tokens/token-verifier.ts';
import { signInEnded } from '../users/sign-in-rules.ts';
import type { OperationRequest } from './request.ts';
import type { Subject } from './subject.ts';

/**
 * A request's caller, as the shared authentication step finds it: authenticated (the token's claims, its revocation
 * keys, the user its `sub` names, the customer it belongs to), or refused with the status, reason and RFC 6750 §3
 * challenge its answer carries. `subject` is what fault scopes and the journal see either way.
 */
export type Caller =
  | {
      readonly ok: true;
      readonly subject: Subject;
      readonly claims: Claims;
      readonly keys: RevocationKeys;
      /** The user whose `sub` the token names; undefined for a token minted for no user (`POST /__mock/tokens`). */
      readonly user: UserRecord | undefined;
    }
  | {
      readonly ok: false;
      readonly subject: Subject;
      /** 400 (`invalid_request`: more than one Authorization header) or 401. */
      readonly status: 400 | 401;
      readonly reason: string;
      readonly challenge: string;
      /** True when the token is valid but its sign-in (or the token) was logged out: an operation may answer that its own way. */
      readonly revoked: boolean;
    };

/** The shared authentication step: one request's caller (at once when it has no credentials, else once its sign-in is read). */
export type Authenticate = (request: OperationRequest) => Caller | Promise<Caller>;

/** What the step is built from. */
export type AuthenticateDeps = { readonly verifier: TokenVerifier; readonly store: Store; readonly clock: () => number };

const NOBODY: Subject = Object.freeze({});
const MORE_THAN_ONE = 'more than one Authorization header';

/** The caller of a request with more than one Authorization header (RFC 6750 §3.1 `invalid_request`), made once. */
const DUPLICATED: Caller = Object.freeze(refused(NOBODY, 400, MORE_THAN_ONE, bearerChallenge('invalid_request', MORE_THAN_ONE)));

/** The callers of requests without credentials, by why (no header, another scheme: `readBearer`'s two reasons), made once each. */
const withoutCredentials = new Map<string, Caller>();

function noCredentials(reason: string): Caller {
  let caller = withoutCredentials.get(reason);
  if (caller === undefined) {
    caller = Object.freeze(refused(NOBODY, 401, reason, NO_CREDENTIALS_CHALLENGE));
    // Stryker disable next-line all: equivalent, a memo
    withoutCredentials.set(reason, caller);
  }
  return caller;
}

/**
 * Builds the shared authentication step every bearer-protected operation takes (RFC 6750): exactly one `Authorization`
 * header (§2.1; more is `invalid_request`, 400), the Bearer scheme (case-insensitive; none is 401 with the bare realm
 * challenge, §3.1), the token verified (a token this process minted by its exact string, any other by its signature,
 * `alg`, `kid`, issuer, `exp`/`nbf`/`iat` and use: else 401 `invalid_token`), then its sign-in in the store: logged out
 * (`sid:`/`jti:` revoked), expired on request (answered as a natural expiry: `token expired`), or its user deactivated or
 * removed → 401 `invalid_token`. Rejects only
 * when the store fails (the operation answers its documented 500).
 */
export function createAuthenticate(deps: AuthenticateDeps): Authenticate {
  const { verifier, store, clock } = deps;

  function checkToken(token: string): Promise<TokenCheck> | TokenCheck {
    // A token the mock minted is known by its exact string: no syntax or signature to check (a ~1 KB scan each).
    const known = verifier.known(token);
    if (known !== undefined) return known;
    const problem = bearerSyntaxProblem(token);
    return problem === undefined ? verifier.verify(token) : { ok: false, reason: problem };
  }

  /** A minted token's caller when no user has its sub, made once per token (the pooled request allocates none). */
  const userless = new WeakMap<Claims, Caller>();

  async function confirm(token: string, claims: Claims): Promise<Caller> {
    const keys = revocationKeys(claims, token);
    const state = await store.signInState(keys.checked, claims.sub, clock());
    const user = state.user;
    const claimed = claims['custom:customer_id'];
    const customer = typeof claimed === 'string' ? claimed : user?.customerId;
    if (state.revoked === undefined && user === undefined && Object.isFrozen(claims)) {
      let caller = userless.get(claims);
      if (caller === undefined) {
        caller = Object.freeze({ ok: true, subject: Object.freeze({ sub: claims.sub, sid: claims.origin_jti, customer, claims }), claims, keys, user });
        // Stryker disable next-line all: equivalent, a memo
        userless.set(claims, caller);
      }
      return caller;
    }
    const subject: Subject = { sub: claims.sub, sid: claims.origin_jti, customer, claims };
    if (state.revoked !== undefined) {
      // Expired on request (`sessions expire`) answers what a natural expiry answers, word for word: apps key on it.
      if (state.revoked === keys.expired) return invalid(subject, TOKEN_EXPIRED, false);
      return invalid(subject, 'token has been revoked', true);
    }
    const ended = signInEnded(user, claims.origin_jti);
    if (ended !== undefined) return invalid(subject, `token is no longer valid: ${ended}`, false);
    return { ok: true, subject, claims, keys, user };
  }

  return function authenticate(request) {
    if (request.authorizationCount > 1) return DUPLICATED;
    const bearer = readBearer(request.authorization);
    if (bearer.token === undefined) return noCredentials(bearer.missing);
    const token = bearer.token;
    const check = checkToken(token);
    // A token the mock minted is checked at once, without a turn; any other waits for its signature check.
    if (!(check instanceof Promise))
      return check.ok ? confirm(token, check.claims) : refused(NOBODY, 401, check.reason, bearerChallenge('invalid_token', check.reason));
    return check.then((checked) =>
      checked.ok ? confirm(token, checked.claims) : refused(NOBODY, 401, checked.reason, bearerChallenge('invalid_token', checked.reason)),
    );
  };
}

function refused(subject: Subject, status: 400 | 401, reason: string, challenge: string): Caller {
  return { ok: false, subject, status, reason, challenge, revoked: false };
}

function invalid(subject: Subject, reason: string, revoked: boolean): Caller {
  return { ok: false, subject, status: 401, reason, challenge: bearerChallenge('invalid_token', reason), revoked };
}
