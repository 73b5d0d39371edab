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

/** One way an interaction failed: which part (`status`, `header`, `body`, `state`, `error`) and Pact's words for it. */
export type Failure = { readonly part: string; readonly message: string; readonly path?: string; readonly expected?: unknown; readonly actual?: unknown };

/** One interaction's outcome; `pending` ones (Pact's pending pacts) failed without failing the run. */
export type InteractionOutcome = {
  readonly consumer: string;
  readonly provider: string;
  readonly description: string;
  readonly providerStates: readonly string[];
  readonly outcome: 'passed' | 'failed' | 'pending';
  readonly durationMs?: number;
  readonly failures: readonly Failure[];
};

/** The machine-readable verification report (`--json`) and the source of the summary and JUnit XML. */
export type VerificationReport = {
  readonly result: 'passed' | 'failed';
  readonly provider: string;
  /** The provider's URL, or the in-process mock's. */
  readonly target: string;
  readonly summary: { readonly total: number; readonly passed: number; readonly failed: number; readonly pending: number };
  readonly interactions: readonly InteractionOutcome[];
  /** Failures Pact tied to no interaction (e.g. a pact that could not be fetched). */
  readonly errors: readonly string[];
  /** Things worth knowing that are not failures (skipped pacts, states without a setup). */
  readonly notes: readonly string[];
};

/** What the report is built from besides Pact's own JSON. */
export type ReportContext = {
  provider: string;
  target: string;
  /** Why a provider state could not be set up (e.g. the token command failed), by state name. */
  stateErrors?: ReadonlyMap<string, string>;
  notes?: readonly string[];
};

const STATE_FAILURE = /state change/i;

/** Builds the report from Pact's verifier JSON; Pact's `result` decides pass or fail. */
export function buildReport(json: VerifierJson, context: ReportContext): VerificationReport {
  const interactions: InteractionOutcome[] = (json.interactionResults ?? []).map((r) => {
    const states = r.providerStates ?? [];
    let failures = r.result === 'OK' ? [] : failuresOf(r.mismatch);
    // Our own reason for a state that could not be set up says more than Pact's "state change handlers failed".
    const known = states.flatMap((state) => {
      const why = context.stateErrors?.get(state);
      return why ? [{ part: 'state', message: `provider state "${state}": ${why}` }] : [];
    });
    if (known.length > 0 && failures.length > 0) failures = [...known, ...failures.filter((f) => f.part !== 'state')];
    const durationMs = parseDuration(r.duration);
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
          failuresOf(e.mismatch)
            .map((f) => f.message)
            .join('; ') || 'failed'
        }`,
    );
  const count = (outcome: InteractionOutcome['outcome']) => interactions.filter((i) => i.outcome === outcome).length;
  return {
    result: json.result && errors.length === 0 ? 'passed' : 'failed',
    provider: context.provider,
    target: context.target,
    summary: { total: interactions.length, passed: count('passed'), failed: count('failed'), pending: count('pending') },
    interactions,
    errors,
    notes: [...(context.notes ?? [])],
  };
}

function failuresOf(mismatch: PactMismatch | undefined): Failure[] {
  if (!mismatch) return [{ part: 'error', message: 'failed without a reason from Pact' }];
  if (mismatch.type === 'error') {
    const message = stripControlChars(mismatch.message);
    return [{ part: STATE_FAILURE.test(message) ? 'state' : 'error', message }];
  }
  return mismatch.mismatches.map((m) => ({
    part: PARTS[m.type] ?? m.type.replace(/Mismatch$/, '').toLowerCase(),
    message: stripControlChars(m.mismatch ?? m.type),
    ...(m.path !== undefined ? { path: m.path } : m.key !== undefined ? { path: m.key } : {}),
    ...(m.expected !== undefined ? { expected: m.expected } : {}),
    ...(m.actual !== undefined ? { actual: m.actual } : {}),
  }));
}

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

/** The human summary: one line per interaction, the reasons under each failure, the counts last. */
export function formatSummary(report: VerificationReport, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines = [`Pact verification of ${report.provider} at ${report.target}`, ''];
  for (const i of report.interactions) {
    const mark = i.outcome === 'passed' ? paint(32, '✓') : i.outcome === 'pending' ? paint(33, '…') : paint(31, '✗');
    const given = i.providerStates.length ? `  (given ${i.providerStates.join(', ')})` : '';
    lines.push(`  ${mark} ${i.consumer}: ${i.description}${given}${i.outcome === 'pending' ? '  [pending: does not fail the run]' : ''}`);
    for (const f of i.failures) lines.push(`      ${f.part}${f.path && f.part !== 'header' ? ` ${f.path}` : ''}: ${f.message}`);
  }
  for (const e of report.errors) lines.push(`  ${paint(31, '✗')} ${e}`);
  for (const n of report.notes) lines.push(`  note: ${n}`);
  const { total, passed, failed, pending } = report.summary;
  lines.push('', `${total} interaction${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed${pending ? `, ${pending} pending` : ''}`);
  lines.push(report.result === 'passed' ? paint(32, 'Pact verification passed') : paint(31, 'Pact verification FAILED'), '');
  return lines.join('\n');
}

/** JUnit XML: a suite per consumer, a case per interaction (`failure` with Pact's reasons; pending as `skipped`). */
export function toJUnit(report: VerificationReport): string {
  const suites = new Map<string, InteractionOutcome[]>();
  for (const i of report.interactions) {
    const key = `${i.consumer} → ${i.provider}`;
    suites.set(key, [...(suites.get(key) ?? []), i]);
  }
  const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const { total, failed, pending } = report.summary;
  const errors = report.errors.length;
  out.push(
    `<testsuites name="${xml(`pact verification: ${report.provider}`)}" tests="${total + errors}" failures="${failed}" errors="${errors}" skipped="${pending}">`,
  );
  for (const [name, cases] of suites) {
    const time = cases.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
    const f = cases.filter((c) => c.outcome === 'failed').length;
    const s = cases.filter((c) => c.outcome === 'pending').length;
    out.push(`  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${s}" time="${seconds(time)}">`);
    for (const c of cases) {
      const classname = `${c.consumer}.${c.provider}`;
      const open = `    <testcase classname="${xml(classname)}" name="${xml(c.description)}" time="${seconds(c.durationMs)}"`;
      if (c.outcome === 'passed') {
        out.push(`${open}/>`);
        continue;
      }
      const text = c.failures.map((x) => `${x.part}${x.path && x.part !== 'header' ? ` ${x.path}` : ''}: ${x.message}`).join('\n');
      const first = c.failures[0]?.message ?? 'failed';
      out.push(`${open}>`);
      out.push(
        c.outcome === 'pending'
          ? `      <skipped message="${xml(`pending interaction failed: ${first}`)}"/>`
          : `      <failure message="${xml(first)}" type="${xml(c.failures[0]?.part ?? 'error')}">${xml(text)}</failure>`,
      );
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (errors > 0) {
    out.push(`  <testsuite name="${xml(`pact sources → ${report.provider}`)}" tests="${errors}" failures="0" errors="${errors}" skipped="0" time="0.000">`);
    for (const [index, e] of report.errors.entries()) {
      out.push(
        `    <testcase classname="pact" name="${xml(`error ${index + 1}`)}" time="0.000">`,
        `      <error message="${xml(e)}">${xml(e)}</error>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

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

function xml(text: string): string {
  return stripControlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
