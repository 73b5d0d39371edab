import { seconds } from './http-call.ts';
import type { ProviderFailure } from './provider-proxy.ts';
import { createRedactor } from './redact.ts';
import { type Failure, type InteractionOutcome, notRun, outcomesOf, stripControlChars } from './report.ts';
import { formatProgress } from './report-format.ts';
import type { StateEvent } from './state-proxy.ts';
import type { VerifierAnswer, VerifierRequest } from './verifier-child.ts';
import { startVerifierProcess, type VerifierProcess, verifierJsonOf } from './verifier-process.ts';
import type { Plan, Selected } from './verify-plan.ts';

/** What the proxies saw during one Pact run; `secrets` (the values states answered) is kept across runs. */
export type Observed = {
  stateEvents: StateEvent[];
  providerFailures: ProviderFailure[];
  readonly secrets: Set<string>;
};

/** What a run needs besides the plan. */
export type RunContext = {
  readonly plan: Plan;
  /** Where the Verifier sends requests (the provider proxy) and state changes (the state proxy). */
  readonly providerUrl: string;
  readonly statesUrl: string | undefined;
  /** When the whole verification must have its verdict (epoch ms). */
  readonly deadline: number;
  /** Each request's limit in milliseconds, as the proxies apply it. */
  readonly requestLimitMs: () => number;
  readonly signal: AbortSignal;
  /** Filled by the proxies; the runner empties it before each Pact run. */
  readonly observed: Observed;
  /** Resolves why the provider cannot be reached, or undefined when it answers. */
  readonly probeProvider: () => Promise<string | undefined>;
  /** Prints one progress text: the human report's stream (stdout; stderr with --json). */
  readonly progress: (text: string) => void;
  /** Verdicts are coloured. */
  readonly color: boolean;
  /** The progress stream is a terminal: the interaction being verified shows until its verdict replaces it. */
  readonly live: boolean;
};

/** What the run found: one outcome per interaction (in pact order) and the errors tied to none. */
export type RunResult = { interactions: InteractionOutcome[]; errors: string[] };

/** Why a race ended without Pact's answer. */
type Stop = { kind: 'deadline' } | { kind: 'aborted' } | { kind: 'died'; message: string };

/** Pact's request limit sits above ours, so our proxies always answer first and Pact never reports its own internal port. */
const PACT_TIMEOUT_MARGIN_MS = 2000;
/**
 * The widest the line of the interaction being verified gets: its verdict erases one terminal row (`\r`, `ESC[2K`),
 * so a line that wrapped would leave its first rows behind, a second copy of the interaction. 80-column terminals.
 */
const LIVE_LINE_MAX = 79;

/**
 * Verifies the plan's local interactions one Pact run at a time (Pact's own description filter), in one Verifier
 * child that is restarted if it dies; prints each verdict as it arrives, with its reasons (the summary does not
 * list them again); stops early, marking the rest "not run", when the provider turns out to be down, `--timeout`
 * passes or the command is interrupted.
 */
export async function runEach(ctx: RunContext): Promise<RunResult> {
  const { plan } = ctx;
  const total = plan.selected.length;
  const interactions: InteractionOutcome[] = [];
  // Why the rest are not run, once something stops the run: which part failed, and the words for it.
  let stopped: { part: string; why: string } | undefined;
  let child: VerifierProcess | undefined;
  let deathsInARow = 0;
  // On a terminal, the interaction being verified shows until its verdict replaces it (a slow one can take a while).
  let showing = false;
  const report = (outcome: InteractionOutcome) => {
    ctx.progress(`${showing ? '\r\x1b[2K' : ''}${formatProgress(interactions.length + 1, total, outcome, ctx.color, interactions.at(-1))}`);
    showing = false;
    interactions.push(outcome);
  };
  const announce = (member: Selected) => {
    if (!ctx.live) return;
    ctx.progress(fitted(`  [${interactions.length + 1}/${total}] … ${member.pact.consumer}: ${member.interaction.description}`, LIVE_LINE_MAX));
    showing = true;
  };
  try {
    for (const group of groupsOf(plan.selected)) {
      if (ctx.signal.aborted) stopped ??= { part: 'interrupted', why: 'interrupted' };
      if (Date.now() >= ctx.deadline) stopped ??= { part: 'timeout', why: `--timeout ${seconds(plan.timeoutMs)} passed before it ran` };
      if (stopped !== undefined) {
        for (const member of group) report(notRun(identity(member), stopped.part, stopped.why));
        continue;
      }
      announce(group[0]!);
      child ??= startVerifierProcess();
      ctx.observed.stateEvents = [];
      ctx.observed.providerFailures = [];
      const request: VerifierRequest = {
        ...baseRequest(ctx),
        pactUrls: [group[0]!.pact.path],
        filter: { description: `^${escapeRegex(group[0]!.interaction.description)}$` },
      };
      const answer = await race(child, request, ctx);
      if ('kind' in answer) {
        const why = stopMessage(answer, ctx);
        if (answer.kind === 'died') {
          child = undefined;
          deathsInARow += 1;
          for (const member of group) report({ ...identity(member), outcome: 'failed', failures: [{ part: 'verifier', message: why }] });
          if (deathsInARow >= 2) stopped = { part: 'verifier', why: 'the Pact verifier process died twice in a row' };
          continue;
        }
        child.stop();
        child = undefined;
        stopped =
          answer.kind === 'aborted'
            ? { part: 'interrupted', why: 'interrupted' }
            : { part: 'timeout', why: `--timeout ${seconds(plan.timeoutMs)} passed before it ran` };
        for (const member of group) report(notRun(identity(member), stopped.part, why));
        continue;
      }
      deathsInARow = 0;
      for (const outcome of outcomesOfGroup(group, answer, ctx)) report(outcome);
      // A provider too slow for one request fails the verification: waiting as long for each other one only delays the verdict.
      const slow = ctx.observed.providerFailures.find((f) => f.timedOut);
      const down = slow
        ? `${slow.cause} on an earlier interaction: no more requests were sent`
        : ctx.observed.providerFailures.length > 0
          ? await ctx.probeProvider()
          : undefined;
      if (down !== undefined) stopped = { part: 'provider', why: down };
    }
  } finally {
    child?.stop();
  }
  return { interactions, errors: [] };
}

/**
 * Verifies in one Pact run, as Pact selects the interactions: pacts from a broker, whose interactions are known
 * only once Pact reports, and `--publish`, whose results must be one verification. `--interaction` / `--state`
 * go to Pact's own filters.
 */
export async function runAll(ctx: RunContext): Promise<RunResult> {
  const { plan } = ctx;
  const { description, state } = plan.filters;
  ctx.observed.stateEvents = [];
  ctx.observed.providerFailures = [];
  const request: VerifierRequest = {
    ...baseRequest(ctx),
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
    ...(description !== undefined || state !== undefined ? { filter: { description, state } } : {}),
  };
  const child = startVerifierProcess();
  try {
    const answer = await race(child, request, ctx);
    if ('kind' in answer) {
      const why = stopMessage(answer, ctx);
      const part = answer.kind === 'died' ? 'verifier' : answer.kind === 'deadline' ? 'timeout' : 'interrupted';
      return { interactions: plan.selected.map((member) => notRun(identity(member), part, why)), errors: plan.selected.length ? [] : [why] };
    }
    const json = verifierJsonOf(answer);
    const result = outcomesOf(json, {
      provider: plan.provider,
      target: ctx.providerUrl,
      stateErrors: stateErrorsOf(ctx.observed.stateEvents),
      secrets: ctx.observed.secrets,
    });
    // One run of many interactions: a provider failure cannot be tied to one of them.
    const errors = [...new Set(ctx.observed.providerFailures.map((f) => f.cause)), ...result.errors];
    if (!json.result && errors.length === 0 && !result.interactions.some((i) => i.outcome === 'failed')) errors.push('Pact reported a failed verification');
    return { interactions: result.interactions, errors };
  } finally {
    child.stop();
  }
}

/** The Verifier options every run shares. */
function baseRequest(ctx: RunContext): VerifierRequest {
  return {
    provider: ctx.plan.provider,
    providerBaseUrl: ctx.providerUrl,
    ...(ctx.statesUrl ? { providerStatesSetupUrl: ctx.statesUrl } : {}),
    timeout: Math.ceil(ctx.requestLimitMs() + PACT_TIMEOUT_MARGIN_MS),
  };
}

/** Pact's answer, or why there is none: the child died, the deadline passed, or the command was interrupted. */
async function race(child: VerifierProcess, request: VerifierRequest, ctx: RunContext): Promise<VerifierAnswer | Stop> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stops = new Promise<Stop>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'deadline' }), Math.max(0, ctx.deadline - Date.now()));
    onAbort = () => resolve({ kind: 'aborted' });
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const verified = child.verify(request).catch((error: unknown): Stop => ({ kind: 'died', message: (error as Error).message }));
  try {
    return await Promise.race([verified, stops]);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** Why a run has no answer, for the report: Pact's last output quoted when the child died, secrets out. */
function stopMessage(stop: Stop, ctx: RunContext): string {
  if (stop.kind === 'deadline') return `--timeout ${seconds(ctx.plan.timeoutMs)} passed while it was being verified (the Verifier was stopped)`;
  if (stop.kind === 'aborted') return 'interrupted';
  return createRedactor(ctx.observed.secrets)(stripControlChars(stop.message));
}

/** One group's outcomes from its Pact run, with the causes the proxies saw and what the states did not answer. */
function outcomesOfGroup(group: readonly Selected[], answer: VerifierAnswer, ctx: RunContext): InteractionOutcome[] {
  const { plan, observed } = ctx;
  const stateErrors = stateErrorsOf(observed.stateEvents);
  const { interactions: results, errors } = outcomesOf(verifierJsonOf(answer), {
    provider: plan.provider,
    target: ctx.providerUrl,
    stateErrors,
    providerErrors: [...new Set(observed.providerFailures.map((f) => f.cause))],
    secrets: observed.secrets,
  });
  return group.map((member) => {
    const names = member.interaction.providerStates.map((s) => s.name);
    const found = results.find((r) => r.description === member.interaction.description && sameStates(r.providerStates, names));
    if (!found) {
      const why = errors.length ? errors.join('; ') : 'Pact reported no result for it';
      return { ...identity(member), outcome: 'failed', failures: [{ part: 'verifier', message: why }] };
    }
    const missing = missingValues(member, observed.stateEvents, stateErrors);
    return missing && found.outcome === 'failed' ? { ...found, failures: [missing, ...found.failures] } : found;
  });
}

/** The values the interaction's request uses that its states' setups did not answer (Pact then sends its example instead). */
function missingValues(member: Selected, events: readonly StateEvent[], stateErrors: ReadonlyMap<string, string>): Failure | undefined {
  const states = member.interaction.providerStates.map((s) => s.name);
  if (states.some((s) => stateErrors.has(s))) return undefined;
  const answered = new Set(events.filter((e) => e.action === 'setup' && states.includes(e.state)).flatMap((e) => e.valueNames));
  const missing = member.interaction.stateVariables.filter((name) => !answered.has(name));
  if (missing.length === 0) return undefined;
  const which = states.map((s) => JSON.stringify(s)).join(', ');
  return {
    part: 'state',
    message: `provider state ${which} answered no ${missing.map((m) => `"${m}"`).join(', ')}, which the request uses (Pact sent the pact's example instead)`,
  };
}

/** The first failure of each state in this run, by state name. */
function stateErrorsOf(events: readonly StateEvent[]): Map<string, string> {
  const errors = new Map<string, string>();
  for (const event of events) if (event.failure && !errors.has(event.state)) errors.set(event.state, event.failure);
  return errors;
}

/** Interactions that one description filter selects together: same pact file, same description. */
function groupsOf(selected: readonly Selected[]): Selected[][] {
  const groups = new Map<string, Selected[]>();
  for (const s of selected) {
    const key = `${s.pact.path}\n${s.interaction.description}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()];
}

function identity(member: Selected): Pick<InteractionOutcome, 'consumer' | 'provider' | 'description' | 'providerStates'> & { failures: Failure[] } {
  return {
    consumer: member.pact.consumer,
    provider: member.pact.provider,
    description: member.interaction.description,
    providerStates: member.interaction.providerStates.map((s) => s.name),
    failures: [],
  };
}

function sameStates(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}

/** The text cut to `max` characters (code points, each one column for the texts here), ending in `…` when cut. */
function fitted(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A literal for Pact's (Rust) regular expressions: every character its `regex::escape` escapes. */
function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$#&\-~]/g, '\\$&');
}
