import type { Fault } from '../faults/fault.ts';
import { forced, type Outcome, type OutcomeBase } from './outcome.ts';
import { readOverride } from './override.ts';
import type { OperationRequest } from './request.ts';

/** Where the first two steps leave a request: answered (`outcome`), or on to the operation's own steps with `base`. */
export type FirstSteps = { readonly outcome: Outcome; readonly base: OutcomeBase } | { readonly outcome?: undefined; readonly base: OutcomeBase };

/**
 * Steps 1 and 2 of every contract operation's decision (DESIGN.md), once the operation has taken its fault from
 * the store (atomically, with its own match context): the fault's status (with the challenge a 401/403 needs),
 * network fault and delay; then a per-request override (`Prefer: code=`/`delay=`, `?__code=`/`?__delay=`; a bad
 * one answers 400). `known` is what the journal keeps whatever the answer (claims, email). Synchronous: the hot
 * path gains no promise.
 */
export function firstSteps(
  fault: Fault | undefined,
  request: OperationRequest,
  statuses: readonly number[],
  known: Pick<OutcomeBase, 'claims' | 'email'> = {},
): FirstSteps {
  let delayMs = 0;
  let faultId: string | undefined;
  if (fault) {
    faultId = fault.id;
    delayMs = fault.delayMs;
    const base = { ...known, delayMs, faultId };
    if (fault.network) return { base, outcome: { ...base, status: 0, reason: `network fault ${fault.network}`, network: fault.network } };
    if (fault.status !== null) return { base, outcome: forced(fault.status, `fault ${fault.id} armed`, base) };
  }
  const override = readOverride(request, statuses);
  const base = { ...known, delayMs: delayMs + override.delayMs, faultId };
  if (override.error) return { base, outcome: { ...base, status: 400, reason: override.error } };
  if (override.code !== undefined) return { base, outcome: forced(override.code, `override code=${override.code}`, base) };
  return { base };
}
