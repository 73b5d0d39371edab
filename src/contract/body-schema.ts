import type { ErrorObject, ValidateFunction } from 'ajv';
import { type Document, resolve } from './document.ts';

/** Why a request body does not satisfy its operation's schema, naming the field (`email must match format "email"`), or undefined. */
export type BodyCheck = (body: unknown) => Promise<string | undefined>;

/**
 * Builds the check of one operation's request body against its schema, read as Prism's validators read an OpenAPI
 * document's schemas (JSON Schema draft-07 through Ajv with ajv-formats; `nullable: true` allows `null`; `example`s
 * ignored), so the mock refuses exactly what `worth-auth-mock check` refuses. Ajv (~70 ms to load and compile) loads at
 * the first check, not at start. Local `$ref`s are followed; a cycle deeper than 32 levels stops there (anything goes).
 */
export function createBodyCheck(document: Document, schema: unknown): BodyCheck {
  let validate: Promise<ValidateFunction> | undefined;
  return async (body) => {
    validate ??= compile(inline(document, schema, 0));
    const check = await validate;
    return check(body) ? undefined : describe(check.errors ?? []);
  };
}

async function compile(schema: unknown): Promise<ValidateFunction> {
  const [{ Ajv }, formats] = await Promise.all([import('ajv'), import('ajv-formats')]);
  // ajv-formats is CommonJS: its plugin is the module itself (`default` as Node hands it over).
  const addFormats = formats.default as unknown as (ajv: InstanceType<typeof Ajv>) => void;
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: false, logger: false });
  addFormats(ajv);
  return ajv.compile(schema as object);
}

/** The schema with every local `$ref` replaced by its target and `nullable` read as Prism reads it. */
function inline(document: Document, raw: unknown, depth: number): unknown {
  if (depth > 32) return {};
  const value = resolve(document, raw);
  if (Array.isArray(value)) return value.map((item) => inline(document, item, depth + 1));
  if (!value || typeof value !== 'object') return value;
  const out: Document = {};
  for (const [key, child] of Object.entries(value as Document)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    out[key] = key === 'properties' || key === 'patternProperties' ? inlineEach(document, child, depth) : inline(document, child, depth + 1);
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  return out;
}

function inlineEach(document: Document, map: unknown, depth: number): unknown {
  if (!map || typeof map !== 'object') return map;
  return Object.fromEntries(Object.entries(map as Document).map(([name, schema]) => [name, inline(document, schema, depth + 1)]));
}

/** The first error, as a client reads it: the field by its dotted path, and what is wrong with it. */
function describe(errors: readonly ErrorObject[]): string {
  const error = errors.find((e) => e.keyword === 'required') ?? errors[0];
  if (error === undefined) return 'body does not match its schema';
  const at = error.instancePath.split('/').filter(Boolean).join('.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `${at === '' ? '' : `${at}.`}${missing} is required`;
  }
  if (error.keyword === 'additionalProperties')
    return `${at === '' ? 'body' : at} has a field the schema does not allow: ${(error.params as { additionalProperty: string }).additionalProperty}`;
  if (error.keyword === 'enum') return `${at || 'body'} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${at || 'body'} ${error.message ?? 'is not valid'}`;
}
