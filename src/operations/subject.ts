import type { Claims } from '../tokens/issuer.ts';

/**
 * Who a request is about, as far as the mock knows before any step answers: the user (`sub`), the sign-in (`sid`, the
 * tokens' `origin_jti`), the customer (tenant), the token's claims, the email a sign-in named. Fault scopes match on
 * it, and the journal keeps it (never a raw token or a password).
 */
export type Subject = {
  readonly sub?: string;
  readonly sid?: string;
  readonly customer?: string;
  readonly claims?: Claims;
  readonly email?: string;
};
