/**
 * The child side of `verify`: runs Pact's Verifier in a process of its own, because Pact's native core
 * prints straight to the process's stdout, where it would corrupt `--json` and the CLI's own summary.
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
};

/** The child's answer: Pact's verifier JSON when it ran (passed or not), else why it could not run. */
export type VerifierAnswer = { ran: true; json: string } | { ran: false; message: string };

/** Waits for one VerifierRequest on the IPC channel, runs the Verifier, sends the VerifierAnswer and disconnects. */
export function serveVerification(): void {
  process.once('message', (request: VerifierRequest) => {
    verify(request).then((answer) => process.send?.(answer, () => process.disconnect()));
  });
}

async function verify(request: VerifierRequest): Promise<VerifierAnswer> {
  try {
    const { Verifier } = await import('@pact-foundation/pact');
    const json = await new Verifier({ ...request, logLevel: 'error' }).verifyProvider();
    return { ran: true, json: String(json) };
  } catch (error) {
    // Pact rejects a failed verification with its JSON report as the message; anything else did not run.
    const message = (error as Error)?.message ?? String(error);
    return message.trimStart().startsWith('{') ? { ran: true, json: message } : { ran: false, message };
  }
}
