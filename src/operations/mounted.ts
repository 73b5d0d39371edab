import type { GateMode } from '../config/config.ts';
import type { DocumentAnswer, DocumentAnswers } from '../contract/document-answers.ts';
import { forbidden } from './customer-access.ts';
import type { Decide } from './decision.ts';
import type { Operation } from './operation.ts';
import type { Outcome, OutcomeBase } from './outcome.ts';
import type { OperationRequest } from './request.ts';

/** How a mounted document is served: its title, where, its gate, and the path parameter that names the customer. */
export type MountSettings = { readonly title: string; readonly basePath: string; readonly gate: GateMode; readonly bind: string };

/**
 * An operation of a mounted document that has no module of its own, as a value: answered from its document behind the
 * gate. After the shared steps (a fault; `Prefer: code=` for any status it documents; the gate, per its spec's
 * `security` and the document's mode): where the gate verifies, a path parameter that names the customer (`bind`,
 * `customerID` by default) must be the token's customer, else its document's 403 (or the Auth Service's, flagged as
 * undocumented); then the answer Prism's mocker made when the document was mounted — `Prefer: example=<key>` picks a
 * named example, `Prefer: dynamic=true` has Prism make one now; neither passes the gate.
 */
export function mountedOperation(name: string, answers: DocumentAnswers, settings: MountSettings): Operation {
  return {
    name,
    decides: [],
    body: 'none',
    scopes: ['sub', 'sid', 'customer'],
    create(_context, contract) {
      const bound = settings.gate === 'verify' && contract.security.bearer && contract.path.includes(`{${settings.bind}}`);
      return {
        async decide(request, { base, caller }) {
          if (bound) {
            const wanted = request.params[settings.bind];
            const own = caller?.subject.customer;
            if (wanted !== own) return forbidden(own === undefined ? 'token belongs to no customer' : `token belongs to another customer (${own})`, base);
          }
          return answered(request, base, answers, undefined, settings);
        },
        success: (request, { base }, status) => answered(request, base, answers, status, settings),
      };
    },
  };
}

/** The answer a request asks for (`Prefer: example=`, `dynamic=`), of `status` when a fault or `code=` forces one. */
async function answered(
  request: OperationRequest,
  base: OutcomeBase,
  answers: DocumentAnswers,
  status: number | undefined,
  settings: MountSettings,
): Promise<Outcome> {
  const { example, dynamic } = preferOf(request.prefer);
  const chosen = await choose(answers, example, dynamic, status);
  if (chosen === undefined && example !== undefined && !dynamic)
    return { ...base, status: 400, reason: `no example "${example}"${status === undefined ? '' : ` of ${status}`} in ${settings.title}` };
  if (chosen === undefined) return { ...base, status: 500, reason: `${settings.title} gives no answer${status === undefined ? '' : ` of ${status}`} to send` };
  const { answer, how } = chosen;
  return { ...base, status: answer.status, reason: `answered from ${settings.title}: ${how}`, payload: answer.body, headers: answer.headers };
}

/** The answer `Prefer` picks (a named example, or one Prism makes now), else the static one; of `status` when given. */
async function choose(
  answers: DocumentAnswers,
  example: string | undefined,
  dynamic: boolean,
  status: number | undefined,
): Promise<{ answer: DocumentAnswer; how: string } | undefined> {
  if (dynamic) return { answer: await answers.dynamic(status), how: 'generated from its schema by Prism' };
  if (example !== undefined) {
    const answer = answers.example(example, status);
    return answer === undefined ? undefined : { answer, how: `its example "${example}"` };
  }
  const answer = status === undefined ? answers.default : answers.of(status);
  return answer === undefined ? undefined : { answer, how: 'its example' };
}

/**
 * A mounted operation's decision with the body its request prefers on an answer the operation did not build itself:
 * a status other than a success that a fault or `Prefer: code=` forces, or a refusal (the gate's 401, the customer's
 * 403). Where its document documents that status, `Prefer: example=<key>` picks that status's named example (when it
 * has one) and `dynamic=true` has Prism make one; the status never changes. Without `Prefer`, nothing is added per request.
 */
export function preferringBodies(decide: Decide, answers: DocumentAnswers, settings: MountSettings): Decide {
  return (request) => {
    const decided = decide(request);
    if (request.prefer === undefined) return decided;
    return decided.then(async (outcome) => {
      if (outcome.payload !== undefined || outcome.network !== undefined || answers.of(outcome.status) === undefined) return outcome;
      const { example, dynamic } = preferOf(request.prefer);
      if (example === undefined && !dynamic) return outcome;
      try {
        const chosen = await choose(answers, example, dynamic, outcome.status);
        if (chosen === undefined) return outcome;
        const { answer, how } = chosen;
        return { ...outcome, reason: `${outcome.reason}: answered from ${settings.title}: ${how}`, payload: answer.body, headers: answer.headers };
      } catch {
        return outcome; // Prism made no answer of that status: the static one stands.
      }
    });
  };
}

/** `example=<key>` and `dynamic=true` of a `Prefer` header (Prism's convention), quotes removed. */
function preferOf(prefer: string | undefined): { example?: string; dynamic: boolean } {
  if (prefer === undefined) return { dynamic: false };
  let example: string | undefined;
  let dynamic = false;
  for (const part of prefer.split(/[,;]/)) {
    const [name, value = ''] = part.split('=', 2).map((text) => text.trim().replace(/^"(.*)"$/, '$1'));
    if (name?.toLowerCase() === 'example' && value !== '') example = value;
    if (name?.toLowerCase() === 'dynamic') dynamic = value.toLowerCase() === 'true';
  }
  return { example, dynamic };
}
