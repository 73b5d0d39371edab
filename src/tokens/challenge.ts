import { headerSafe } from '../errors.ts';

/** The realm named in every `WWW-Authenticate` challenge. */
export const REALM = 'worth-auth-mock';

/** RFC 6750 §3's error codes a challenge may carry. */
export type ChallengeError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** RFC 6750 §3.1's answer to a request with no credentials: the realm, and no error. */
export const NO_CREDENTIALS_CHALLENGE = `Bearer realm="${REALM}"`;

/** Challenges already built, by error, then reason (reasons repeat: most are fixed texts). */
const built = new Map<string, Map<string, string>>();

/**
 * The `WWW-Authenticate` value for a refused bearer token (RFC 6750 §3): realm, `error` and an
 * `error_description` that is the reason, header-safe and bounded, quotes and backslashes replaced.
 */
export function bearerChallenge(error: ChallengeError, description: string): string {
  const text = headerSafe(description); // Bounded (200 characters): a reason may quote what a client sent.
  let byReason = built.get(error);
  if (byReason === undefined) {
    byReason = new Map();
    built.set(error, byReason);
  }
  let made = byReason.get(text);
  if (made === undefined) {
    made = `Bearer realm="${REALM}", error="${error}", error_description="${text.replace(/["\\]/g, "'")}"`;
    if (byReason.size >= 256) byReason.clear(); // Reasons that quote input (a role, a delay) must not grow it.
    byReason.set(text, made);
  }
  return made;
}

/** The challenge HTTP requires of a forced 401 (`invalid_token`) or 403 (`insufficient_scope`); undefined for other statuses. */
export function challengeForStatus(status: number, reason: string): string | undefined {
  if (status === 401) return bearerChallenge('invalid_token', reason);
  if (status === 403) return bearerChallenge('insufficient_scope', reason);
  return undefined;
}
