import { ConfigError } from '../errors.ts';
import type { Body } from './bodies.ts';
import { type Contract, contractFrom } from './contract.ts';
import { readDocument } from './document.ts';

/** One answer of a mounted document's operation, ready to write: its status, body (text, with its media type) and headers. */
export type DocumentAnswer = { readonly status: number; readonly body: Body; readonly headers: readonly string[] };

/** What a mounted operation answers from its document (made when the document is mounted; see answersOf). */
export type DocumentAnswers = {
  /** What Prism answers when nothing is asked: the static example of its first documented success. */
  readonly default: DocumentAnswer | undefined;
  /** A documented status's static answer. */
  of(status: number): DocumentAnswer | undefined;
  /** A named example (`Prefer: example=<key>`), of `status` when given, else of any status that has it. */
  example(key: string, status?: number): DocumentAnswer | undefined;
  /** An answer Prism's mocker makes now from the schema (`Prefer: dynamic=true`), of `status` when given. */
  dynamic(status?: number): Promise<DocumentAnswer>;
};

/** A mounted document's answers by operation (`id` as the Contract names it), and what was wrong with its examples. */
export type MountedAnswers = { readonly answers: ReadonlyMap<string, DocumentAnswers>; readonly problems: readonly string[] };

/** Headers a document's captured headers may not set on the mock's answer: the connection's, the body's, CORS (the mock's own). */
const NOT_COPIED = /^(?:date|content-length|content-type|connection|keep-alive|transfer-encoding|vary|set-cookie|access-control-.*)$/i;

type Operation = { method: string; path: string; responses: { code: string; contents?: { mediaType: string; examples?: { key: string }[] }[] }[] };
type MockerConfig = { dynamic: boolean; code?: number; exampleKey?: string; seed?: string };
type PrismResponse = { statusCode: number; headers?: Record<string, unknown>; body?: unknown };

/**
 * Reads what each operation of a document answers, with Prism's own mocker (`@stoplight/prism-http`, loaded here: ~0.4 s),
 * once, when the document is mounted: every documented status's static answer and every named example, each checked
 * by Prism's response validator against the document. An example that fails its own schema (a `nullable` in a 3.1
 * document, a wrong type) is reported in `problems` and replaced by a body Prism generates from the schema (seeded, so
 * the same on every start). At request time nothing of Prism runs but for `Prefer: dynamic=true`. Headers the document
 * captured are copied, except those the mock sets itself and any Prism could only make `null` of.
 */
export async function answersOf(specPath: string, operationIds: ReadonlyMap<string, string>): Promise<MountedAnswers> {
  const [{ getHttpOperationsFromSpec }, mocker, validator, { createLogger }] = await Promise.all([
    import('@stoplight/prism-http'),
    import('@stoplight/prism-http/dist/mocker/index.js'),
    import('@stoplight/prism-http/dist/validator/index.js'),
    import('@stoplight/prism-core'),
  ]);
  const logger = createLogger('worth-auth-mock', { enabled: false } as never);
  const mock = ((mocker as { default: unknown }).default as { default?: unknown }).default ?? (mocker as { default: unknown }).default;
  const run = (operation: Operation, config: MockerConfig): PrismResponse | undefined => {
    const request = { method: operation.method, url: { path: operation.path }, headers: {} };
    const result = (mock as (input: unknown) => (logger: unknown) => { _tag: string; right?: PrismResponse })({
      resource: operation,
      input: { data: request, validations: [] },
      config,
    })(logger);
    return result._tag === 'Right' ? result.right : undefined;
  };
  const invalid = (operation: Operation, response: PrismResponse): string[] => {
    const element = { statusCode: response.statusCode, headers: stringHeaders(response.headers), body: response.body };
    const result = validator.validateOutput({ resource: operation as never, element } as never) as unknown as { _tag: string; left?: { message: string }[] };
    return result._tag === 'Left' ? (result.left ?? []).map((d) => d.message) : [];
  };
  const problems: string[] = [];
  const answers = new Map<string, DocumentAnswers>();
  for (const operation of (await getHttpOperationsFromSpec(specPath)) as unknown as Operation[]) {
    const id = operationIds.get(`${operation.method} ${operation.path}`);
    if (id === undefined) continue;
    // What failed, by status: the static answer of a status is one of its named examples, reported once, by its name.
    const failed = new Set<string>();
    const checked = (config: MockerConfig, what: string): DocumentAnswer | undefined => {
      const first = run(operation, config);
      if (first === undefined) return undefined;
      const violations = invalid(operation, first);
      if (violations.length === 0) return answerOf(first);
      const why = violations.slice(0, 2).join('; ');
      if (!failed.has(`${config.code} ${why}`)) problems.push(`${id}: ${what} fails its own schema (${why}): a body generated from the schema is sent instead`);
      failed.add(`${config.code} ${why}`);
      const generated = run(operation, { ...config, exampleKey: undefined, dynamic: true, seed: 'worth-auth-mock' } as MockerConfig);
      return generated === undefined ? answerOf(first) : answerOf(generated);
    };
    const byStatus = new Map<number, DocumentAnswer>();
    const byExample = new Map<string, DocumentAnswer>();
    for (const response of operation.responses) {
      const status = Number(response.code);
      if (!Number.isInteger(status)) continue;
      for (const key of new Set((response.contents ?? []).flatMap((content) => (content.examples ?? []).map((example) => example.key)))) {
        const named = checked({ dynamic: false, code: status, exampleKey: key }, `the ${status} example "${key}"`);
        if (named) byExample.set(`${status}:${key}`, named);
      }
      const answer = checked({ dynamic: false, code: status }, `the ${status} example`);
      if (answer) byStatus.set(status, answer);
    }
    const fallback = run(operation, { dynamic: false });
    answers.set(id, {
      default: fallback === undefined ? undefined : (byStatus.get(fallback.statusCode) ?? answerOf(fallback)),
      of: (status) => byStatus.get(status),
      example: (key, status) => (status === undefined ? [...byExample].find(([name]) => name.endsWith(`:${key}`))?.[1] : byExample.get(`${status}:${key}`)),
      dynamic: async (status) => {
        const made = run(operation, { dynamic: true, ...(status === undefined ? {} : { code: status }) });
        if (made === undefined) throw new Error(`Prism made no answer for ${id}${status === undefined ? '' : ` ${status}`}`);
        return answerOf(made);
      },
    });
  }
  return { answers, problems };
}

/**
 * Reads a document to mount (`--api`) and has Prism make its answers (see answersOf). Throws ConfigError naming `--api`
 * and the file for one that cannot be read or parsed, that is no OpenAPI document, or that Prism cannot read.
 */
export async function readMountable(file: string): Promise<{ contract: Contract; mounted: MountedAnswers }> {
  const refused = (why: string) => new ConfigError('--api', `--api ${file}: ${why}`);
  let contract: Contract;
  try {
    const document = await readDocument(file);
    if (typeof document.openapi !== 'string' && typeof document.swagger !== 'string') throw refused('not an OpenAPI document (it has no "openapi" field)');
    contract = contractFrom(document);
  } catch (error) {
    throw error instanceof ConfigError ? error : refused(errorText(error));
  }
  const ids = new Map([...contract.operations.values()].map((operation) => [`${operation.method} ${operation.path}`, operation.id]));
  try {
    return { contract, mounted: await answersOf(file, ids) };
  } catch (error) {
    throw refused(`Prism cannot read it: ${errorText(error)}`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Prism response as the mock writes it: JSON text with its length, the headers it may copy. */
function answerOf(response: PrismResponse): DocumentAnswer {
  const text = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const headers: string[] = [];
  let contentType = 'application/json';
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (/^content-type$/i.test(name) && typeof value === 'string') contentType = value;
    if (NOT_COPIED.test(name) || value === null || value === undefined || typeof value === 'object') continue;
    headers.push(name.toLowerCase(), String(value));
  }
  return Object.freeze({
    status: response.statusCode,
    body: Object.freeze({ text, contentLength: String(Buffer.byteLength(text)), contentType }),
    headers: Object.freeze(headers),
  });
}

function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (typeof value === 'string') out[name.toLowerCase()] = value;
  return out;
}
