// Every example of an OpenAPI document's request and response bodies, checked against its schema the way Prism's
// validator reads the document: http-spec turns `nullable: true` into a null type and gives each schema the draft-07
// `$schema` (a document without `jsonSchemaDialect`), then Ajv (no coercion, ajv-formats, Prism's own `date-time`,
// which wants a time zone) checks the body after Prism's allOf merge and read/write-only filter. The other reading is
// plain JSON Schema 2020-12, what OpenAPI 3.1 says: the same Ajv set-up, the 2020-12 dialect, the schema as written
// (less `nullable`, which 2020-12 does not define and Ajv would otherwise honour).
import { readFile } from 'node:fs/promises';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import validators from '@stoplight/prism-http/dist/validator/validators/index.js';
import { validateAgainstSchema } from '@stoplight/prism-http/dist/validator/validators/utils.js';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

/** The extension on a media type object that names its examples that fail their schema, as `{ path, reason }`s. */
export const EXAMPLE_NOTE = 'x-example-fails-schema';

/** How a schema is read: as Prism's validator does, or as plain JSON Schema 2020-12. */
export type ExampleReading = 'prism' | 'json-schema-2020-12';

/** One media type of a request or response body: its note, and its examples that fail their schema. */
export type MediaTypeExamples = {
  /** The operations whose body it is (operationId, else `METHOD path`); a shared response serves several. */
  readonly operations: readonly string[];
  /** JSON pointer of the media type object, `$ref`s followed: where its note sits. */
  readonly media: string;
  /** The `path`s its note names. */
  readonly noted: readonly string[];
  /** Each failing value: its JSON pointer from the media type object (`/example/data/created_at`), Ajv's messages. */
  readonly failures: readonly { readonly path: string; readonly message: string }[];
};

type PrismContent = { mediaType: string; schema?: Json };
type PrismOperation = {
  iid?: string;
  method: string;
  path: string;
  request?: { body?: { contents?: PrismContent[] } };
  responses: { code: string; contents?: PrismContent[] }[];
};
/** Prism's diagnostic: its `path` begins with `body` (none for a body it could not read). */
type Diagnostic = { path?: (string | number)[]; message: string };
type Check = { document: Json; context: number; reading: ExampleReading; dialect: unknown };

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
/** Prism's ValidationContext (a TS enum in its types): Input strips readOnly properties, Output writeOnly ones. */
const INPUT = 0;
const OUTPUT = 1;
/** Where a schema holds subschemas: one, a list of them, or a map of them. */
const ONE = ['items', 'additionalProperties', 'unevaluatedProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];

/**
 * Every request and response media type of the document at `specPath`, each with the examples of its body that fail
 * their schema under `reading`: the media type's `example` and `examples`, and every `example`/`examples` inside its
 * schema (checked against the subschema that holds them).
 */
export async function checkExamples(specPath: string, reading: ExampleReading): Promise<MediaTypeExamples[]> {
  const document = parse(await readFile(specPath, 'utf8')) as Json;
  const operations = (await getHttpOperationsFromSpec(specPath)) as unknown as PrismOperation[];
  const found = new Map<string, { operations: string[]; media: Json; schema: Json | undefined; context: number }>();
  const visit = (operation: string, pointer: string, raw: unknown, contents: PrismContent[] | undefined, context: number) => {
    const [body, at] = follow(document, raw, pointer);
    for (const [mediaType, media] of Object.entries(asJson(body.content))) {
      const where = `${at}/content/${segment(mediaType)}`;
      const seen = found.get(where);
      if (seen) seen.operations.push(operation);
      else found.set(where, { operations: [operation], media: asJson(media), schema: contents?.find((c) => c.mediaType === mediaType)?.schema, context });
    }
  };
  for (const operation of operations) {
    const name = operation.iid ?? `${operation.method.toUpperCase()} ${operation.path}`;
    const pointer = `/paths/${segment(operation.path)}/${operation.method}`;
    const raw = asJson(asJson(asJson(document.paths)[operation.path])[operation.method]);
    if (raw.requestBody !== undefined) visit(name, `${pointer}/requestBody`, raw.requestBody, operation.request?.body?.contents, INPUT);
    for (const [code, response] of Object.entries(asJson(raw.responses))) {
      visit(name, `${pointer}/responses/${segment(code)}`, response, operation.responses.find((r) => r.code === code)?.contents, OUTPUT);
    }
  }
  return [...found].map(([where, { operations: names, media, schema, context }]) => ({
    operations: names,
    media: where,
    noted: noteOf(media),
    failures: failuresOf(media, schema, { document, context, reading, dialect: schema?.$schema }),
  }));
}

/** Every JSON pointer in the document where the note occurs (it belongs on media type objects only). */
export async function notePointers(specPath: string): Promise<string[]> {
  const out: string[] = [];
  const walk = (value: unknown, pointer: string) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === EXAMPLE_NOTE) out.push(pointer);
      else walk(child, `${pointer}/${segment(key)}`);
    }
  };
  walk(parse(await readFile(specPath, 'utf8')), '');
  return out;
}

function noteOf(media: Json): string[] {
  const note = media[EXAMPLE_NOTE];
  if (note === undefined) return [];
  if (!Array.isArray(note)) throw new Error(`${EXAMPLE_NOTE} must be a list of { path, reason }`);
  return note.map((entry: unknown) => {
    const { path, reason } = asJson(entry);
    if (typeof path !== 'string' || typeof reason !== 'string' || reason === '') throw new Error(`${EXAMPLE_NOTE}: ${JSON.stringify(entry)}`);
    return path;
  });
}

/** The media type's failing example values, by their pointer from the media type object. */
function failuresOf(media: Json, prismSchema: Json | undefined, how: Check): { path: string; message: string }[] {
  if (media.schema === undefined) return [];
  const failures = new Map<string, Set<string>>();
  const check = (value: unknown, raw: unknown, prism: Json | undefined, at: string) => {
    for (const d of violations(value, raw, prism, how)) {
      const path = at + d.path.map((p) => `/${segment(String(p))}`).join('');
      failures.set(path, (failures.get(path) ?? new Set()).add(d.message));
    }
  };
  if (media.example !== undefined) check(media.example, media.schema, prismSchema, '/example');
  for (const [name, named] of Object.entries(asJson(media.examples))) {
    const [example] = follow(how.document, named, '');
    if ('value' in example) check(example.value, media.schema, prismSchema, `/examples/${segment(name)}/value`);
  }
  // Examples inside the schema, each against the subschema that holds it (Prism's copy is dereferenced: same shape).
  const walk = (raw: unknown, prism: Json | undefined, at: string, outer: ReadonlySet<Json>) => {
    const [schema] = follow(how.document, raw, '');
    if (outer.has(schema)) return; // recursion: this schema's examples were checked further out
    if (schema.example !== undefined) check(schema.example, schema, prism, `${at}/example`);
    if (Array.isArray(schema.examples)) for (const [i, example] of schema.examples.entries()) check(example, schema, prism, `${at}/examples/${i}`);
    const inner = new Set(outer).add(schema);
    for (const [path, child] of subschemas(schema)) walk(child, pick(prism, path), `${at}/${path.map(segment).join('/')}`, inner);
  };
  walk(media.schema, prismSchema, '/schema', new Set());
  return [...failures].map(([path, messages]) => ({ path, message: [...messages].join('; ') }));
}

/** A schema's direct subschemas, each with its path of keys from the schema. */
function subschemas(schema: Json): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  const isSchema = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);
  for (const key of ONE) if (isSchema(schema[key])) out.push([[key], schema[key]]);
  for (const key of LIST) {
    const list = schema[key];
    if (Array.isArray(list)) for (const [i, child] of list.entries()) if (isSchema(child)) out.push([[key, String(i)], child]);
  }
  for (const key of MAP) for (const [name, child] of Object.entries(asJson(schema[key]))) if (isSchema(child)) out.push([[key, name], child]);
  return out;
}

function pick(value: Json | undefined, path: string[]): Json | undefined {
  let node: unknown = value;
  for (const key of path) node = node && typeof node === 'object' ? (node as Json)[key] : undefined;
  return node && typeof node === 'object' ? (node as Json) : undefined;
}

/** The diagnostics for `value` against its schema, their paths inside the value. */
function violations(value: unknown, raw: unknown, prism: Json | undefined, how: Check): { path: (string | number)[]; message: string }[] {
  let diagnostics: Diagnostic[];
  if (how.reading === 'prism') {
    if (!prism) throw new Error('Prism has no schema where the document has one');
    // Prism's own body check. A subschema's dialect is its root's (http-spec writes `$schema` on the root only).
    const content = { mediaType: 'application/json', schema: { ...prism, $schema: how.dialect } };
    const result = validators.validateBody(value, [content as never], how.context as never, 'application/json') as { _tag: string; left?: Diagnostic[] };
    diagnostics = result._tag === 'Left' ? (result.left ?? []) : [];
  } else {
    // Local `$ref`s (`#/components/...`) resolve against the root, so the root carries the document's components.
    const schema = withoutNullable({ $schema: DRAFT_2020_12, ...asJson(raw), components: how.document.components });
    const result = validateAgainstSchema(value, schema as never, false, how.context as never, 'body') as { _tag: string; value?: Diagnostic[] };
    diagnostics = result._tag === 'Some' ? (result.value ?? []) : [];
  }
  return diagnostics.map((d) => ({ message: d.message, path: (d.path ?? []).slice(1) }));
}

/**
 * The schema without OpenAPI 3.0's `nullable` (a boolean beside a schema's keywords; an object under that name is a
 * property's schema): 2020-12 does not define it, but Ajv honours it in every dialect.
 */
function withoutNullable(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema, (key, value) => (key === 'nullable' && typeof value === 'boolean' ? undefined : value))) as Json;
}

/** Follows local `$ref`s from `value` (found at `pointer`); returns the object reached and its pointer. */
function follow(document: Json, value: unknown, pointer: string): [Json, string] {
  let at = pointer;
  let target = value;
  for (let hops = 0; target && typeof target === 'object' && typeof (target as Json).$ref === 'string'; hops++) {
    const ref = (target as Json).$ref as string;
    if (!ref.startsWith('#/') || hops > 32) throw new Error(`cannot follow $ref ${ref}`);
    at = ref.slice(1);
    target = pick(
      document,
      ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')),
    );
  }
  return [asJson(target), at];
}

function asJson(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** One JSON-pointer segment, escaped. */
function segment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
