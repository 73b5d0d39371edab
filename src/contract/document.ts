import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SpecError } from '../errors.ts';

/** The Auth Service's OpenAPI document shipped with the package: the single source of truth for its operations. */
export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('../../spec/auth-service.openapi.yaml', import.meta.url));

/**
 * The bundled spec, parsed at build time (`npm run build` writes it into dist/): loading the YAML parser and
 * parsing costs start-up ~90 ms. It is used only for a spec whose text has the digest it was parsed from.
 */
const PARSED_AT_BUILD = new URL('../spec.json', import.meta.url);

/** What `dist/spec.json` holds. */
export type ParsedSpec = { readonly digest: string; readonly document: unknown };

/** A parsed OpenAPI document (refs not resolved). */
export type Document = Record<string, unknown>;

/** Reads and parses an OpenAPI document (YAML or JSON); throws SpecError naming the file when it cannot, or when it is no mapping. */
export async function readDocument(specPath: string = DEFAULT_SPEC_PATH): Promise<Document> {
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch (cause) {
    throw new SpecError(`cannot read the OpenAPI document at ${specPath}`, { cause });
  }
  const document = (await parsedAtBuild(text)) ?? (await parseSpec(text, specPath));
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    const reads = Array.isArray(document) ? 'a list' : document === null ? 'nothing' : `a ${typeof document}`;
    throw new SpecError(`${specPath} is not an OpenAPI document: it reads as ${reads}, not a mapping of openapi, info and paths`);
  }
  return document as Document;
}

/** Parses the text of a spec (YAML, of which JSON is a subset); throws SpecError for text that is not YAML. */
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

/** Follows a local `$ref` (`#/components/...`, RFC 6901 escapes); other values pass through. Throws SpecError for a ref it cannot follow. */
export function resolve(document: Document, value: unknown, depth = 0): unknown {
  if (!value || typeof value !== 'object' || typeof (value as Document).$ref !== 'string') return value;
  if (depth > 32) throw new SpecError('$ref chain too deep');
  const ref = (value as Document).$ref as string;
  if (!ref.startsWith('#/')) throw new SpecError(`only local $refs are supported, got ${ref}`);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = target && typeof target === 'object' ? (target as Document)[key] : undefined;
  }
  if (target === undefined) throw new SpecError(`unresolved $ref ${ref}`);
  return resolve(document, target, depth + 1);
}

/** `value` as an object, or a SpecError saying the document has no `what`. */
export function asObject(value: unknown, what: string): Document {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SpecError(`the spec has no ${what}`);
  return value as Document;
}
