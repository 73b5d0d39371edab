import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The committed pact (PactV4) and the bundled spec, which the tests change copies of. */
export const COMMITTED_PACT = fileURLToPath(new URL('../../pacts/customer-web-app-auth-service.json', import.meta.url));
export const BUNDLED_SPEC = fileURLToPath(new URL('../../spec/auth-service.openapi.yaml', import.meta.url));

type Json = Record<string, unknown>;
/** A PactV4 body: its content and the content type it states of itself. */
export type V4Body = { content: unknown; contentType?: string; encoded?: boolean | string };
/** One request or response of a PactV4 interaction, as the file holds it. */
export type V4Part = { headers?: Record<string, string[]>; body?: V4Body | null; matchingRules?: Json; generators?: Json };
/** A PactV4 HTTP interaction, as the file holds it. */
export type V4Interaction = {
  description: string;
  providerStates?: { name: string; params?: Json }[];
  request: V4Part & { method: string; path: string; query?: Record<string, string[]> };
  response: V4Part & { status: number };
};
/** A pact file, as written. */
export type PactDocument = { consumer: { name: string }; provider: { name: string }; interactions: V4Interaction[]; metadata: Json };

const unique = () => Math.random().toString(36).slice(2);

/** The committed pact changed by `change` (which may change the whole pact), written into `dir`; resolves its path. */
export async function writePact(dir: string, change: (pact: PactDocument) => void): Promise<string> {
  const pact = JSON.parse(await readFile(COMMITTED_PACT, 'utf8')) as PactDocument;
  change(pact);
  const file = join(dir, `pact-${unique()}.json`);
  await writeFile(file, JSON.stringify(pact));
  return file;
}

/** The committed pact with the interaction `description` changed, written into `dir`; resolves its path. */
export function pactWith(dir: string, description: string, change: (interaction: V4Interaction) => void): Promise<string> {
  return writePact(dir, (pact) => {
    const interaction = pact.interactions.find((i) => i.description === description);
    if (!interaction) throw new Error(`the committed pact has no interaction "${description}"`);
    change(interaction);
  });
}

/** The bundled spec changed by `change` (the parsed document), written into `dir` (as JSON, which YAML reads); resolves its path. */
export async function specWith(dir: string, change: (document: Json) => void): Promise<string> {
  const document = parse(await readFile(BUNDLED_SPEC, 'utf8')) as Json;
  change(document);
  const file = join(dir, `spec-${unique()}.yaml`);
  await writeFile(file, JSON.stringify(document));
  return file;
}

/** The object at `path` in a parsed document (`['paths', '/customer/logout', 'post']`); throws when it is missing. */
export function at(document: Json, path: readonly string[]): Json {
  let node: unknown = document;
  for (const key of path) {
    node = (node as Json | undefined)?.[key];
    if (!node || typeof node !== 'object') throw new Error(`the document has nothing at ${path.join(' → ')}`);
  }
  return node as Json;
}
