import { type Document, resolve } from './document.ts';

/**
 * What an operation's `security` asks of a request (OpenAPI 3.1 §4.8.10 and §4.8.30): the operation's own list, else the
 * document's; one alternative must be met. `bearer` is true when every alternative needs a bearer token (an `http`
 * scheme `bearer`, or `oauth2`/`openIdConnect`, whose tokens travel as RFC 6750 bearers), whatever the scheme is named;
 * `security: []`, an empty alternative (`{}`) or one met without a bearer (an API key) leave the operation public.
 */
export type Security = {
  readonly bearer: boolean;
  /** The scheme names of the alternatives, as the document names them (`bearerAuth`, `bearer`). */
  readonly schemes: readonly string[];
};

/** An operation anyone may call. */
export const PUBLIC: Security = Object.freeze({ bearer: false, schemes: Object.freeze([]) });

/** Reads the security an operation requires from the operation object and its document. */
export function securityOf(document: Document, operation: Document): Security {
  const requirements = Array.isArray(operation.security) ? operation.security : Array.isArray(document.security) ? document.security : [];
  if (requirements.length === 0) return PUBLIC;
  const schemes = ((document.components as Document | undefined)?.securitySchemes ?? {}) as Document;
  const names = new Set<string>();
  let everyNeedsBearer = true;
  for (const requirement of requirements) {
    const used = requirement && typeof requirement === 'object' ? Object.keys(requirement as Document) : [];
    for (const name of used) names.add(name);
    if (!used.some((name) => isBearerScheme(resolve(document, schemes[name])))) everyNeedsBearer = false;
  }
  return Object.freeze({ bearer: everyNeedsBearer, schemes: Object.freeze([...names]) });
}

function isBearerScheme(scheme: unknown): boolean {
  if (!scheme || typeof scheme !== 'object') return false;
  const { type, scheme: name } = scheme as Document;
  if (type === 'http') return typeof name === 'string' && name.toLowerCase() === 'bearer';
  return type === 'oauth2' || type === 'openIdConnect';
}
