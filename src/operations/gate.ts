import type { GateMode } from '../config/config.ts';
import { readBearer } from '../tokens/bearer.ts';
import { NO_CREDENTIALS_CHALLENGE } from '../tokens/challenge.ts';
import type { Claims } from '../tokens/issuer.ts';
import type { RevocationKeys } from '../tokens/revocation.ts';
import type { Authenticate, Caller } from './authenticate.ts';

/** A caller that sent a bearer the `presence` gate does not look into: no claims, no sign-in, no customer. */
const PRESENT: Caller = Object.freeze({
  ok: true,
  subject: Object.freeze({}),
  claims: Object.freeze({}) as Claims,
  keys: Object.freeze({ primary: '', all: [], checked: [], expired: undefined, signIn: false }) as RevocationKeys,
  user: undefined,
});

/**
 * The gate in front of a mounted document's bearer-protected operations, as its mode says: `verify` (the shared
 * authentication step: signature, `exp`/`nbf`, issuer, revoked sign-in, deactivated user; the customer then bound),
 * `presence` (any `Authorization: Bearer …` passes, nothing checked; none is a 401), `off` (null: no gate at all).
 */
export function gateOf(mode: GateMode, verify: Authenticate): Authenticate | null {
  if (mode === 'off') return null;
  if (mode === 'verify') return verify;
  return (request) => {
    const bearer = readBearer(request.authorization);
    if (bearer.token !== undefined && bearer.token !== '') return PRESENT;
    const reason = bearer.missing ?? 'bearer token is empty';
    return { ok: false, subject: PRESENT.subject, status: 401, reason, challenge: NO_CREDENTIALS_CHALLENGE, revoked: false };
  };
}
