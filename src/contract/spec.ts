import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SpecError } from '../errors.ts';

/** The OpenAPI document shipped with the package: the single source of truth. */
export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('../../spec/auth-service.openapi.yaml', import.meta.url));

/**
 * The bundled spec, parsed at build time (`npm run build` writes it into dist/): loading the YAML parser and
 * parsing costs start-up ~90 ms. It is used only for a spec whose text has the digest it was parsed from.
 */
const PARSED_AT_BUILD = new URL('../spec.json', import.meta.url);

/** What `dist/spec.json` holds. */
export type ParsedSpec = { readonly digest: string; readonly document: unknown };

/**
 * The contract operations the mock serves, as their paths and methods appear in the spec (the Auth Service's
 * reference pages: Customer Logout, Customer Sign In, Customer Refresh Token). Logout must be in the spec; the
 * other two are served when the spec documents them.
 */
export const OPERATIONS = {
  logout: { path: '/customer/logout', method: 'post', summary: 'Customer Logout' },
  'sign-in': { path: '/customer/sign-in', method: 'post', summary: 'Customer Sign In' },
  refresh: { path: '/refresh-token/customer', method: 'post', summary: 'Customer Refresh Token' },
} as const;

/** A contract operation's name: `logout`, `sign-in` or `refresh` (the journal's and a fault's `operation`). */
export type OperationName = keyof typeof OPERATIONS;

/** Every operation name, logout first. */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** The logout operation (kept for callers of the single-operation contract). */
export const OPERATION = OPERATIONS.logout;

/** What the mock needs from the spec for one operation: where it lives and what each status answers. */
export type OperationContract = {
  readonly name: OperationName;
  /** The operation's path inside the base path, e.g. `/customer/logout`. */
  readonly path: string;
  /** Lower-case HTTP method, as the spec keys it (`post`). */
  readonly method: string;
  /** The documented statuses, ascending. */
  readonly statuses: readonly number[];
  /** The example body the spec gives for each documented status. */
  readonly examples: ReadonlyMap<number, Readonly<Record<string, unknown>>>;
  /** The spec's description of each status ("Unauthorized"). */
  readonly descriptions: ReadonlyMap<number, string>;
};

/**
 * What the mock needs from the spec: the base path and each served operation. The top-level `operationPath`,
 * `statuses`, `examples` and `descriptions` are the logout operation's (as before sign-in and refresh).
 */
export type Contract = Omit<OperationContract, 'name' | 'path' | 'method'> & {
  /** The parsed document (refs not resolved), for validators. */
  readonly document: Record<string, unknown>;
  /** The path of `servers[0].url`, e.g. `/auth/api/v1` (no trailing slash). */
  readonly basePath: string;
  /** The logout operation's path inside the base path: `/customer/logout`. */
  readonly operationPath: string;
  /** The operations the spec documents, logout first. */
  readonly operations: ReadonlyMap<OperationName, OperationContract>;
};

type Json = Record<string, unknown>;

/** Reads and parses the spec, failing with a SpecError that says what is missing. */
export async function loadContract(specPath: string = DEFAULT_SPEC_PATH): Promise<Contract> {
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch (cause) {
    throw new SpecError(`cannot read the OpenAPI document at ${specPath}`, { cause });
  }
  return contractFrom(asObject((await parsedAtBuild(text)) ?? (await parseSpec(text, specPath)), 'the document'));
}

/** Parses the text of a spec (YAML, of which JSON is a subset). */
export async function parseSpec(text: string, specPath: string): Promise<unknown> {
  const { parse } = await import('yaml');
  try {
    return parse(text);
  } catch (cause) {
    throw new SpecError(`${specPath} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
}

/** The digest that ties a build-time parse to the text it came from. */
export function specDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

async function parsedAtBuild(text: string): Promise<unknown> {
  let parsed: Partial<ParsedSpec> | null;
  try {
    parsed = JSON.parse(await readFile(PARSED_AT_BUILD, 'utf8')) as Partial<ParsedSpec> | null;
  } catch {
    return undefined; // Running from source, or a spec the build did not see: parse the YAML.
  }
  return parsed !== null && typeof parsed === 'object' && parsed.digest === specDigest(text) ? parsed.document : undefined;
}

/** Builds the Contract from a parsed document; throws SpecError naming what is missing (logout is required). */
export function contractFrom(document: Json): Contract {
  const paths = asObject(document.paths, 'paths');
  const operations = new Map<OperationName, OperationContract>();
  for (const name of OPERATION_NAMES) {
    const { path, method } = OPERATIONS[name];
    if (name !== 'logout' && (paths[path] as Json | undefined)?.[method] === undefined) continue;
    operations.set(name, operationFrom(document, name, asObject(asObject(paths[path], `paths.${path}`)[method], `paths.${path}.${method}`)));
  }
  const logout = operations.get('logout') as OperationContract;
  return Object.freeze({
    document,
    basePath: basePathOf(document),
    operationPath: logout.path,
    statuses: logout.statuses,
    examples: logout.examples,
    descriptions: logout.descriptions,
    operations,
  });
}

function operationFrom(document: Json, name: OperationName, operation: Json): OperationContract {
  const { path, method } = OPERATIONS[name];
  const responses = asObject(operation.responses, `${method} ${path} responses`);
  const examples = new Map<number, Json>();
  const descriptions = new Map<number, string>();
  for (const [code, raw] of Object.entries(responses)) {
    const status = Number(code);
    if (!Number.isInteger(status)) continue;
    const response = asObject(resolve(document, raw), `responses.${code}`);
    descriptions.set(status, typeof response.description === 'string' ? response.description : String(status));
    const content = response.content as Json | undefined;
    const media = content?.['application/json'] as Json | undefined;
    if (!media) throw new SpecError(`${method.toUpperCase()} ${path}: response ${code} has no application/json content`);
    const example = exampleOf(document, media);
    if (!example || typeof example !== 'object') throw new SpecError(`${method.toUpperCase()} ${path}: response ${code} has no example body`);
    examples.set(status, Object.freeze(example as Json));
  }
  if (examples.size === 0) throw new SpecError(`${method.toUpperCase()} ${path} documents no responses`);
  return Object.freeze({ name, path, method, statuses: Object.freeze([...examples.keys()].sort((a, b) => a - b)), examples, descriptions });
}

/** The media type's `example`, else the first of `examples`, else one built from the schema's property examples. */
function exampleOf(document: Json, media: Json): unknown {
  if (media.example !== undefined) return media.example;
  const named = media.examples as Json | undefined;
  const first = named && Object.values(named)[0];
  if (first && typeof first === 'object' && 'value' in first) return (first as Json).value;
  return exampleFromSchema(document, media.schema);
}

function exampleFromSchema(document: Json, raw: unknown): unknown {
  const schema = resolve(document, raw) as Json | undefined;
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.properties && typeof schema.properties === 'object') {
    const out: Json = {};
    for (const [name, property] of Object.entries(schema.properties as Json)) {
      const value = exampleFromSchema(document, property);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  return undefined;
}

function basePathOf(document: Json): string {
  const servers = document.servers;
  const first = Array.isArray(servers) ? (servers[0] as Json | undefined) : undefined;
  if (!first || typeof first.url !== 'string') return '';
  const path = new URL(first.url, 'http://placeholder').pathname;
  return path.replace(/\/+$/, '');
}

/** Follows a local `$ref` (`#/components/...`); other values pass through. */
function resolve(document: Json, value: unknown, depth = 0): unknown {
  if (!value || typeof value !== 'object' || typeof (value as Json).$ref !== 'string') return value;
  if (depth > 32) throw new SpecError('$ref chain too deep');
  const ref = (value as Json).$ref as string;
  if (!ref.startsWith('#/')) throw new SpecError(`only local $refs are supported, got ${ref}`);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = target && typeof target === 'object' ? (target as Json)[key] : undefined;
  }
  if (target === undefined) throw new SpecError(`unresolved $ref ${ref}`);
  return resolve(document, target, depth + 1);
}

function asObject(value: unknown, what: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SpecError(`the spec has no ${what}`);
  return value as Json;
}
