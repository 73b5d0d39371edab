import type { OperationContract } from '../contract/contract.ts';
import { SpecError } from '../errors.ts';
import type { Authenticate, Caller } from './authenticate.ts';
import type { Known, Operation, OperationContext, Subject } from './operation.ts';
import { forced, type Outcome, type OutcomeBase, storeFailed } from './outcome.ts';
import { readOverride } from './override.ts';
import type { OperationRequest } from './request.ts';

/** One operation's decision: a request read → its outcome. Never rejects: a store that fails is the documented 500. */
export type Decide = (request: OperationRequest) => Promise<Outcome>;

const NOBODY: Subject = Object.freeze({});
const NO_DELAY: OutcomeBase = Object.freeze({ delayMs: 0 });

/**
 * The shared scaffold of every operation's decision, in order:
 * 1. the armed fault this request meets (taken atomically from the store, matched on the operation, the subject's
 *    user, sign-in and customer, and the test session): its status (a success built by the operation's `success`), its
 *    network fault, its delay;
 * 2. a per-request override (`Prefer: code=`/`delay=`, `?__code=`/`?__delay=`; a status the operation does not document
 *    answers 400 naming the allowed ones);
 * 3. malformed: more than one `Authorization` header (RFC 6750 §2.1), a body that cannot be read (over the limit, cut
 *    off, declared JSON but not parsing) → 400;
 * 4. authentication, where the spec requires a bearer (`security`), by `gate` (default the shared step): no, invalid,
 *    revoked or deactivated → 401 with its challenge (the operation may answer a revoked sign-in its own way);
 * 5. the operation's own decision.
 * A store that fails at any step answers the documented 500, never a stack trace. Throws SpecError at build time when
 * the spec does not document a status the operation's decision answers with.
 */
export function createDecision(
  operation: Operation,
  contract: OperationContract,
  context: OperationContext,
  gate: Authenticate | null = context.authenticate,
): Decide {
  const missing = operation.decides.filter((status) => !contract.statuses.includes(status));
  if (missing.length > 0) throw new SpecError(`${operation.name} must document ${missing.join(', ')}: its decision answers with them`);
  const steps = operation.create(context, contract);
  const { store, clock } = context;
  const { name } = operation;
  const { statuses } = contract;
  // A bearer the spec requires is checked by the gate given (the shared authentication step; a mounted document's gate may be looser, or off).
  const authenticate = contract.security.bearer && gate !== null ? gate : undefined;
  const reasonAsMessage = operation.badRequestMessage === 'reason';
  /** A 400 of the shared steps: its reason also the example's message where the operation's example states another cause. */
  const badRequest = (base: OutcomeBase, reason: string, challenge?: string): Outcome => {
    const outcome: Outcome = { ...base, status: 400, reason, challenge };
    return reasonAsMessage ? { ...outcome, message: reason } : outcome;
  };

  return async function decide(request) {
    let base = NO_DELAY;
    try {
      let caller = authenticate === undefined ? undefined : authenticate(request);
      if (caller instanceof Promise) caller = await caller; // a request without credentials is refused at once
      const subject = caller?.subject ?? (steps.identify === undefined ? NOBODY : await steps.identify(request));

      // 1–2. The armed fault this request meets; a per-request override.
      const fault = request.skipFaults
        ? undefined
        : await store.takeFault({ operation: name, sub: subject.sub, sid: subject.sid, customer: subject.customer, session: request.testSession }, clock());
      let delayMs = 0;
      if (fault !== undefined) {
        delayMs = fault.delayMs;
        base = { claims: subject.claims, email: subject.email, delayMs, faultId: fault.id };
        if (fault.network) return { ...base, status: 0, reason: `network fault ${fault.network}`, network: fault.network };
        if (fault.status !== null) return forcedOutcome(fault.status, `fault ${fault.id} armed`, { base, caller, subject }, request);
      }
      const override = readOverride(request, statuses);
      // The usual request (no fault, no override, nobody known) shares one base: nothing to allocate.
      if (fault !== undefined || override.delayMs > 0 || subject !== NOBODY)
        base = { claims: subject.claims, email: subject.email, delayMs: delayMs + override.delayMs, faultId: fault?.id };
      if (override.error) return badRequest(base, override.error);
      if (override.code !== undefined) return forcedOutcome(override.code, `override code=${override.code}`, { base, caller, subject }, request);

      // 3. Malformed.
      if (caller?.ok === false && caller.status === 400) return badRequest(base, caller.reason, caller.challenge);
      if (request.malformed) return badRequest(base, request.malformed);
      // 4. Authentication.
      if (caller?.ok === false) return caller.revoked && steps.revoked ? steps.revoked(base) : refusal(caller, base);
      // 5. The operation's own decision.
      return await steps.decide(request, { base, caller, subject } as Known);
    } catch (error) {
      return storeFailed(error, base);
    }
  };

  /**
   * A status a fault or an override forces, with the challenge a 401 or 403 needs; a success is built from state by
   * the operation's `success` where it has one (the reason then says both what forced it and what was built).
   */
  async function forcedOutcome(status: number, reason: string, known: ForcedKnown, request: OperationRequest): Promise<Outcome> {
    if (status < 200 || status > 299 || steps.success === undefined) return forced(status, reason, known.base);
    const made = await steps.success(request, known, status);
    return { ...made, reason: `${reason}: ${made.reason}` };
  }
}

/** What a forced success is built from: the caller may not have been authenticated. */
type ForcedKnown = Omit<Known, 'caller'> & { readonly caller: Caller | undefined };

/** Each refused caller's outcome on the shared base, made once (a request without credentials allocates none). */
const refusals = new WeakMap<Caller, Outcome>();

function refusal(caller: Caller & { ok: false }, base: OutcomeBase): Outcome {
  if (base !== NO_DELAY) return { ...base, status: caller.status, reason: caller.reason, challenge: caller.challenge };
  let outcome = refusals.get(caller);
  if (outcome === undefined) {
    outcome = Object.freeze({ ...base, status: caller.status, reason: caller.reason, challenge: caller.challenge });
    refusals.set(caller, outcome);
  }
  return outcome;
}
