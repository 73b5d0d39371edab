/**
 * The child side of `verify`: runs Pact's Verifier in a process of its own, because Pact's native core
 * prints straight to the process's stdout, where it would corrupt `--json` and the CLI's own summary, and
 * because a Verifier that hangs or crashes must be stoppable without stopping the command.
 */

/** What the parent asks the child to verify: Pact Verifier options, JSON-serialisable. */
export type VerifierRequest = {
  providerBaseUrl: string;
  provider: string;
  providerStatesSetupUrl?: string;
  pactUrls?: string[];
  pactBrokerUrl?: string;
  pactBrokerToken?: string;
  consumerVersionSelectors?: Record<string, unknown>[];
  publishVerificationResult?: boolean;
  providerVersion?: string;
  providerVersionBranch?: string;
  /** Pact's own limit on each request to the provider, in milliseconds. */
  timeout?: number;
  /** Pact's interaction filters (regular expressions, as its PACT_DESCRIPTION / PACT_PROVIDER_STATE variables take them). */
  filter?: { description?: string; state?: string };
};

/** The child's answer: Pact's verifier JSON when it ran (passed or not), else why it could not run. */
export type VerifierAnswer = { ran: true; json: string } | { ran: false; message: string };

/** The filter variables Pact's core reads from the environment at each verification. */
const FILTER_VARIABLES = ['PACT_DESCRIPTION', 'PACT_PROVIDER_STATE', 'PACT_PROVIDER_NO_STATE'] as const;

/** Answers every VerifierRequest on the IPC channel with a VerifierAnswer, one at a time; the parent ends the process. */
export function serveVerification(): void {
  let queue = Promise.resolve();
  process.on('message', (request: VerifierRequest) => {
    queue = queue.then(async () => {
      const answer = await verify(request);
      await new Promise<void>((sent) => process.send?.(answer, () => sent()));
    });
  });
}

async function verify(request: VerifierRequest): Promise<VerifierAnswer> {
  const { filter, ...options } = request;
  for (const name of FILTER_VARIABLES) delete process.env[name];
  if (filter?.description) process.env.PACT_DESCRIPTION = filter.description;
  if (filter?.state) process.env.PACT_PROVIDER_STATE = filter.state;
  // An empty state filter means "the interactions with no provider state", as Pact's PACT_PROVIDER_NO_STATE.
  if (filter?.state === '') process.env.PACT_PROVIDER_NO_STATE = 'true';
  try {
    const { Verifier } = await import('@pact-foundation/pact');
    const json = await new Verifier({ ...options, logLevel: 'error' }).verifyProvider();
    return { ran: true, json: String(json) };
  } catch (error) {
    // Pact rejects a failed verification with its JSON report as the message; anything else did not run.
    const message = (error as Error)?.message ?? String(error);
    return message.trimStart().startsWith('{') ? { ran: true, json: message } : { ran: false, message };
  }
}
