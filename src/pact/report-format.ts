import { type InteractionOutcome, stripControlChars, type VerificationReport } from './report.ts';

type Paint = (code: number, text: string) => string;
const painter =
  (color: boolean): Paint =>
  (code, text) =>
    color ? `\x1b[${code}m${text}\x1b[0m` : text;

/** The mark and the colour of an outcome: ✓ passed, ✗ failed, … pending, – not run. */
function markOf(outcome: InteractionOutcome['outcome'], paint: Paint): string {
  switch (outcome) {
    case 'passed':
      return paint(32, '✓');
    case 'pending':
      return paint(33, '…');
    case 'not-run':
      return paint(33, '–');
    default:
      return paint(31, '✗');
  }
}

/** One interaction as a line: mark, consumer, description, its states, and what pending / not run means. */
function interactionLine(i: InteractionOutcome, paint: Paint): string {
  const given = i.providerStates.length ? `  (given ${i.providerStates.join(', ')})` : '';
  const tag = i.outcome === 'pending' ? '  [pending: does not fail the run]' : i.outcome === 'not-run' ? '  [not run]' : '';
  return `${markOf(i.outcome, paint)} ${i.consumer}: ${i.description}${given}${tag}`;
}

/** A failure as one line: its part, its path (bodies), its message. */
function failureLine(f: InteractionOutcome['failures'][number]): string {
  // "provider http://… refused the connection" already says which part it is.
  if (f.message.startsWith(`${f.part} `)) return f.message;
  return `${f.part}${f.path && f.part !== 'header' ? ` ${f.path}` : ''}: ${f.message}`;
}

/**
 * The progress line printed as each interaction's verdict arrives (`[3/10] ✓ …  84 ms`), and its reasons when it
 * did not pass, so a CI log shows what happens while it happens — the interaction's one listing (formatSummary
 * does not list it again). Why one was not run is said once for a run of them.
 */
export function formatProgress(index: number, total: number, outcome: InteractionOutcome, color: boolean, previous?: InteractionOutcome): string {
  const paint = painter(color);
  const took = outcome.durationMs === undefined ? '' : `  ${Math.round(outcome.durationMs)} ms`;
  const lines = [`  [${index}/${total}] ${interactionLine(outcome, paint)}${took}`];
  const first = outcome.failures[0];
  if (outcome.outcome === 'not-run') {
    // Interactions not run for the reason just printed need not repeat it.
    const repeated = previous?.outcome === 'not-run' && previous.failures[0]?.message === first?.message;
    if (first && !repeated) lines.push(`        ${failureLine(first)}`);
  } else if (outcome.outcome !== 'passed') for (const f of outcome.failures) lines.push(`        ${failureLine(f)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The human summary: one line per interaction with the reasons under each failure — unless `listed`, when
 * formatProgress has printed each as it came, on the same stream — then the errors, the notes, the counts, why some
 * were not run, and the verdict.
 */
export function formatSummary(report: VerificationReport, color: boolean, { listed = false }: { listed?: boolean } = {}): string {
  const paint = painter(color);
  const lines = listed ? [] : [`Pact verification of ${report.provider} at ${report.target}`, ''];
  for (const i of listed ? [] : report.interactions) {
    lines.push(`  ${interactionLine(i, paint)}`);
    // Why the others were not run is said once for all of them, below the counts.
    if (i.outcome !== 'not-run') for (const f of i.failures) lines.push(`      ${failureLine(f)}`);
  }
  const said = [...report.errors.map((e) => `  ${paint(31, '✗')} ${e}`), ...report.notes.map((n) => `  note: ${n}`)];
  // After the progress, a blank line sets them apart.
  if (listed && said.length > 0) lines.push('');
  lines.push(...said);
  const { total, passed, failed, pending, notRun } = report.summary;
  lines.push(
    '',
    `${total} interaction${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed${pending ? `, ${pending} pending` : ''}${notRun ? `, ${notRun} not run` : ''} (${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  if (notRun > 0) {
    // Why they were not run, once per reason: usually one cause (the provider is down, --timeout passed).
    const reasons = new Map<string, number>();
    for (const i of report.interactions.filter((x) => x.outcome === 'not-run')) {
      const why = i.failures[0]?.message ?? 'unknown';
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    for (const [why, count] of reasons) lines.push(`not run (${count}): ${why}`);
  }
  lines.push(report.result === 'passed' ? paint(32, 'Pact verification passed') : paint(31, 'Pact verification FAILED'), '');
  return lines.join('\n');
}

/** JUnit XML: a suite per consumer, a case per interaction (`failure` with the reasons; not run as `error`; pending as `skipped`). */
export function toJUnit(report: VerificationReport): string {
  const suites = new Map<string, InteractionOutcome[]>();
  for (const i of report.interactions) {
    const key = `${i.consumer} → ${i.provider}`;
    suites.set(key, [...(suites.get(key) ?? []), i]);
  }
  const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const { total, failed, pending, notRun } = report.summary;
  const errors = report.errors.length;
  out.push(
    `<testsuites name="${xml(`pact verification: ${report.provider}`)}" tests="${total + errors}" failures="${failed}" errors="${errors + notRun}" skipped="${pending}" time="${seconds(report.durationMs)}">`,
  );
  for (const [name, cases] of suites) {
    const time = cases.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
    const f = cases.filter((c) => c.outcome === 'failed').length;
    const e = cases.filter((c) => c.outcome === 'not-run').length;
    const s = cases.filter((c) => c.outcome === 'pending').length;
    out.push(`  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="${s}" time="${seconds(time)}">`);
    for (const c of cases) {
      const classname = `${c.consumer}.${c.provider}`;
      const open = `    <testcase classname="${xml(classname)}" name="${xml(c.description)}" time="${seconds(c.durationMs)}"`;
      if (c.outcome === 'passed') {
        out.push(`${open}/>`);
        continue;
      }
      const text = c.failures.map(failureLine).join('\n');
      const first = c.failures[0]?.message ?? 'failed';
      const type = xml(c.failures[0]?.part ?? 'error');
      out.push(`${open}>`);
      if (c.outcome === 'pending') out.push(`      <skipped message="${xml(`pending interaction failed: ${first}`)}"/>`);
      else if (c.outcome === 'not-run') out.push(`      <error message="${xml(`not run: ${first}`)}" type="${type}">${xml(text)}</error>`);
      else out.push(`      <failure message="${xml(first)}" type="${type}">${xml(text)}</failure>`);
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

function xml(text: string): string {
  return stripControlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
