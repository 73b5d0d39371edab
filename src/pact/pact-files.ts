import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

/** One HTTP interaction of a pact, with its example request and response in plain form (any pact spec version). */
export type PactInteraction = {
  readonly description: string;
  readonly providerStates: readonly { name: string; params?: Record<string, unknown> }[];
  readonly request: PactMessage & { readonly method: string; readonly path: string; readonly query: string };
  readonly response: PactMessage & { readonly status: number };
  /** The provider-state values its request uses (`${token}` → `token`), in order: what a state setup must answer. */
  readonly stateVariables: readonly string[];
};

/**
 * Headers (names as written, several values joined by `, `) and the body: parsed JSON, text, `undefined` when the
 * pact states none (Pact: any body) or `null` for Pact's explicit empty body; `bodyContentType` is the content
 * type a Pact v4 body states of itself (`body.contentType`), which holds where the headers name none.
 */
export type PactMessage = { readonly headers: Readonly<Record<string, string>>; readonly body: unknown; readonly bodyContentType?: string };

/** A pact file: who it is between and its HTTP interactions (message interactions are counted, not kept). */
export type PactFile = {
  readonly path: string;
  readonly consumer: string;
  readonly provider: string;
  readonly interactions: readonly PactInteraction[];
  /** Interactions that are not synchronous HTTP (messages): verify and check leave them to Pact. */
  readonly otherInteractions: number;
};

type Json = Record<string, unknown>;

/** Where pacts are read from when `--pact` is not given, and a note when it is not `./pacts`. */
export type PactSource = { readonly path: string; readonly note: string | undefined };

/** The pacts shipped inside this package (`pacts/` beside `src/` and `dist/`). */
export const BUNDLED_PACTS = fileURLToPath(new URL('../../pacts', import.meta.url));

/**
 * The pacts `check` and `verify` read: `--pact` as given; else `./pacts` when it exists; else the pacts bundled
 * with the package, so `npx worth-auth-mock check` works in a project that has none of its own.
 */
export async function pactSource(given: string | undefined): Promise<PactSource> {
  if (given !== undefined) return { path: given, note: undefined };
  const exists = await stat(resolve('pacts')).then(
    () => true,
    () => false,
  );
  if (exists) return { path: 'pacts', note: undefined };
  const shown = relative(process.cwd(), BUNDLED_PACTS);
  return {
    path: BUNDLED_PACTS,
    note: `./pacts does not exist: read the pacts bundled with worth-auth-mock (${shown.startsWith('..') ? BUNDLED_PACTS : shown})`,
  };
}

/** Reads `--pact FILE|DIR` (every `*.json` of a folder, sorted); throws ConfigError naming the file and what is wrong. */
export async function loadPacts(path: string): Promise<PactFile[]> {
  const full = resolve(path);
  let files: string[];
  try {
    const info = await stat(full);
    files = info.isDirectory()
      ? (await readdir(full))
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => join(full, name))
      : [full];
  } catch {
    throw new ConfigError('--pact', `--pact ${path} does not exist: give a pact file or a folder of them (the consumer tests write pacts/)`);
  }
  if (files.length === 0)
    throw new ConfigError('--pact', `--pact ${path} holds no pact files (*.json): run the consumer tests first, or point --pact at a pact`);
  return Promise.all(files.map(readPact));
}

/** The provider states a set of pacts names, each once, in order of appearance. */
export function providerStatesOf(pacts: readonly PactFile[]): string[] {
  return [...new Set(pacts.flatMap((pact) => pact.interactions.flatMap((i) => i.providerStates.map((s) => s.name))))];
}

async function readPact(file: string): Promise<PactFile> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('--pact', `${file} is not a readable JSON pact: ${(error as Error).message}`);
  }
  const pact = document as Json;
  const consumer = (pact?.consumer as Json | undefined)?.name;
  const provider = (pact?.provider as Json | undefined)?.name;
  if (typeof consumer !== 'string' || typeof provider !== 'string' || !Array.isArray(pact.interactions)) {
    throw new ConfigError('--pact', `${file} is not a pact: it needs consumer.name, provider.name and interactions`);
  }
  const version = specificationOf(pact.metadata);
  const interactions: PactInteraction[] = [];
  let otherInteractions = 0;
  for (const [index, raw] of (pact.interactions as Json[]).entries()) {
    if (raw?.type !== undefined && raw.type !== 'Synchronous/HTTP') {
      otherInteractions += 1;
      continue;
    }
    try {
      interactions.push(interactionFrom(raw, version));
    } catch (error) {
      throw new ConfigError('--pact', `${file}: interaction ${index} (${JSON.stringify(raw?.description ?? '')}) ${(error as Error).message}`);
    }
  }
  return { path: file, consumer, provider, interactions, otherInteractions };
}

/** The pact specification's major version its metadata names (`pactSpecification.version` "4.0" → 4), if any. */
function specificationOf(metadata: unknown): number | undefined {
  const meta = (metadata ?? {}) as Json;
  // v3/v4 write `pactSpecification`; v2 `pact-specification` or `pactSpecification`; v1.1 `pactSpecificationVersion`.
  const named = ((meta.pactSpecification ?? meta['pact-specification']) as Json | undefined)?.version ?? meta.pactSpecificationVersion;
  const major = Number.parseInt(String(named ?? ''), 10);
  return Number.isNaN(major) ? undefined : major;
}

function interactionFrom(raw: Json, version: number | undefined): PactInteraction {
  if (typeof raw.description !== 'string') throw new Error('has no description');
  const request = raw.request as Json | undefined;
  const response = raw.response as Json | undefined;
  if (!request || typeof request.method !== 'string' || typeof request.path !== 'string') throw new Error('has no request method and path');
  if (!response || typeof response.status !== 'number') throw new Error('has no response status');
  // Pact v3/v4 name a list of states; v2 a single `providerState`.
  const states = Array.isArray(raw.providerStates)
    ? (raw.providerStates as Json[]).map((s) => ({ name: String(s.name), ...(s.params ? { params: s.params as Record<string, unknown> } : {}) }))
    : typeof raw.providerState === 'string'
      ? [{ name: raw.providerState }]
      : [];
  return {
    description: raw.description,
    providerStates: states,
    request: { method: request.method.toUpperCase(), path: request.path, query: queryOf(request.query), ...messageOf(request, version) },
    response: { status: response.status, ...messageOf(response, version) },
    stateVariables: stateVariablesOf(request.generators),
  };
}

/** The names in the request's provider-state generators' expressions (`"Bearer ${token}"` → `token`), each once. */
function stateVariablesOf(generators: unknown): string[] {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const { type, expression } = node as Json;
    if (type === 'ProviderState' && typeof expression === 'string') {
      for (const [, name] of expression.matchAll(/\$\{\s*([^}\s]+)\s*\}/g)) names.add(name as string);
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(generators);
  return [...names];
}

/**
 * Headers as strings and the body decoded: v4 wraps bodies in `{ content, contentType, encoded }`, v2/v3 hold them
 * bare — so a v3 body that has fields named `content` and `encoded` is a body, not a wrapper. A pact whose
 * metadata names no version is read by the body's shape.
 */
function messageOf(message: Json, version: number | undefined): PactMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((message.headers as Json | undefined) ?? {})) {
    headers[name] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  const raw = message.body;
  const wrapped = raw && typeof raw === 'object' && !Array.isArray(raw) && 'content' in raw && ('contentType' in raw || 'encoded' in raw);
  if (wrapped && (version === undefined || version >= 4)) {
    const { content, encoded, contentType } = raw as Json;
    const typed = typeof contentType === 'string' && contentType !== '' ? { bodyContentType: contentType } : {};
    if (encoded === 'base64' || encoded === true) {
      const text = Buffer.from(String(content), 'base64').toString('utf8');
      return { headers, body: /json/i.test(String(contentType)) ? parseOr(text) : text, ...typed };
    }
    return { headers, body: content, ...typed };
  }
  return { headers, body: raw };
}

function queryOf(query: unknown): string {
  if (typeof query === 'string') return query;
  if (!query || typeof query !== 'object') return '';
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(query as Json)) {
    for (const value of Array.isArray(values) ? values : [values]) params.append(name, String(value));
  }
  return params.toString();
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
