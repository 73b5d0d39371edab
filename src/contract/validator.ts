import { DEFAULT_SPEC_PATH } from './document.ts';

/** A response or request as the validators see it. */
export type HttpMessage = {
  readonly status?: number;
  readonly method?: string;
  /** Path relative to the spec's base path, e.g. `/customer/logout`. */
  readonly path?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
};

/** Prism's request and response validators over the spec; loaded lazily (Prism takes ~0.8 s to import). */
export type SpecValidator = {
  /** Violations of the response for `method path` (empty = valid). An undocumented status is a violation. */
  validateResponse(method: string, path: string, response: HttpMessage): string[];
  /** Violations of the request (empty = valid); an operation the spec lacks is a violation. */
  validateRequest(request: HttpMessage): string[];
};

type Operation = { method: string; path: string };

/** Loads Prism and the spec's operations once. */
export async function createSpecValidator(specPath: string = DEFAULT_SPEC_PATH): Promise<SpecValidator> {
  const [{ getHttpOperationsFromSpec }, validator] = await Promise.all([
    import('@stoplight/prism-http'),
    import('@stoplight/prism-http/dist/validator/index.js'),
  ]);
  const operations = (await getHttpOperationsFromSpec(specPath)) as unknown as Operation[];
  const find = (method: string, path: string) => operations.find((op) => op.method === method.toLowerCase() && op.path === path);
  const problems = (result: { _tag: string; left?: { message: string; path?: string[] }[] }) =>
    result._tag === 'Left' ? (result.left ?? []).map((d) => (d.path?.length ? `${d.path.join('.')}: ${d.message}` : d.message)) : [];

  return {
    validateResponse(method, path, response) {
      const operation = find(method, path);
      if (!operation) return [`the spec has no operation ${method.toUpperCase()} ${path}`];
      const element = { statusCode: response.status ?? 0, headers: lowerKeys(response.headers), body: response.body };
      return problems(validator.validateOutput({ resource: operation as never, element }) as never);
    },
    validateRequest(request) {
      const method = (request.method ?? 'GET').toLowerCase();
      const path = request.path ?? '/';
      const operation = find(method, path);
      if (!operation) return [`the spec has no operation ${method.toUpperCase()} ${path}`];
      const element = { method, url: { path }, headers: lowerKeys(request.headers), body: request.body };
      return problems(validator.validateInput({ resource: operation as never, element: element as never }) as never);
    },
  };
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
