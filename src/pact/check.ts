import { relative } from 'node:path';
import { loadContract } from '../contract/contract.ts';
import { DEFAULT_SPEC_PATH } from '../contract/document.ts';
import { ConfigError, PactVerificationError, SpecError } from '../errors.ts';
import type { Io } from '../io.ts';
import type { ApiNotes } from './api-check.ts';
import { loadPacts, type PactFile, type PactInteraction, pactSource } from './pact-files.ts';
import type { PactSpecChecker } from './spec-check.ts';

/** The `check` command's options. */
export type CheckOptions = { pact?: string; spec?: string; json?: boolean; api?: readonly string[] };

/** One interaction as the spec sees it: empty `violations` means the spec allows it. */
export type CheckedInteraction = {
  readonly file: string;
  readonly consumer: string;
  readonly provider: string;
  readonly description: string;
  readonly violations: readonly string[];
  /** What the spec leaves open, so nothing was checked (e.g. a request body on an operation that documents none). */
  readonly warnings: readonly string[];
};

/** The `--json` report of `check`. */
export type CheckReport = {
  readonly result: 'passed' | 'failed';
  readonly spec: string;
  readonly summary: { readonly total: number; readonly allowed: number; readonly violating: number };
  readonly interactions: readonly CheckedInteraction[];
  /** Where the pacts came from, when not from `--pact` or `./pacts` (the bundled ones). */
  readonly notes: readonly string[];
  /** With `--api`: per document to mount, what its gate answers that it does not document, and its examples that fail their schema (notes, not failures). */
  readonly apis?: readonly ApiNotes[];
};

/**
 * Validates what every pact interaction states of its request and response against the OpenAPI document with
 * Prism's validators, before any provider runs, and nothing the pact leaves open (spec-check.ts: a response
 * without a body allows any body, as `verify` does); throws PactVerificationError listing the interactions it
 * does not allow, ConfigError for a `--spec` (or an `--api`) that cannot be read. With `--api`, it also notes, per document
 * to mount, the operations its gate answers with a status the document does not document and the examples that fail
 * their own schema (api-check.ts): notes, which leave the verdict as the pacts make it.
 */
export async function runCheck(opts: CheckOptions, io: Io): Promise<void> {
  const source = await pactSource(opts.pact);
  const pacts = await loadPacts(source.path);
  const specPath = opts.spec ?? DEFAULT_SPEC_PATH;
  let basePath: string;
  let document: Record<string, unknown>;
  try {
    ({ basePath, document } = await loadContract(specPath));
  } catch (error) {
    if (error instanceof SpecError && opts.spec !== undefined) throw new ConfigError('--spec', `--spec ${opts.spec}: ${error.message}`);
    throw error;
  }
  const apis = opts.api?.length ? await (await import('./api-check.ts')).checkApis(opts.api) : undefined;
  const { createPactSpecChecker } = await import('./spec-check.ts');
  const checker = await createPactSpecChecker(specPath);
  const interactions = pacts.flatMap((pact) => pact.interactions.map((interaction) => checkInteraction(pact, interaction, { basePath, document }, checker)));
  const violating = interactions.filter((i) => i.violations.length > 0);
  const report: CheckReport = {
    result: violating.length === 0 ? 'passed' : 'failed',
    spec: displayPath(specPath),
    summary: { total: interactions.length, allowed: interactions.length - violating.length, violating: violating.length },
    interactions,
    notes: source.note ? [source.note] : [],
    ...(apis === undefined ? {} : { apis }),
  };
  if (opts.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(formatCheck(report, io.color) + (apis === undefined ? '' : `\n${(await import('./api-check.ts')).formatApiNotes(apis, io.color)}`));
  if (violating.length > 0) {
    const names = violating.map((i) => `${i.consumer}: "${i.description}"`).join(', ');
    throw new PactVerificationError(`${violating.length} of ${interactions.length} pact interactions are not allowed by ${report.spec}: ${names}`);
  }
}

/**
 * The request (its body against the operation's request body schema, its headers and query), then the response,
 * as far as the pact states them; the pact's path must sit under the spec's base path. A request body on an
 * operation that documents none (Customer Refresh Token's page documents no body, though the service reads one) is
 * a warning, not a violation: the spec is silent, so there is nothing to check it against.
 */
function checkInteraction(
  pact: PactFile,
  interaction: PactInteraction,
  spec: { basePath: string; document: Record<string, unknown> },
  checker: PactSpecChecker,
): CheckedInteraction {
  const { request, response } = interaction;
  const { basePath } = spec;
  const found = { file: displayPath(pact.path), consumer: pact.consumer, provider: pact.provider, description: interaction.description, warnings: [] };
  const under = request.path === basePath || request.path.startsWith(`${basePath}/`);
  if (!under) return { ...found, violations: [`request: path ${request.path} is not under the spec's base path ${basePath || '/'}`] };
  const path = request.path.slice(basePath.length) || '/';
  const undocumentedBody = request.body !== undefined && request.body !== null && documentsNoBody(spec.document, request.method, path);
  const requestViolations = checker.checkRequest(undocumentedBody ? { ...request, body: undefined } : request, path);
  // An operation the spec lacks is said once, by the request.
  if (requestViolations.some((v) => v.startsWith('the spec has no operation'))) return { ...found, violations: requestViolations.map((v) => `request: ${v}`) };
  const responseViolations = checker.checkResponse(request.method, path, response);
  return {
    ...found,
    violations: [...requestViolations.map((v) => `request: ${v}`), ...responseViolations.map((v) => `response ${response.status}: ${v}`)],
    warnings: [
      ...(undocumentedBody ? [`request: the spec documents no request body for ${request.method} ${path}; the pact's body is not checked`] : []),
      ...untypedBody(request),
    ],
  };
}

/**
 * A request body the pact gives no Content-Type header: the Verifier sends it without one (the type a v4 body
 * states of itself stays in the pact), which a provider may not read as the body it is. The spec's validators, and
 * the mock, read such a body by its documented type, so it is checked as the type the pact gives it; a warning says so.
 */
function untypedBody(request: PactInteraction['request']): string[] {
  const { body, headers, bodyContentType } = request;
  if (body === undefined || body === null || body === '' || Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) return [];
  const as = bodyContentType ?? (typeof body === 'string' ? 'text/plain' : 'application/json');
  return [`request: the pact states no Content-Type header for its body, so the Verifier sends it without one; checked as ${as}`];
}

/** True when the spec has the operation and it declares no `requestBody`. */
function documentsNoBody(document: Record<string, unknown>, method: string, path: string): boolean {
  const paths = document.paths as Record<string, Record<string, Record<string, unknown> | undefined> | undefined> | undefined;
  const operation = paths?.[path]?.[method.toLowerCase()];
  return operation !== undefined && operation.requestBody === undefined;
}

function formatCheck(report: CheckReport, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines = [`Pact check against ${report.spec}`, ''];
  for (const i of report.interactions) {
    lines.push(`  ${i.violations.length ? paint(31, '✗') : paint(32, '✓')} ${i.consumer} → ${i.provider}: ${i.description}`);
    for (const v of i.violations) lines.push(`      ${v}`);
    for (const w of i.warnings) lines.push(`      ${paint(33, 'warning:')} ${w}`);
  }
  for (const n of report.notes) lines.push(`  note: ${n}`);
  const { total, allowed, violating } = report.summary;
  lines.push('', `${total} interaction${total === 1 ? '' : 's'}: ${allowed} allowed by the spec, ${violating} not`);
  lines.push(report.result === 'passed' ? paint(32, 'Pact check passed') : paint(31, 'Pact check FAILED'), '');
  return lines.join('\n');
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
