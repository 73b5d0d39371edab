import type { Outcome, OutcomeBase } from './outcome.ts';
import type { OperationRequest } from './request.ts';

/** The body as a JSON object, or undefined. */
export function objectOf(json: unknown): Record<string, unknown> | undefined {
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
}

/**
 * A success built from state in the shape of the spec's example for it: the example's `status` and `message`, and
 * `data` when the operation answers some.
 */
export function success(base: OutcomeBase, example: unknown, reason: string, data?: unknown): Outcome {
  const { status, message } = objectOf(example) ?? {};
  // Without data, JSON leaves `data` out.
  return { ...base, status: 200, reason, body: { status, message, data } };
}

/**
 * A status whose example states a reason that is not the one at hand (reset's "link has expired" for a weak
 * password): the example with the true `message` (and `--bad-request-code`), so the body stays valid against its schema.
 */
export function withMessage(base: OutcomeBase, status: number, message: string): Outcome {
  return { ...base, status, reason: message, message };
}

/**
 * Why a body the operation requires cannot be read as its schema's object, or undefined: none, not JSON, not an
 * object. `shape` names the fields a client should send (`{ "email", "password" }`).
 */
export function requiredBodyProblem(request: OperationRequest, shape: string): string | undefined {
  if (!request.hasBody) return `body is required: a JSON object ${shape}`;
  if (request.json === undefined) return `body must be JSON (Content-Type: application/json): ${shape}`;
  if (objectOf(request.json) === undefined) return `body must be a JSON object ${shape}`;
  return undefined;
}
