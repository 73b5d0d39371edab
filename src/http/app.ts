import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { closest, distance } from 'fastest-levenshtein';
import type { ControlHandler } from '../control/control-api.ts';
import { headerSafe, MethodNotAllowedError, NotFoundError } from '../errors.ts';
import { answerPreflight, corsHeaders, headerObject } from './cors.ts';
import { errorAnswer } from './error-answer.ts';
import type { Journal } from './journal-writer.ts';
import { readJsonBody } from './json-body.ts';
import { originForm, sendJson } from './messages.ts';

/** A last path segment that means log out: sign-out, signout, log-off, sign_off… */
const MEANS_LOGOUT = /\/(?:sign|log)[-_]?(?:out|off)\/?$/i;

/** A contract operation the app routes to: its full path and the route that serves it. */
export type OperationEndpoint = {
  /** Base path + the operation's path: `/auth/api/v1/customer/logout`. */
  readonly path: string;
  /** Serves a POST to `path` (see `createOperationRoute`). */
  readonly serve: (req: IncomingMessage, res: ServerResponse, query: URLSearchParams | undefined, started: number) => Promise<void>;
};

/** What the app is built from; it knows nothing of sockets it did not receive. */
export type AppDeps = {
  readonly basePath: string;
  /** The contract operations the spec documents (logout, sign-in, refresh). */
  readonly operations: readonly OperationEndpoint[];
  readonly control: ControlHandler;
  /** Serves the QA panel page (`GET /__mock/`). */
  readonly panel: (req: IncomingMessage, res: ServerResponse) => void;
  /** The JWKS (RFC 7517) of the mock's signing keys. */
  readonly jwks: unknown;
  /** Journals what is answered outside the operations (unknown paths under the base path). */
  readonly journal: Journal;
};

/** Builds the request → response function: routing, CORS, the contract operations, errors mapped to HTTP. */
export function createApp(deps: AppDeps): RequestListener {
  const { basePath, journal } = deps;
  const jwksBody = JSON.stringify(deps.jwks);
  const jwksPaths = new Set(['/.well-known/jwks.json', `${basePath}/.well-known/jwks.json`]);
  const operations = new Map(deps.operations.map((operation) => [operation.path, operation]));
  const operationPaths = [...operations.keys()];

  const cors = (req: IncomingMessage) => corsHeaders(req.headers.origin);

  /** Dispatches a request; a promise only where the answer waits for something (no promise made per request else). */
  function route(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> | void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? undefined : new URLSearchParams(url.slice(q + 1));
    const operation = operations.get(path);
    if (operation !== undefined) {
      if (req.method === 'POST') return operation.serve(req, res, query, started);
      if (req.method === 'OPTIONS') return answerPreflight(req, res);
      throw new MethodNotAllowedError(`method ${req.method} is not allowed here; allowed: POST, OPTIONS`, 'POST, OPTIONS');
    }
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    if (path === '/__mock' || path.startsWith('/__mock/')) return control(req, res, path, query ?? new URLSearchParams());
    if (jwksPaths.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new MethodNotAllowedError(`method ${req.method} is not allowed here; allowed: GET, HEAD`, 'GET, HEAD');
      // The answer names no origin-specific value when asked without Origin, so caches keyed on Vary serve both right.
      res.writeHead(200, ['content-type', 'application/json', 'cache-control', 'public, max-age=300', 'vary', 'Origin', ...cors(req).slice(0, -2)]);
      res.end(req.method === 'HEAD' ? undefined : jwksBody);
      return;
    }
    throw new NotFoundError(`no route for ${req.method} ${headerSafe(path)}${hint(path)}`);
  }

  /** ` (did you mean POST …?)` when `path` says log out in other words, or an operation's path is a few edits away, else nothing. */
  function hint(path: string): string {
    if (operationPaths.length === 0 || !path.startsWith(`${basePath}/`) || path.length > 512) return '';
    // `sign-out` is a few edits from `sign-in` but means logout: meaning first, spelling second.
    const logout = MEANS_LOGOUT.test(path) ? operationPaths.find((candidate) => candidate.endsWith('/logout')) : undefined;
    if (logout !== undefined) return ` (did you mean POST ${logout}?)`;
    const nearest = closest(path, operationPaths);
    return distance(path, nearest) <= Math.max(3, Math.floor(nearest.length / 3)) ? ` (did you mean POST ${nearest}?)` : '';
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const allowed = cors(req);
    for (let i = 0; i < allowed.length; i += 2) res.setHeader(allowed[i]!, allowed[i + 1]!);
    const answer = await deps.control({ method: req.method ?? 'GET', path, query, headers: req.headers, json: () => readJsonBody(req, res) });
    if ('panel' in answer) return deps.panel(req, res);
    sendJson(res, answer.status, answer.body);
  }

  return (req, res) => {
    const started = performance.now();
    // The one place a thrown error becomes an answer (statuses from the ERR_* catalogue), CORS included.
    const failed = (error: unknown) => {
      const answer = errorAnswer(error);
      sendJson(res, answer.status, answer.body, { ...headerObject(cors(req)), ...answer.headers });
      // A wrong path or method under the base path is what a developer's app got wrong: log it and journal it.
      if (answer.status < 500 && (req.url ?? '').startsWith(`${basePath}/`)) {
        journal.record(req, 'other', answer.status, answer.body.message, undefined, started, undefined);
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
