import { shown } from '../errors.ts';
import type { Fault, FaultMatch } from './fault.ts';

/** What arming a fault answers (`POST /__mock/faults` 201, `mock.faults.arm()`): the fault as armed, and `warnings` when there are any. */
export type ArmedFault = Fault & {
  /** Why the fault may never fire (its scope matches no sign-in or customer the mock knows); absent when none. Never a refusal. */
  readonly warnings?: readonly string[];
};

/** The sign-ins (`sid`, the tokens' `origin_jti`) and customers (`sub`) the mock knows: from issued tokens and users. */
export type KnownScopes = { readonly sids: ReadonlySet<string>; readonly subs: ReadonlySet<string> };

/** A sign-in id shortened for display (`6f1c…`, `6f1c...`): it can never match a whole one. */
const SHORTENED = /(?:…|\.\.\.)$/;

/**
 * Warnings for a fault whose scope names a sign-in (`match.sid`) or a customer (`match.sub`) the mock does not know:
 * armed as asked (a scope may name a sign-in yet to come), but said, because such a fault silently never fires when
 * the id was mistyped or pasted shortened. Empty when the scope is global or known.
 */
export function scopeWarnings(match: FaultMatch, known: KnownScopes): string[] {
  const warnings: string[] = [];
  if (match.sid !== undefined && !known.sids.has(match.sid)) {
    const shortened = SHORTENED.test(match.sid) ? ' It looks shortened: a shortened id never matches.' : '';
    warnings.push(
      `match.sid ${shown(match.sid)} is no sign-in this mock knows: the fault fires only for a sign-in with exactly that id.${shortened} ` +
        'Copy the whole sid (the tokens\' origin_jti) from "worth-auth-mock sessions" or GET /__mock/sessions.',
    );
  }
  if (match.sub !== undefined && !known.subs.has(match.sub)) {
    warnings.push(
      `match.sub ${shown(match.sub)} is no customer this mock knows (no user and no issued token has that sub): ` +
        'the fault fires only once a token with exactly that sub is presented.',
    );
  }
  return warnings;
}

/** The fault with its warnings attached, or the fault alone when there are none. */
export function withWarnings(fault: Fault, warnings: readonly string[]): ArmedFault {
  return warnings.length === 0 ? fault : { ...fault, warnings };
}
