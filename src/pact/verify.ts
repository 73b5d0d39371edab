import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, PactVerificationError } from '../errors.ts';
import type { Io } from '../io.ts';
import { callHttp, describeFailure, seconds } from './http-call.ts';
import { startProviderProxy } from './provider-proxy.ts';
import { assembleReport, type InteractionOutcome, notRun, type VerificationReport } from './report.ts';
import { formatSummary, toJUnit } from './report-format.ts';
import { type StateUpstream, startStateProxy } from './state-proxy.ts';
import { type Plan, planVerification, type VerifyOptions } from './verify-plan.ts';
import { type Observed, type RunResult, runAll, runEach } from './verify-run.ts';

/** The provider under test as the user named it: its URL, where its states are set up, what the report calls it. */
type Provider = { url: string; states: StateUpstream | undefined; label: string; close: () => Promise<void> };

/** A cheap request's limit before anything runs: enough for a provider across the internet, short for one that is down. */
const PROBE_MS = 5000;
/** Each request's share of `--timeout`: a provider that cannot answer one request in it fails the verification. */
const REQUEST_SHARE = 4;

/**
 * Runs Pact's Verifier against `--provider-base-url` or, without it, against a mock started in-process, and
 * always reports: each verdict as it comes, then the summary, on stdout (stderr with `--json`, whose report is on
 * stdout), and `--json` / `--junit` whatever the outcome —
 * a provider or state endpoint that is down, slow or failing, a Verifier that dies, `--timeout` passing.
 * Throws PactVerificationError when any interaction failed or was not run, ConfigError for options that do not
 * fit together (after writing the reports) or a `--junit` file that cannot be written.
 */
export async function runVerify(opts: VerifyOptions, io: Io): Promise<void> {
  const started = Date.now();
  let plan: Plan | undefined;
  let report: VerificationReport;
  let usage: unknown;
  // Whether the interactions' verdicts were printed as they came: the summary then does not list them again.
  let listed = false;
  try {
    plan = await planVerification(opts);
    ({ report, listed } = await verifyPlan(plan, started, io));
  } catch (error) {
    // Options that do not fit, a mock that cannot start: CI still gets the reports it uploads.
    usage = error;
    const message = (error as Error)?.message ?? String(error);
    const base = { provider: plan?.provider ?? opts.provider ?? 'auth-service', target: plan?.providerBaseUrl ?? opts.providerBaseUrl ?? 'worth-auth-mock' };
    report = assembleReport({
      ...base,
      interactions: [],
      errors: [`verify could not run: ${message}`],
      notes: plan?.notes ?? [],
      durationMs: Date.now() - started,
    });
  }

  const json = plan?.json ?? opts.json === true;
  if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  if (usage === undefined) humanOf(json, io)(formatSummary(report, io.color, { listed }));
  const junit = plan?.junit ?? opts.junit;
  if (junit) {
    try {
      await mkdir(dirname(resolve(junit)), { recursive: true });
      await writeFile(junit, toJUnit(report));
    } catch (error) {
      throw new ConfigError('--junit', `cannot write --junit ${junit}: ${(error as Error).message}`);
    }
  }
  if (usage !== undefined) throw usage;
  if (report.result === 'failed') throw new PactVerificationError(`pact verification of ${report.provider} failed: ${verdictOf(report)}`);
}

/**
 * Where the human report goes, all of it — the start, each verdict as it comes, the summary — so that each
 * interaction is printed once on one stream: stdout, or stderr when stdout carries the `--json` report.
 */
function humanOf(json: boolean, io: Io): (text: string) => void {
  return json ? io.stderr : io.stdout;
}

/**
 * Starts the provider and the proxies, probes them, runs the Verifier, and builds the report; closes everything it
 * started. `listed`: each interaction's verdict was printed as it came.
 */
async function verifyPlan(plan: Plan, started: number, io: Io): Promise<{ report: VerificationReport; listed: boolean }> {
  const human = humanOf(plan.json, io);
  const deadline = started + plan.timeoutMs;
  const requestLimitMs = () => Math.max(1, Math.min(plan.timeoutMs / REQUEST_SHARE, deadline - Date.now()));
  const observed: Observed = { stateEvents: [], providerFailures: [], secrets: new Set() };
  const provider = await startProvider(plan);
  const closers: (() => Promise<void>)[] = [provider.close];
  try {
    const providerProxy = await startProviderProxy(provider.url, requestLimitMs, (failure) => observed.providerFailures.push(failure));
    closers.push(providerProxy.close);
    const stateProxy = provider.states
      ? await startStateProxy(provider.states, requestLimitMs, {
          onEvent: (event) => observed.stateEvents.push(event),
          onSecrets: (values) => {
            for (const value of values) observed.secrets.add(value);
          },
        })
      : undefined;
    if (stateProxy) closers.push(stateProxy.close);

    const probeMs = () => Math.min(PROBE_MS, requestLimitMs());
    const probeProvider = async () => {
      try {
        await callHttp(provider.url, { method: 'HEAD', timeoutMs: probeMs() });
        return undefined;
      } catch (error) {
        return `provider ${describeFailure(error, provider.url)}`;
      }
    };
    const statesUrl = provider.states && 'url' in provider.states ? provider.states.url : undefined;
    const [providerDown, statesDown] = await Promise.all([
      probeProvider(),
      statesUrl === undefined
        ? undefined
        : callHttp(statesUrl, { method: 'HEAD', timeoutMs: probeMs() }).then(
            () => undefined,
            (error: unknown) => `state endpoint ${describeFailure(error, statesUrl)}`,
          ),
    ]);
    if (statesDown !== undefined) stateProxy?.markDown(statesDown);

    const single = plan.broker !== undefined || plan.publishVersion !== undefined;
    const what = single ? 'the pacts' : `${plan.selected.length} interaction${plan.selected.length === 1 ? '' : 's'}`;
    human(`Verifying ${what} of ${plan.provider} at ${provider.label} (verdict within ${seconds(plan.timeoutMs)}: --timeout)\n`);
    let result: RunResult;
    if (providerDown !== undefined) {
      human(`  no interaction was run: ${providerDown}\n`);
      result = single
        ? { interactions: [], errors: [providerDown] }
        : { interactions: plan.selected.map((s) => notRun(identityOf(s), 'provider', providerDown)), errors: [] };
    } else {
      if (statesDown !== undefined) human(`  the interactions with a provider state will fail: ${statesDown}\n`);
      const context = {
        plan,
        providerUrl: providerProxy.url,
        statesUrl: stateProxy?.url,
        deadline,
        requestLimitMs,
        signal: io.signal,
        observed,
        probeProvider,
        progress: human,
        color: io.color,
        // io.color says stdout is a terminal: the live line is for the stream it describes.
        live: io.color && !plan.json,
      };
      result = single ? await runAll(context) : await runEach(context);
    }
    const report = assembleReport({
      provider: plan.provider,
      target: provider.label,
      interactions: result.interactions,
      errors: result.errors,
      notes: plan.notes,
      durationMs: Date.now() - started,
    });
    // runEach prints every verdict as it comes; runAll (one Pact run) and a provider that is down print none.
    return { report, listed: !single && providerDown === undefined };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

/** The provider to verify: the real one (states via its endpoint or the token command), or a mock started here. */
async function startProvider(plan: Plan): Promise<Provider> {
  if (plan.providerBaseUrl === undefined) {
    const { startMock } = await import('../mock.ts');
    const mock = await startMock({ port: 0, log: 'off' });
    return {
      url: mock.url,
      states: { url: `${mock.url}/__mock/provider-states` },
      label: `worth-auth-mock (started in-process at ${mock.url})`,
      close: () => mock.close(),
    };
  }
  const states = plan.tokenCommand !== undefined ? { command: plan.tokenCommand } : plan.stateSetupUrl ? { url: plan.stateSetupUrl } : undefined;
  return { url: plan.providerBaseUrl, states, label: plan.providerBaseUrl, close: async () => {} };
}

function identityOf(s: Plan['selected'][number]): Pick<InteractionOutcome, 'consumer' | 'provider' | 'description' | 'providerStates'> {
  return {
    consumer: s.pact.consumer,
    provider: s.pact.provider,
    description: s.interaction.description,
    providerStates: s.interaction.providerStates.map((x) => x.name),
  };
}

/** The verdict in one line: which interactions failed, why the others were not run, or the errors. */
function verdictOf(report: VerificationReport): string {
  const { total, failed, notRun: skipped } = report.summary;
  const parts: string[] = [];
  const failedOnes = report.interactions.filter((i) => i.outcome === 'failed').map((i) => `${i.consumer}: "${i.description}"`);
  if (failed > 0) parts.push(`${failed} of ${total} interactions failed: ${failedOnes.join(', ')}`);
  if (skipped > 0) {
    const reasons = [...new Set(report.interactions.filter((i) => i.outcome === 'not-run').map((i) => i.failures[0]?.message ?? 'unknown'))];
    parts.push(`${skipped} of ${total} interactions not run: ${reasons.join('; ')}`);
  }
  if (parts.length === 0) parts.push(report.errors.join('; ') || 'no interaction was verified');
  return parts.join('; ');
}
