import type { PactInteraction, PactMessage } from './pact-files.ts';

/**
 * What `check` asks of the spec for one pact interaction: Prism's validators applied to what the pact states, and
 * to nothing it leaves open. Paths are relative to the spec's base path; each answer is a list of violations
 * (empty = allowed), `path: message` for a part of a body (`body.email: …`).
 */
export type PactSpecChecker = {
  /** The request as the Verifier sends it: the pact's method, path, query, headers and body (none when the pact states none). */
  checkRequest(request: PactInteraction['request'], path: string): string[];
  /** The response's status, the headers the pact states and, when it states one, its body. */
  checkResponse(method: string, path: string, response: PactInteraction['response']): string[];
};

type Diagnostic = { message: string; path?: string[]; code?: string | number };
type Validation = { _tag: string; left?: Diagnostic[] };
type Content = { mediaType: string; schema?: unknown };
type Response = { code: string; headers?: { name: string }[]; contents?: Content[] };
type Operation = {
  method: string;
  path: string;
  request?: { body?: { required?: boolean; contents?: Content[] } };
  responses: Response[];
  __bundled__?: unknown;
};

/**
 * Loads Prism (lazily: ~0.8 s) and the spec's operations once. Pact's reading of an interaction decides what is
 * checked (pact-specification v2+ "missing body" cases; Pact's matching: "If the actual body is non-empty, and the
 * expected body empty, the bodies match"; Postel's law for response headers and fields):
 * - a response without a body (`body` absent) means any body: its status and the headers it states are checked,
 *   the Content-Type media type only when it states one; a stated body is checked against the schema, with the
 *   schema's `required` fields left open (a provider may send more than the pact reads, never less than it reads);
 *   response headers the pact does not state are open, whatever the spec requires;
 * - a request is what the Verifier sends: its stated body, or none — so a request without a body on an operation
 *   whose `requestBody.required` is true is a violation; its headers and query as stated;
 * - a stated body's media type is the Content-Type header the pact states, else (Pact v4) the body's own
 *   `contentType`, else JSON for a JSON value and text for a string, as Pact detects it;
 * - values a matcher covers (`type`, `regex`, …) are examples: the example is what is validated.
 */
export async function createPactSpecChecker(specPath: string): Promise<PactSpecChecker> {
  const [{ getHttpOperationsFromSpec }, validator, { findOperationResponse }] = await Promise.all([
    import('@stoplight/prism-http'),
    import('@stoplight/prism-http/dist/validator/index.js'),
    import('@stoplight/prism-http/dist/validator/utils/spec.js'),
  ]);
  const operations = (await getHttpOperationsFromSpec(specPath)) as unknown as Operation[];
  const find = (method: string, path: string) => operationAt(operations, method, path);
  // Each operation as responses are checked against it: made once, fields left open.
  const responseViews = new Map(operations.map((op) => [op, openResponses(op)]));
  const contentsFor = (operation: Operation, status: number): Content[] => {
    const found = findOperationResponse(operation.responses as never, status) as { _tag: string; value?: Response };
    return found._tag === 'Some' ? (found.value?.contents ?? []) : [];
  };

  return {
    checkRequest(request, path) {
      const operation = find(request.method, path);
      if (!operation) return [noOperation(request.method, path)];
      const sent = hasBody(request.body);
      const required = operation.request?.body?.required === true;
      const element = {
        method: request.method.toLowerCase(),
        url: { path, query: queryOf(request.query) },
        headers: headersOf(request, sent),
        body: sent ? request.body : undefined,
      };
      const found = problems(validator.validateInput({ resource: operation as never, element: element as never }) as never, (d) =>
        // Said below, with the reason.
        sent || !required ? true : !(d.code === 'required' && !d.path?.length),
      );
      if (!sent && required) {
        found.unshift(
          `body: the pact's request has no body, so the Verifier sends none, and the spec requires one for ${request.method} ${path} (requestBody.required)`,
        );
      }
      return found;
    },

    checkResponse(method, path, response) {
      const operation = find(method, path);
      if (!operation) return [noOperation(method, path)];
      const stated = new Set(Object.keys(response.headers).map((name) => name.toLowerCase()));
      const withBody = hasBody(response.body);
      const view = responseViews.get(operation) ?? operation;
      // Only the headers the pact states; the body and its media type only when it states a body.
      const resource = {
        ...view,
        responses: view.responses.map((r) => ({
          ...r,
          headers: (r.headers ?? []).filter((h) => stated.has(h.name.toLowerCase())),
          contents: withBody ? r.contents : [],
        })),
      };
      const headers = headersOf(response, withBody);
      const element = { statusCode: response.status, headers, body: withBody ? response.body : undefined };
      const found = problems(validator.validateOutput({ resource: resource as never, element }) as never);
      const contents = contentsFor(operation, response.status);
      if (!withBody && stated.has('content-type') && contents.length > 0) {
        found.push(...problems(validator.validateMediaType(contents as never, headers['content-type'] ?? '') as never));
      }
      // Pact's empty body (`null`, `""`) is stated: the provider must answer none.
      if ((response.body === null || response.body === '') && contents.length > 0) {
        found.push(
          `body: the pact states an empty body (${JSON.stringify(response.body)}), where the spec documents ${contents.map((c) => c.mediaType).join(', ')} for ${response.status}`,
        );
      }
      return found;
    },
  };
}

/**
 * The operation of `method` whose path template `path` fills (`/customers/{customerID}/users` for
 * `/customers/00000000-…/users`: a `{name}` stands for one non-empty segment), the most literal one where several do;
 * Prism then validates the path parameters against their schemas.
 */
function operationAt(operations: readonly Operation[], method: string, path: string): Operation | undefined {
  const segments = path.split('/');
  let best: { operation: Operation; literal: number } | undefined;
  for (const operation of operations) {
    if (operation.method !== method.toLowerCase()) continue;
    const template = operation.path.split('/');
    if (template.length !== segments.length) continue;
    let literal = 0;
    const fills = template.every((part, i) => {
      const segment = segments[i] as string;
      if (/^\{[^}]+\}$/.test(part)) return segment !== '';
      literal += 1;
      return part === segment;
    });
    if (fills && (best === undefined || literal > best.literal)) best = { operation, literal };
  }
  return best?.operation;
}

/** A body the message carries: Pact's missing body (absent) and empty body (`null`, `""`) are none. */
function hasBody(body: unknown): boolean {
  return body !== undefined && body !== null && body !== '';
}

/**
 * The headers, names lower-cased, with the media type of a stated body when the pact gives it as no header, and
 * its Content-Length (Prism looks at a request body only when Content-Length says there is one).
 */
function headersOf(message: PactMessage, withBody: boolean): Record<string, string> {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (!withBody) return headers;
  headers['content-type'] ??= message.bodyContentType ?? (typeof message.body === 'string' ? 'text/plain' : 'application/json');
  headers['content-length'] ??= String(Buffer.byteLength(typeof message.body === 'string' ? message.body : JSON.stringify(message.body)));
  return headers;
}

/** The operation as a response is checked: every `required` list of its response schemas dropped (fields the pact omits are open). */
function openResponses(operation: Operation): Operation {
  return {
    ...operation,
    responses: operation.responses.map((r) => ({ ...r, contents: r.contents?.map((c) => ({ ...c, schema: withoutRequired(c.schema) })) })),
    ...(operation.__bundled__ === undefined ? {} : { __bundled__: withoutRequired(operation.__bundled__) }),
  };
}

/** A deep copy without the schema keyword `required` (a list of names; a property named "required" holds a schema, so it stays). */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required' && Array.isArray(value)) continue;
    out[key] = withoutRequired(value);
  }
  return out;
}

/** A query string as Prism reads one: each name to its value, or its values when repeated. */
function queryOf(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const had = out[name];
    out[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return out;
}

function problems(result: Validation, keep: (d: Diagnostic) => boolean = () => true): string[] {
  if (result._tag !== 'Left') return [];
  return (result.left ?? []).filter(keep).map((d) => (d.path?.length ? `${d.path.join('.')}: ${d.message}` : d.message));
}

function noOperation(method: string, path: string): string {
  return `the spec has no operation ${method.toUpperCase()} ${path}`;
}
