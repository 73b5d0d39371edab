import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError } from '../errors.ts';
import { corsHeaders } from './cors.ts';

/** Where a document sits under an issuer or a base path. */
const JWKS = '/.well-known/jwks.json';
const OPENID_CONFIGURATION = '/.well-known/openid-configuration';

/** A Host header that may stand in a URL as it is (a name or an address, an optional port). */
const HOST = /^(?:[A-Za-z0-9._~-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** What the well-known documents are made from. */
export type WellKnownOptions = {
  /** The JWKS (RFC 7517) of the mock's public keys. */
  readonly jwks: unknown;
  /** The `iss` of the mock's tokens, exactly as they carry it (`--issuer`, else the mock's own URL). */
  readonly issuer: string;
  /** The algorithm the mock signs with (`RS256`, `ES256`, `HS256`). */
  readonly alg: string;
  /** The base paths operations are served under: the JWKS is served under each too. */
  readonly basePaths: readonly string[];
};

/** The documents a verifier fetches: the JWKS and the OpenID Provider configuration, at the paths a library looks for them. */
export type WellKnown = {
  /** True when `path` is one of the documents' paths. */
  has(path: string): boolean;
  /** Answers GET or HEAD on one of the documents' paths; throws MethodNotAllowedError for any other method. */
  answer(req: IncomingMessage, res: ServerResponse, path: string): void;
};

/**
 * The well-known documents, each where a library derives it from the issuer (OpenID Connect Discovery 1.0 §4: the
 * issuer, its terminating `/` removed, then `/.well-known/…`), on the mock whatever host the issuer names, so an issuer
 * with a path (`https://cognito-idp.<region>.amazonaws.com/<poolId>`) has them at `/<poolId>/.well-known/…`:
 * - the JWKS at `/.well-known/jwks.json`, under each base path and under the issuer's path;
 * - the OpenID Provider configuration at the issuer's path (`/.well-known/openid-configuration` for an issuer with
 *   none, such as the mock's own URL).
 */
export function createWellKnown(options: WellKnownOptions): WellKnown {
  const issuerPath = new URL(options.issuer).pathname.replace(/\/+$/, '');
  const jwksBody = JSON.stringify(options.jwks);
  const jwksPaths = new Set([JWKS, ...options.basePaths.map((base) => `${base}${JWKS}`), `${issuerPath}${JWKS}`]);
  const configurationPath = `${issuerPath}${OPENID_CONFIGURATION}`;
  const issuerJwks = `${options.issuer.replace(/\/+$/, '')}${JWKS}`;
  const issuerHostname = new URL(options.issuer).hostname;

  /**
   * Where the JWKS is for whoever asks: under the issuer when the request reached the issuer's host name (the mock's own
   * URL, or the URL clients use given as `--issuer`; a proxy may drop the port), else on the host the request reached
   * (an issuer elsewhere, such as Cognito's: the mock serves the JWKS under the issuer's path).
   */
  function jwksUri(req: IncomingMessage): string {
    const host = req.headers.host;
    if (host === undefined || !HOST.test(host) || hostnameOf(host) === issuerHostname) return issuerJwks;
    return `http://${host}${issuerPath}${JWKS}`;
  }

  return {
    has: (path) => jwksPaths.has(path) || path === configurationPath,
    answer(req, res, path) {
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD')
        throw new MethodNotAllowedError(`method ${method} is not allowed here; allowed: GET, HEAD, OPTIONS`, 'GET, HEAD, OPTIONS');
      const body = jwksPaths.has(path) ? jwksBody : JSON.stringify(providerConfiguration(options, jwksUri(req)));
      // The answer names no origin-specific value when asked without Origin, so caches keyed on Vary serve both right.
      res.writeHead(200, [
        'content-type',
        'application/json',
        'content-length',
        String(Buffer.byteLength(body)),
        'cache-control',
        'public, max-age=300',
        'vary',
        'Origin',
        ...corsHeaders(req.headers.origin).slice(0, -2),
      ]);
      res.end(method === 'HEAD' ? undefined : body);
    },
  };
}

/** The host name of a Host header (`[::1]:4010` → `[::1]`, as URL gives it). */
function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

/**
 * The OpenID Provider configuration (OpenID Connect Discovery 1.0 §3) of the mock's tokens, with the values Cognito's
 * own configuration gives. It names no `authorization_endpoint` or `token_endpoint`: the mock has no OAuth endpoints
 * (users sign in through the Auth Service's operations), and a backend verifying tokens reads only `issuer` and `jwks_uri`.
 */
function providerConfiguration(options: WellKnownOptions, jwksUri: string): Record<string, unknown> {
  return {
    issuer: options.issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['code', 'token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [options.alg],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}
