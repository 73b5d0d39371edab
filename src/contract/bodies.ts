import type { OperationContract } from './contract.ts';

/**
 * An answer's JSON body as text, with its `Content-Length` (UTF-8 bytes) ready. Text, not a Buffer: node:http sends
 * a string body in one write together with the head, where a Buffer takes a second (writev) chunk.
 */
export type Body = { readonly text: string; readonly contentLength: string /** Its media type, when not `application/json`. */; readonly contentType?: string };

/** Makes the body of each documented status from the spec's examples. */
export type Bodies = {
  /**
   * The JSON body for `status`: its example, with `message` as the example's `message` when given (the example states
   * a reason that is not this answer's), or `reason` there with detailed errors. For a status the operation does not
   * document, the fallback's body (the Auth Service's shared ones, for a mounted document); throws when there is none.
   */
  of(status: number, reason: string, message?: string): Body;
  /** True when the operation documents `status`. */
  documents(status: number): boolean;
};

/** `value` as a JSON body. */
export function jsonBody(value: unknown): Body {
  const text = JSON.stringify(value);
  return { text, contentLength: String(Buffer.byteLength(text)) };
}

/**
 * Bodies are the spec's examples verbatim, serialized once (`--bad-request-code` applied to every 400); an answer's own
 * message, or the reason with `--detailed-errors`, replaces the example's `message` (the body stays valid: the
 * schemas give `message` as any string).
 */
export function createBodies(
  contract: Pick<OperationContract, 'examples' | 'statuses'>,
  options: { detailedErrors: boolean; badRequestCode: string | undefined },
  fallback?: Bodies,
): Bodies {
  const examples = new Map<number, unknown>();
  for (const [status, example] of contract.examples) {
    const object = example !== null && typeof example === 'object' && !Array.isArray(example) ? (example as Record<string, unknown>) : undefined;
    examples.set(
      status,
      status === 400 && options.badRequestCode !== undefined && object && 'errorCode' in object ? { ...object, errorCode: options.badRequestCode } : example,
    );
  }
  const fixed = new Map([...examples].map(([status, example]) => [status, Object.freeze(jsonBody(example))]));
  return {
    of(status, reason, message = options.detailedErrors && status >= 400 ? reason : undefined) {
      if (message !== undefined) {
        const example = examples.get(status) as Record<string, unknown> | undefined;
        if (example && typeof example === 'object' && typeof example.message === 'string') return jsonBody({ ...example, message });
      }
      const body = fixed.get(status) ?? fallback?.of(status, reason, message);
      if (!body) throw new Error(`status ${status} is not documented`);
      return body;
    },
    documents: (status) => contract.statuses.includes(status),
  };
}
