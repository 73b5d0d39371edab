import type { IncomingHttpHeaders } from 'node:http';
import { headerSafe, InputError, MethodNotAllowedError, NotFoundError } from '../errors.ts';
import { OTHER_OPERATION, parseJournalFilter } from '../state/journal.ts';
import type { OutboxFilter } from '../state/records.ts';
import { createAdminGuard } from './admin-guard.ts';
import { outboxFilter, type Services } from './services.ts';
import { sessionsFilter } from './sign-in-history.ts';

/** Answers Pact's state-change call: sets the state up, returns the values the pact's expressions use. */
export type ProviderStates = (body: unknown) => Promise<Record<string, unknown>>;

/** A `/__mock` request as the control API sees it: no sockets, the body read on demand. */
export type ControlRequest = {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body (`{}` when empty); rejects with InputError (field `body`) naming what is wrong. */
  json(): Promise<unknown>;
};

/** The control API's answer: JSON with a status, or "serve the QA panel page". */
export type ControlAnswer = { readonly status: number; readonly body: unknown } | { readonly panel: true };

/** Answers one `/__mock` request; throws a MockError (InputError → 400, NotFoundError → 404, …) for the app to map. */
export type ControlHandler = (request: ControlRequest) => Promise<ControlAnswer>;

/** An operation the mock serves, as `GET /__mock/health` lists it: its name, method and path (the full path, under its base path). */
export type ServedOperation = { readonly name: string; readonly method: string; readonly path: string };

/** A document the mock serves, as `GET /__mock/health` lists it: its title, base path, gate, operations served, example problems. */
export type ServedApi = {
  readonly title: string;
  readonly basePath: string;
  readonly gate: string;
  readonly operations: number;
  readonly problems: readonly string[];
};

/** What `GET /__mock/health` answers: the mock is up, and what it serves (so a client need not know a base path). */
export type Health = { readonly status: 'ok'; readonly apis: readonly ServedApi[]; readonly operations: readonly ServedOperation[] };

/** What the control API is built from. */
export type ControlDeps = {
  services: Services;
  /** The operations the mock serves, for `GET /__mock/health`. */
  operations: readonly ServedOperation[];
  /** The documents they come from, for `GET /__mock/health`. */
  apis: readonly ServedApi[];
  /** When set, every `/__mock` call must carry it in `X-Mock-Admin-Token`. */
  adminToken: string | undefined;
  /** `--unsafe-open-admin`: no admin token and no check of who calls. */
  unsafeOpenAdmin?: boolean;
  providerStates?: ProviderStates;
};

/** Builds the `/__mock` control API (docs/control-api.md): JSON in and out, 400 naming the bad field. */
export function createControl(deps: ControlDeps): ControlHandler {
  const { services } = deps;
  const guard = createAdminGuard(deps);
  const ok = (body: unknown, status = 200): ControlAnswer => ({ status, body });
  const apis = deps.apis.map(({ title, basePath, gate, operations, problems }) => ({ title, basePath, gate, operations, problems }));
  const health: Health = Object.freeze({ status: 'ok', apis, operations: Object.freeze([...deps.operations]) });

  return async (request) => {
    const route = trimSlashes(request.path) || '/__mock';
    const { method, query } = request;
    if (route === '/__mock/health' && method === 'GET') return ok(health);
    if (route === '/__mock' && method === 'GET') return { panel: true };
    guard(request.headers);
    const methods = ROUTES.find(([pattern]) => pattern.test(route))?.[1];
    if (!methods) throw new NotFoundError(`no control route ${headerSafe(route)}`);
    if (!methods.includes(method)) {
      throw new MethodNotAllowedError(`${method} is not allowed on ${headerSafe(route)}; allowed: ${methods.join(', ')}`, methods.join(', '));
    }
    const faultId = /^\/__mock\/faults\/([^/]+)$/.exec(route)?.[1];
    const email = /^\/__mock\/users\/([^/]+)$/.exec(route)?.[1];
    const expiring = /^\/__mock\/sessions\/([^/]+)\/expire$/.exec(route)?.[1];
    const pattern = faultId ? '/__mock/faults/:id' : email ? '/__mock/users/:email' : expiring ? '/__mock/sessions/:sid/expire' : route;
    switch (`${method} ${pattern}`) {
      case 'POST /__mock/tokens':
        return ok(await services.issueToken(await request.json()), 201);
      case 'GET /__mock/sessions':
        return ok(await services.sessions(sessionsFilter(Object.fromEntries(query))));
      case 'POST /__mock/faults':
        return ok(await services.armFault(await request.json()), 201);
      case 'GET /__mock/faults':
        return ok({ faults: await services.faults() });
      case 'DELETE /__mock/faults':
        return ok({ cleared: await services.clearFaults() });
      case 'DELETE /__mock/faults/:id': {
        const id = decoded(faultId as string);
        if (id === undefined || (await services.clearFaults(id)) === 0) throw new NotFoundError(`no armed fault ${headerSafe(id ?? faultId ?? '')}`);
        return ok({ cleared: 1 });
      }
      case 'GET /__mock/outbox':
        return ok({ messages: await services.outbox(parseOutboxFilter(query)) });
      case 'GET /__mock/requests':
        return ok({ requests: await services.requests(parseJournalFilter(query, [...services.operations, OTHER_OPERATION])) });
      case 'DELETE /__mock/requests':
        await services.clearRequests();
        return ok({ cleared: true });
      case 'POST /__mock/reset':
        await services.reset();
        return ok({ status: 'reset' });
      case 'POST /__mock/sessions/:sid/expire':
        return ok(await services.expireSignIn(segment(expiring as string)));
      case 'GET /__mock/users':
        return ok({ users: await services.users.list() });
      case 'POST /__mock/users':
        return ok(await services.users.add(await request.json()), 201);
      case 'DELETE /__mock/users/:email':
        await services.users.remove(segment(email as string));
        return ok({ removed: 1 });
      case 'GET /__mock/clock':
        return ok(services.clock());
      case 'POST /__mock/clock':
        return ok(await services.advanceClock(await request.json()));
      case 'POST /__mock/provider-states':
        if (!deps.providerStates) throw new NotFoundError('provider states are not available');
        return ok(await deps.providerStates(await request.json()));
    }
    throw new NotFoundError(`no control route ${headerSafe(route)}`);
  };
}
const ROUTES: [RegExp, string[]][] = [
  [/^\/__mock$/, ['GET']],
  [/^\/__mock\/tokens$/, ['POST']],
  [/^\/__mock\/sessions$/, ['GET']],
  [/^\/__mock\/faults$/, ['GET', 'POST', 'DELETE']],
  [/^\/__mock\/faults\/[^/]+$/, ['DELETE']],
  [/^\/__mock\/requests$/, ['GET', 'DELETE']],
  [/^\/__mock\/outbox$/, ['GET']],
  [/^\/__mock\/reset$/, ['POST']],
  [/^\/__mock\/provider-states$/, ['POST']],
  [/^\/__mock\/users$/, ['GET', 'POST']],
  [/^\/__mock\/users\/[^/]+$/, ['DELETE']],
  [/^\/__mock\/clock$/, ['GET', 'POST']],
  [/^\/__mock\/sessions\/[^/]+\/expire$/, ['POST']],
];

/** `?recipient=&kind=` of the outbox (see `outboxFilter`); throws InputError naming an unknown parameter or kind. */
function parseOutboxFilter(query: URLSearchParams): OutboxFilter {
  const given: { recipient?: string; kind?: string } = {};
  for (const [key, value] of query) {
    if (key !== 'recipient' && key !== 'kind') throw new InputError(key, `unknown filter "${key}"; use recipient, kind`);
    given[key] = value;
  }
  return outboxFilter(given);
}

/** `path` without trailing slashes, in linear time (`/\/+$/` backtracks quadratically on a long run of slashes). */
function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end);
}

/** A percent-decoded path segment; throws InputError when its escapes are malformed. */
function segment(raw: string): string {
  const value = decoded(raw);
  if (value === undefined) throw new InputError('path', `path segment ${JSON.stringify(headerSafe(raw))} has malformed percent-escapes`);
  return value;
}

/** A percent-decoded path segment, or undefined when its escapes are malformed. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
