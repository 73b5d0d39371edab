import { createRedactor, type Redactor } from './redact.ts';

/** What Pact's verifier reports (pact_ffi's verifier JSON): the parts the reports read. */
export type VerifierJson = {
  result: boolean;
  interactionResults?: {
    consumer?: string;
    provider?: string;
    description: string;
    providerStates?: string[];
    result: string;
    pending?: boolean;
    duration?: string;
    mismatch?: PactMismatch;
  }[];
  errors?: { interaction: string; mismatch?: PactMismatch }[];
  pendingErrors?: { interaction: string; mismatch?: PactMismatch }[];
};

type PactMismatch =
  | { type: 'mismatches'; mismatches: { type: string; mismatch?: string; path?: string; key?: string; expected?: unknown; actual?: unknown }[] }
  | { type: 'error'; message: string };

/**
 * One way an interaction failed: which part (`status`, `header`, `body`, `state`, `provider`, `verifier`, `error`)
 * and the words for it (Pact's, or ours when we know the cause better).
 */
export type Failure = { readonly part: string; readonly message: string; readonly path?: string; readonly expected?: unknown; readonly actual?: unknown };

/**
 * One interaction's outcome. `pending` ones (Pact's pending pacts) failed without failing the run; `not-run` ones
 * were never sent to the provider (it was down, the verifier died, `--timeout` passed): `failures` says why.
 */
export type InteractionOutcome = {
  readonly consumer: string;
  readonly provider: string;
  readonly description: string;
  readonly providerStates: readonly string[];
  readonly outcome: 'passed' | 'failed' | 'pending' | 'not-run';
  readonly durationMs?: number;
  readonly failures: readonly Failure[];
};

/** The machine-readable verification report (`--json`) and the source of the summary and JUnit XML. */
export type VerificationReport = {
  readonly result: 'passed' | 'failed';
  readonly provider: string;
  /** The provider's URL, or the in-process mock's. */
  readonly target: string;
  readonly summary: {
    readonly total: number;
    readonly passed: number;
    readonly failed: number;
    readonly pending: number;
    readonly notRun: number;
  };
  readonly interactions: readonly InteractionOutcome[];
  /** Failures tied to no interaction (e.g. a pact that could not be fetched, options that do not fit). */
  readonly errors: readonly string[];
  /** Things worth knowing that are not failures (skipped pacts, filters, where the pacts came from). */
  readonly notes: readonly string[];
  /** Wall-clock time of the whole verification, in milliseconds. */
  readonly durationMs: number;
};

/** What a report's outcomes are built from besides Pact's own JSON. */
export type ReportContext = {
  provider: string;
  target: string;
  /** Why a provider state could not be set up (e.g. the endpoint answered 500), by state name. */
  stateErrors?: ReadonlyMap<string, string>;
  /** Why the provider gave no answer (refused, timed out), named with the URL the user gave. */
  providerErrors?: readonly string[];
  /** The values provider states answered: kept out of every text of the report. */
  secrets?: Iterable<string>;
};

const STATE_FAILURE = /state change/i;

/** Pact's interaction results as outcomes, with our causes first (a state endpoint's 500, a refused connection). */
export function outcomesOf(json: VerifierJson, context: ReportContext): { interactions: InteractionOutcome[]; errors: string[] } {
  const redact = createRedactor(context.secrets ?? []);
  const providerErrors = context.providerErrors ?? [];
  const interactions: InteractionOutcome[] = (json.interactionResults ?? []).map((r) => {
    const states = r.providerStates ?? [];
    let failures = r.result === 'OK' ? [] : failuresOf(r.mismatch, redact);
    // Our own reason for a state that could not be set up says more than Pact's "state change handlers failed".
    const known = states.flatMap((state) => {
      const why = context.stateErrors?.get(state);
      return why ? [{ part: 'state', message: redact(`provider state "${state}": ${why}`) }] : [];
    });
    if (known.length > 0 && failures.length > 0) failures = [...known, ...failures.filter((f) => f.part !== 'state')];
    else if (providerErrors.length > 0 && failures.length > 0) {
      // The provider proxy stood in for a provider that did not answer: Pact compared our stand-in, so only the cause counts.
      failures = providerErrors.map((message) => ({ part: 'provider', message }));
    }
    const durationMs = parseDuration(r.duration);
    failures = [...failures].sort((a, b) => rank(a.part) - rank(b.part));
    return {
      consumer: r.consumer ?? '',
      provider: r.provider ?? context.provider,
      description: r.description,
      providerStates: states,
      outcome: r.result === 'OK' ? 'passed' : r.pending ? 'pending' : 'failed',
      ...(durationMs === undefined ? {} : { durationMs }),
      failures,
    };
  });
  const described = interactions.filter((i) => i.outcome !== 'passed').map((i) => i.description);
  const errors = [...(json.errors ?? []), ...(json.pendingErrors ?? [])]
    .filter((e) => !described.some((d) => e.interaction.endsWith(` - ${d}`) || e.interaction === d))
    .map(
      (e) =>
        `${stripControlChars(e.interaction)}: ${
          failuresOf(e.mismatch, redact)
            .map((f) => f.message)
            .join('; ') || 'failed'
        }`,
    );
  return { interactions, errors };
}

/** The parts of a report, put together: counts, and `failed` unless every interaction passed (or is pending) and there are no errors. */
export function assembleReport(parts: {
  provider: string;
  target: string;
  interactions: readonly InteractionOutcome[];
  errors: readonly string[];
  notes: readonly string[];
  durationMs: number;
}): VerificationReport {
  const count = (outcome: InteractionOutcome['outcome']) => parts.interactions.filter((i) => i.outcome === outcome).length;
  const summary = { total: parts.interactions.length, passed: count('passed'), failed: count('failed'), pending: count('pending'), notRun: count('not-run') };
  const clean = parts.errors.length === 0 && summary.failed === 0 && summary.notRun === 0;
  return {
    result: clean ? 'passed' : 'failed',
    provider: parts.provider,
    target: parts.target,
    summary,
    interactions: [...parts.interactions],
    errors: [...parts.errors],
    notes: [...parts.notes],
    durationMs: Math.round(parts.durationMs),
  };
}

/** An interaction that was never sent to the provider, and why. */
export function notRun(
  of: { consumer: string; provider: string; description: string; providerStates: readonly string[] },
  part: string,
  why: string,
): InteractionOutcome {
  return { ...of, providerStates: [...of.providerStates], outcome: 'not-run', failures: [{ part, message: why }] };
}

function failuresOf(mismatch: PactMismatch | undefined, redact: Redactor): Failure[] {
  if (!mismatch) return [{ part: 'error', message: 'failed without a reason from Pact' }];
  if (mismatch.type === 'error') {
    const message = redact(stripControlChars(mismatch.message));
    return [{ part: STATE_FAILURE.test(message) ? 'state' : 'error', message }];
  }
  return mismatch.mismatches.map((m) => ({
    part: PARTS[m.type] ?? m.type.replace(/Mismatch$/, '').toLowerCase(),
    message: redact(stripControlChars(m.mismatch ?? m.type)),
    ...(m.path !== undefined ? { path: m.path } : m.key !== undefined ? { path: m.key } : {}),
    ...(m.expected !== undefined ? { expected: redact(m.expected) } : {}),
    ...(m.actual !== undefined ? { actual: redact(m.actual) } : {}),
  }));
}

/** Failures in the order a reader wants them: why nothing could be compared first, then status, headers, body. */
const ORDER = ['state', 'provider', 'verifier', 'error', 'status', 'method', 'path', 'query', 'header', 'body'];
const rank = (part: string) => (ORDER.includes(part) ? ORDER.indexOf(part) : ORDER.length);

const PARTS: Record<string, string> = {
  StatusMismatch: 'status',
  HeaderMismatch: 'header',
  BodyMismatch: 'body',
  BodyTypeMismatch: 'body',
  MethodMismatch: 'method',
  PathMismatch: 'path',
  QueryMismatch: 'query',
  MetadataMismatch: 'metadata',
};

/** Pact's durations read as milliseconds ("93ms", "1s 200ms", "1.5s"). */
function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000 };
  let total = 0;
  let found = false;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)\b/g)) {
    total += Number(value) * (units[unit as string] ?? 0);
    found = true;
  }
  return found ? Math.round(total * 1000) / 1000 : undefined;
}

/**
 * Strips ANSI colour sequences and control characters, then trims: Pact's texts go into logs, JSON and XML.
 * Tab, CR and LF stay, so a multi-line text stays multi-line.
 */
export function stripControlChars(text: string): string {
  return text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '')
    .trim();
}
