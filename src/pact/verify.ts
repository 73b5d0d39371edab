import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, PactVerificationError } from '../errors.ts';
import type { Io } from '../io.ts';
import { buildReport, formatSummary, toJUnit, type VerificationReport } from './report.ts';
import { serveTokenCommand } from './token-command.ts';
import type { VerifierRequest } from './verifier-child.ts';
import { runVerifierProcess, verifierJsonOf } from './verifier-process.ts';
import { type Plan, planVerification, type VerifyOptions } from './verify-plan.ts';

/** The provider under test, as `verify` reaches it: its URL, where its states are set up, what the report calls it. */
type Provider = { baseUrl: string; statesUrl: string | undefined; target: string; close: () => Promise<void> };

/**
 * Runs Pact's Verifier against `--provider-base-url` or, without it, against a mock started in-process;
 * prints a summary (and `--json` / `--junit`); throws PactVerificationError when any interaction failed,
 * ConfigError for options that do not fit together or a `--junit` file that cannot be written.
 */
export async function runVerify(opts: VerifyOptions, io: Io): Promise<void> {
  const plan = await planVerification(opts);
  const stateErrors = new Map<string, string>();
  const provider = await startProvider(plan, stateErrors);
  let report: VerificationReport;
  try {
    const answer = await runVerifierProcess(verifierRequestOf(plan, provider), io.signal);
    const context = { provider: plan.provider, target: provider.target, stateErrors, notes: plan.notes };
    report = buildReport(verifierJsonOf(answer), context);
  } finally {
    await provider.close();
  }

  const summary = formatSummary(report, io.color);
  if (plan.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    io.stderr(summary);
  } else {
    io.stdout(summary);
  }
  if (plan.junit) {
    try {
      await mkdir(dirname(resolve(plan.junit)), { recursive: true });
      await writeFile(plan.junit, toJUnit(report));
    } catch (error) {
      throw new ConfigError('--junit', `cannot write --junit ${plan.junit}: ${(error as Error).message}`);
    }
  }
  if (report.result === 'failed') {
    const failed = report.interactions.filter((i) => i.outcome === 'failed').map((i) => `${i.consumer}: "${i.description}"`);
    const what = failed.length ? `${failed.length} of ${report.summary.total} interactions failed: ${failed.join(', ')}` : report.errors.join('; ');
    throw new PactVerificationError(`pact verification of ${report.provider} failed: ${what}`);
  }
}

/** The provider to verify: the real one (states via its endpoint or the token command), or a mock started here. */
async function startProvider(plan: Plan, stateErrors: Map<string, string>): Promise<Provider> {
  if (plan.providerBaseUrl === undefined) {
    const { startMock } = await import('../mock.ts');
    const mock = await startMock({ port: 0, log: 'off' });
    return {
      baseUrl: mock.url,
      statesUrl: `${mock.url}/__mock/provider-states`,
      target: `worth-auth-mock (started in-process at ${mock.url})`,
      close: () => mock.close(),
    };
  }
  if (plan.tokenCommand !== undefined) {
    const states = await serveTokenCommand(plan.tokenCommand, stateErrors);
    return { baseUrl: plan.providerBaseUrl, statesUrl: states.url, target: plan.providerBaseUrl, close: states.close };
  }
  return { baseUrl: plan.providerBaseUrl, statesUrl: plan.stateSetupUrl, target: plan.providerBaseUrl, close: async () => {} };
}

/** The plan and the started provider as Pact Verifier options; what the plan leaves unset is left out. */
function verifierRequestOf(plan: Plan, provider: Provider): VerifierRequest {
  return {
    provider: plan.provider,
    providerBaseUrl: provider.baseUrl,
    ...(provider.statesUrl ? { providerStatesSetupUrl: provider.statesUrl } : {}),
    ...(plan.pactFiles.length ? { pactUrls: plan.pactFiles.map((p) => p.path) } : {}),
    ...(plan.broker
      ? {
          pactBrokerUrl: plan.broker.url,
          consumerVersionSelectors: plan.broker.selectors,
          ...(plan.broker.token ? { pactBrokerToken: plan.broker.token } : {}),
        }
      : {}),
    ...(plan.publishVersion ? { publishVerificationResult: true, providerVersion: plan.publishVersion } : {}),
    ...(plan.providerBranch ? { providerVersionBranch: plan.providerBranch } : {}),
  };
}
