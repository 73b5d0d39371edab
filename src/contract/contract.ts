import { SpecError } from '../errors.ts';
import { type BodyCheck, createBodyCheck } from './body-schema.ts';
import { asObject, DEFAULT_SPEC_PATH, type Document, readDocument, resolve } from './document.ts';
import { type Security, securityOf } from './security.ts';

/** HTTP methods an OpenAPI path item may hold (OpenAPI 3.1 §4.8.9), in the order `Allow` lists them. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A request body as an operation documents it. */
export type RequestBodyContract = {
  readonly required: boolean;
  /** Its media types (`application/json`). */
  readonly mediaTypes: readonly string[];
  /** The JSON media type's schema, refs unresolved (validators resolve them against `Contract.document`); undefined when none. */
  readonly schema: unknown;
};

/** A path or query parameter as an operation (or its path item) documents it. */
export type ParameterContract = { readonly name: string; readonly in: string; readonly required: boolean; readonly schema: unknown };

/** What the mock reads of one operation of a document: where it lives, what it answers, what it requires. */
export type OperationContract = {
  /** Its name: the `operationId`, else `<method> <path>` (`get /customers/{customerID}/businesses`). */
  readonly id: string;
  readonly summary: string | undefined;
  /** Lower-case, as the document keys it (`post`). */
  readonly method: string;
  /** The path inside the base path, as the document writes it (`/customers/{customerID}/users`). */
  readonly path: string;
  /** The documented statuses, ascending. */
  readonly statuses: readonly number[];
  /** The example body of each documented status that has a JSON example. */
  readonly examples: ReadonlyMap<number, unknown>;
  /** The document's description of each status ("Unauthorized"). */
  readonly descriptions: ReadonlyMap<number, string>;
  readonly security: Security;
  readonly requestBody: RequestBodyContract | undefined;
  readonly parameters: readonly ParameterContract[];
  /** Checks a JSON request body against the operation's request schema, as `check` reads it (see `createBodyCheck`); none: anything goes. */
  readonly checkBody: BodyCheck;
};

/** What the mock reads of a whole document: its title, base path and every operation. */
export type Contract = {
  /** The parsed document (refs not resolved), for validators and Prism. */
  readonly document: Document;
  /** `info.title` ("Auth Service"). */
  readonly title: string;
  /** The path of `servers[0].url` (`/auth/api/v1`), no trailing slash; `''` when there is none. */
  readonly basePath: string;
  /** Every operation, by `id`, in the document's order. */
  readonly operations: ReadonlyMap<string, OperationContract>;
};

/** Reads a document (default: the bundled Auth Service spec) and builds its Contract; throws SpecError naming what is missing. */
export async function loadContract(specPath: string = DEFAULT_SPEC_PATH): Promise<Contract> {
  return contractFrom(await readDocument(specPath));
}

/** Builds the Contract of a parsed document; throws SpecError for an operationId used twice or a response it cannot read. */
export function contractFrom(document: Document): Contract {
  const paths = asObject(document.paths ?? {}, 'paths');
  const operations = new Map<string, OperationContract>();
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = asObject(resolve(document, rawItem), `paths.${path}`);
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const contract = operationFrom(document, path, method, item, asObject(operation, `paths.${path}.${method}`));
      if (operations.has(contract.id)) throw new SpecError(`operationId ${contract.id} is used twice (${method.toUpperCase()} ${path})`);
      operations.set(contract.id, contract);
    }
  }
  const info = document.info as Document | undefined;
  return Object.freeze({
    document,
    title: typeof info?.title === 'string' ? info.title : 'API',
    basePath: basePathOf(document),
    operations,
  });
}

function operationFrom(document: Document, path: string, method: string, item: Document, operation: Document): OperationContract {
  const id = typeof operation.operationId === 'string' && operation.operationId !== '' ? operation.operationId : `${method} ${path}`;
  const responses = asObject(operation.responses ?? {}, `${method} ${path} responses`);
  const requestBody = requestBodyOf(document, operation.requestBody);
  const examples = new Map<number, unknown>();
  const descriptions = new Map<number, string>();
  for (const [code, raw] of Object.entries(responses)) {
    const status = Number(code);
    if (!Number.isInteger(status)) continue; // `default`, `2XX`: no status the mock answers with by name
    const response = asObject(resolve(document, raw), `${method} ${path} responses.${code}`);
    descriptions.set(status, typeof response.description === 'string' ? response.description : String(status));
    const example = exampleOf(document, jsonMedia(response.content));
    if (example !== undefined) examples.set(status, Object.freeze(example));
  }
  return Object.freeze({
    id,
    summary: typeof operation.summary === 'string' ? operation.summary : undefined,
    method,
    path,
    statuses: Object.freeze([...descriptions.keys()].sort((a, b) => a - b)),
    examples,
    descriptions,
    security: securityOf(document, operation),
    requestBody,
    checkBody: requestBody?.schema === undefined ? anything : createBodyCheck(document, requestBody.schema),
    parameters: Object.freeze([...parametersOf(document, item.parameters), ...parametersOf(document, operation.parameters)]),
  });
}

/** The check of an operation that documents no request schema. */
const anything: BodyCheck = async () => undefined;

/** The JSON media type object of a `content` map (`application/json`, `application/json; charset=utf-8`, `…+json`). */
function jsonMedia(content: unknown): Document | undefined {
  if (!content || typeof content !== 'object') return undefined;
  const entry = Object.entries(content as Document).find(([type]) => /^application\/(?:[\w.-]+\+)?json\b/i.test(type));
  return entry?.[1] as Document | undefined;
}

function requestBodyOf(document: Document, raw: unknown): RequestBodyContract | undefined {
  if (raw === undefined) return undefined;
  const body = asObject(resolve(document, raw), 'requestBody');
  const content = (body.content ?? {}) as Document;
  return Object.freeze({ required: body.required === true, mediaTypes: Object.freeze(Object.keys(content)), schema: jsonMedia(content)?.schema });
}

function parametersOf(document: Document, raw: unknown): ParameterContract[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((each) => {
    const parameter = asObject(resolve(document, each), 'parameter');
    return Object.freeze({ name: String(parameter.name), in: String(parameter.in), required: parameter.required === true, schema: parameter.schema });
  });
}

/** The media type's `example`, else the first of `examples`, else one built from the schema's property examples. */
function exampleOf(document: Document, media: Document | undefined): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const named = media.examples as Document | undefined;
  const first = named && resolve(document, Object.values(named)[0]);
  if (first && typeof first === 'object' && 'value' in first) return (first as Document).value;
  return exampleFromSchema(document, media.schema);
}

function exampleFromSchema(document: Document, raw: unknown): unknown {
  const schema = resolve(document, raw) as Document | undefined;
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.properties && typeof schema.properties === 'object') {
    const out: Document = {};
    for (const [name, property] of Object.entries(schema.properties as Document)) {
      const value = exampleFromSchema(document, property);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  return undefined;
}

function basePathOf(document: Document): string {
  const servers = document.servers;
  const first = Array.isArray(servers) ? (servers[0] as Document | undefined) : undefined;
  if (!first || typeof first.url !== 'string') return '';
  const path = new URL(first.url, 'http://placeholder').pathname;
  return path.replace(/\/+$/, '');
}
