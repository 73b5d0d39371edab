import { InputError } from '../errors.ts';

/** One route: an HTTP method on a path template (`/auth/api/v1/customers/{customerID}/users`), and what serves it. */
export type Route<T> = { readonly method: string; readonly path: string; readonly target: T };

/** What a request's method and path find: the route's target with the path's parameters, or the methods the path takes, or nothing. */
export type RouteMatch<T> =
  | { readonly target: T; readonly params: Readonly<Record<string, string>>; readonly allowed?: undefined }
  | { readonly target?: undefined; readonly allowed: readonly string[] }
  | undefined;

/** Finds a request's route by method and path, path parameters included. */
export type Router<T> = {
  /**
   * The route for `method` on `path` (HEAD finds a GET route, RFC 9110 §9.3.2); or, for a path a route has with
   * other methods, those methods (for 405's `Allow`); or undefined for a path no route has. Throws InputError for a
   * path parameter whose percent-escapes are malformed.
   */
  match(method: string, path: string): RouteMatch<T>;
  /** The methods `path` takes (HEAD where it takes GET), for a CORS preflight; empty for a path no route has. */
  methodsOf(path: string): readonly string[];
  /** Every route's path template, once each. */
  readonly paths: readonly string[];
};

type Template<T> = { readonly pattern: RegExp; readonly names: readonly string[]; readonly byMethod: Map<string, T> };

/** A route found with its parameters. */
type Found<T> = { readonly target: T; readonly params: Readonly<Record<string, string>> };

/**
 * Builds a router over `routes` (methods upper-case). A path without parameters is found in one map lookup; a template
 * (`{name}` segments, each matching one non-empty segment) by its pattern, the one with the most literal segments
 * first. A template never shadows a path written out in full.
 */
export function createRouter<T>(routes: readonly Route<T>[]): Router<T> {
  const exact = new Map<string, Map<string, T>>();
  const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
  /** A path written out in full finds one match object per method, made once: the usual request allocates none. */
  const exactMatches = new Map<string, Map<string, Found<T>>>();
  const templates = new Map<string, Template<T>>();
  for (const { method, path, target } of routes) {
    if (!path.includes('{')) {
      const byMethod = exact.get(path) ?? new Map<string, T>();
      byMethod.set(method, target);
      exact.set(path, byMethod);
      const matches = exactMatches.get(path) ?? new Map<string, Found<T>>();
      matches.set(method, Object.freeze({ target, params: NO_PARAMS }));
      if (method === 'GET' && !byMethod.has('HEAD')) matches.set('HEAD', Object.freeze({ target, params: NO_PARAMS }));
      exactMatches.set(path, matches);
      continue;
    }
    let template = templates.get(path);
    if (template === undefined) {
      const names: string[] = [];
      const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}/]+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      template = { pattern: new RegExp(`^${source}$`), names, byMethod: new Map() };
      templates.set(path, template);
    }
    template.byMethod.set(method, target);
  }
  // The most literal template first (`/customers/{id}/businesses/invite` before `/customers/{id}/businesses/{businessID}`).
  const literal = (template: string) => template.split('/').filter((segment) => segment !== '' && !segment.includes('{')).length;
  const ordered = [...templates].sort(([a], [b]) => literal(b) - literal(a)).map(([, template]) => template);

  function find(path: string): { byMethod: Map<string, T>; params: Readonly<Record<string, string>> } | undefined {
    const byMethod = exact.get(path);
    if (byMethod !== undefined) return { byMethod, params: NO_PARAMS };
    for (const template of ordered) {
      const found = template.pattern.exec(path);
      if (found === null) continue;
      const params: Record<string, string> = {};
      template.names.forEach((name, i) => {
        params[name] = decodeSegment(found[i + 1] as string);
      });
      return { byMethod: template.byMethod, params };
    }
    return undefined;
  }

  function methods(byMethod: Map<string, T>): string[] {
    const list = [...byMethod.keys()];
    if (byMethod.has('GET') && !byMethod.has('HEAD')) list.push('HEAD');
    return list;
  }

  return {
    match(method, path) {
      const usual = exactMatches.get(path)?.get(method);
      if (usual !== undefined) return usual;
      const found = find(path);
      if (found === undefined) return undefined;
      const target = found.byMethod.get(method) ?? (method === 'HEAD' ? found.byMethod.get('GET') : undefined);
      return target === undefined ? { allowed: methods(found.byMethod) } : { target, params: found.params };
    },
    methodsOf(path) {
      const found = find(path);
      return found === undefined ? [] : methods(found.byMethod);
    },
    paths: [...exact.keys(), ...templates.keys()],
  };
}

/** A path segment percent-decoded; throws InputError (400) when its escapes are malformed. */
function decodeSegment(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InputError('path', `path segment ${JSON.stringify(raw.slice(0, 80))} has malformed percent-escapes`);
  }
}
