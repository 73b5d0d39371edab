import type { OperationContract } from './spec.ts';

/** Makes the body of each documented status from the spec's examples. */
export type Bodies = {
  /** The JSON body for `status`; `reason` goes into `message` only with detailed errors. */
  of(status: number, reason: string): Buffer;
};

/** Bodies are the spec's examples verbatim, serialized once; `--detailed-errors` swaps in the reason. */
export function createBodies(contract: Pick<OperationContract, 'examples'>, options: { detailedErrors: boolean; badRequestCode: string | undefined }): Bodies {
  const examples = new Map<number, Record<string, unknown>>();
  for (const [status, example] of contract.examples) {
    examples.set(
      status,
      status === 400 && options.badRequestCode !== undefined && 'errorCode' in example ? { ...example, errorCode: options.badRequestCode } : example,
    );
  }
  const fixed = new Map([...examples].map(([status, example]) => [status, Buffer.from(JSON.stringify(example))]));
  return {
    of(status, reason) {
      if (options.detailedErrors && status >= 400) {
        const example = examples.get(status);
        if (example && typeof example.message === 'string') return Buffer.from(JSON.stringify({ ...example, message: reason }));
      }
      const body = fixed.get(status);
      if (!body) throw new Error(`status ${status} is not documented`);
      return body;
    },
  };
}
