import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { closest, distance } from 'fastest-levenshtein';
import type { ControlHandler } from '../control/control-api.ts';
import { headerSafe, MethodNotAllowedError, NotFoundError } from '../errors.ts';
import { OTHER_OPERATION } from '../state/journal.ts';
import { answerPreflight, corsHeaders, headerObject } from './cors.ts';
import { errorAnswer } from './error-answer.ts';
import { type Journal, withoutTokens } from './journal-writer.ts';
import { readJsonBody } from './json-body.ts';
import { originForm, sendJson } from './messages.ts';
import type { OperationHandler } from './operation-handler.ts';
import { testSessionOf } from './read-request.ts';
import { createRouter, type Route } from './router.ts';
import { createWellKnown } from './well-known.ts';

/** A last path segment that means log out: sign-out, signout, log-off, sign_off… */
const MEANS_LOGOUT = /\/(?:sign|log)[-_]?(?:out|off)\/?$/i;

/** What the app is built from; it knows nothing of sockets it did not receive. */
export type AppDeps = {
  /** The base paths operations are served under (`/auth/api/v1`): a wrong path under one is journaled, with a hint. */
  readonly basePaths: readonly string[];
  /** Every operation's route: its method (upper-case), its full path template, its handler. */
  readonly routes: readonly Route<OperationHandler>[];
  readonly control: ControlHandler;
  /** Serves the QA panel page (`GET /__mock/`). */
  readonly panel: (req: IncomingMessage, res: ServerResponse) => void;
  /** The JWKS (RFC 7517) of the mock's signing keys, served at `/.well-known/jwks.json`, under each base path and the issuer's path. */
  readonly jwks: unknown;
  /** The `iss` of the mock's tokens: the OpenID Provider configuration names it, and is served under its path. */
  readonly issuer: string;
  /** The algorithm the mock signs with, as the configuration names it. */
  readonly alg: string;
  /** Journals what is answered outside the operations (a wrong path or method under a base path). */
  readonly journal: Journal;
};

/**
 * Builds the request → response function: routing by method and path (path parameters from the spec's templates;
 * HEAD wherever GET is, RFC 9110 §9.3.2), CORS preflight with the methods each path takes, the operations, the control
 * API, the well-known documents (the JWKS and the OpenID Provider configuration), and errors mapped to HTTP in one place (a known path with another method: 405 with `Allow`; an
 * unknown one: 404 with a hint at the operation it may have meant).
 */
export function createApp(deps: AppDeps): RequestListener {
  const { basePaths, journal } = deps;
  const router = createRouter(deps.routes);
  const wellKnown = createWellKnown({ jwks: deps.jwks, issuer: deps.issuer, alg: deps.alg, basePaths });
  const routeNames = new Map(deps.routes.map((route) => [route.path, `${route.method} ${route.path}`]));

  const cors = (req: IncomingMessage) => corsHeaders(req.headers.origin);
  const underBase = (path: string) => basePaths.some((base) => path.startsWith(`${base}/`));

  /** Dispatches a request; a promise only where the answer waits for something (no promise made per request else). */
  function route(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> | void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? undefined : new URLSearchParams(url.slice(q + 1));
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return answerPreflight(req, res, [...preflightMethods(path), 'OPTIONS']);
    const found = router.match(method, path);
    if (found?.target !== undefined) return found.target(req, res, found.params, query, started);
    if (found !== undefined) {
      const allow = [...found.allowed, 'OPTIONS'].join(', ');
      throw new MethodNotAllowedError(`method ${method} is not allowed here; allowed: ${allow}`, allow);
    }
    if (path === '/__mock' || path.startsWith('/__mock/')) return control(req, res, path, query ?? new URLSearchParams());
    if (wellKnown.has(path)) return wellKnown.answer(req, res, path);
    throw new NotFoundError(`no route for ${method} ${headerSafe(withoutTokens(path))}${hint(path)}`);
  }

  /** The methods a preflight allows on `path`: its routes', GET and HEAD on a well-known document, else the default. */
  function preflightMethods(path: string): readonly string[] {
    const methods = router.methodsOf(path);
    if (methods.length > 0) return methods;
    return wellKnown.has(path) ? WELL_KNOWN_METHODS : DEFAULT_METHODS;
  }

  /** ` (did you mean POST …?)` when `path` says log out in other words, or an operation's path is a few edits away, else nothing. */
  function hint(path: string): string {
    if (routeNames.size === 0 || !underBase(path) || path.length > 512) return '';
    const paths = [...routeNames.keys()];
    // `sign-out` is a few edits from `sign-in` but means logout: meaning first, spelling second.
    const logout = MEANS_LOGOUT.test(path) ? paths.find((candidate) => candidate.endsWith('/logout')) : undefined;
    if (logout !== undefined) return ` (did you mean ${routeNames.get(logout)}?)`;
    const nearest = closest(path, paths);
    return distance(path, nearest) <= Math.max(3, Math.floor(nearest.length / 3)) ? ` (did you mean ${routeNames.get(nearest)}?)` : '';
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const allowed = cors(req);
    for (let i = 0; i < allowed.length; i += 2) res.setHeader(allowed[i]!, allowed[i + 1]!);
    // HEAD is answered as GET, without the body (RFC 9110 §9.3.2): `wait-on` and health probes use it.
    const head = req.method === 'HEAD';
    const method = head ? 'GET' : (req.method ?? 'GET');
    const answer = await deps.control({ method, path, query, headers: req.headers, json: () => readJsonBody(req, res) });
    if ('panel' in answer) return deps.panel(req, res);
    sendJson(res, answer.status, answer.body, {}, head);
  }

  return (req, res) => {
    const started = performance.now();
    // The one place a thrown error becomes an answer (statuses from the ERR_* catalogue), CORS included.
    const failed = (error: unknown) => {
      const answer = errorAnswer(error);
      sendJson(res, answer.status, answer.body, { ...headerObject(cors(req)), ...answer.headers }, req.method === 'HEAD');
      // A wrong path or method under a base path is what a developer's app got wrong: log it and journal it.
      if (answer.status < 500 && underBase(req.url ?? '')) {
        journal.record({
          req,
          operation: OTHER_OPERATION,
          outcome: { status: answer.status, reason: answer.body.message },
          started,
          testSession: testSessionOf(req),
        });
      }
    };
    try {
      req.url = originForm(req.url ?? '/');
      route(req, res, started)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}

/** What a preflight allows on a path no operation has (the control API's). */
const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'DELETE'];
/** What a preflight allows on a well-known document (the JWKS, the OpenID Provider configuration). */
const WELL_KNOWN_METHODS = ['GET', 'HEAD'];
