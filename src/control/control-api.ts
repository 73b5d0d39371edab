import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from '../config.ts';
import { InputError } from '../errors.ts';
import type { ControlHandler } from '../http/app.ts';
import { jsonError, readBody, sendJson } from '../http/messages.ts';
import { clean } from '../operations/logout.ts';
import { parseJournalFilter } from '../state/journal.ts';
import type { Services } from './services.ts';

/** Answers Pact's state-change call: sets the state up, returns the values the pact's expressions use. */
export type ProviderStates = (body: unknown) => Promise<Record<string, unknown>>;

/** What the control API is built from. */
export type ControlDeps = {
  services: Services;
  /** When set, every `/__mock` call must carry it in `X-Mock-Admin-Token`. */
  adminToken: string | undefined;
  /** `--unsafe-open-admin`: no admin token and no check of who calls. */
  unsafeOpenAdmin?: boolean;
  providerStates?: ProviderStates;
  /** Serves the QA panel page. */
  panel?: (req: IncomingMessage, res: ServerResponse) => void;
};

const MAX_CONTROL_BODY = 1024 * 1024;
const MAX_JSON_DEPTH = 32;

/** Builds the `/__mock` control API: JSON in and out, 400 naming the bad field. */
export function createControl(deps: ControlDeps): ControlHandler {
  const { services } = deps;
  const admin = deps.adminToken === undefined ? undefined : digest(deps.adminToken);

  async function json(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const result = await readBody(req, MAX_CONTROL_BODY, 10_000);
    if (!result.ok) {
      // The rest of an oversized or stalled body is not worth reading: answer, then close.
      if (result.tooLarge) res.setHeader('connection', 'close');
      throw new InputError('body', result.error);
    }
    const text = result.body.toString('utf8').trim();
    if (text === '') return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError('body', jsonError(error));
    }
    // Deeper values overflow the stack where tokens are signed and sealed; no control body needs them.
    if (deeperThan(value, MAX_JSON_DEPTH)) throw new InputError('body', `body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    return value;
  }

  function allowed(req: IncomingMessage): boolean {
    if (!admin) return true;
    const given = req.headers['x-mock-admin-token'];
    return typeof given === 'string' && timingSafeEqual(digest(given), admin);
  }

  return async (req, res, path, query) => {
    const route = trimSlashes(path) || '/__mock';
    const method = req.method ?? 'GET';
    if (route === '/__mock/health' && method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (route === '/__mock' && method === 'GET' && deps.panel) return deps.panel(req, res);
    if (!allowed(req)) {
      return sendJson(res, 401, { message: 'this mock requires its admin token in the X-Mock-Admin-Token header', errorCode: 'ERR_ADMIN_TOKEN' });
    }
    if (!admin && !deps.unsafeOpenAdmin && !fromThisMachine(req)) {
      return sendJson(res, 403, {
        message:
          'without an admin token the control API answers only this machine: call it by a loopback name (127.0.0.1, localhost) from a loopback origin, or start the mock with --admin-token',
        errorCode: 'ERR_CROSS_SITE',
      });
    }
    const methods = ROUTES.find(([pattern]) => pattern.test(route))?.[1];
    if (!methods) return sendJson(res, 404, { message: `no control route ${clean(route)}`, errorCode: 'ERR_NOT_FOUND' });
    if (!methods.includes(method)) {
      return sendJson(
        res,
        405,
        { message: `${method} is not allowed on ${clean(route)}; allowed: ${methods.join(', ')}`, errorCode: 'ERR_METHOD_NOT_ALLOWED' },
        { allow: methods.join(', ') },
      );
    }
    const faultId = /^\/__mock\/faults\/([^/]+)$/.exec(route)?.[1];
    switch (`${method} ${faultId ? '/__mock/faults/:id' : route}`) {
      case 'POST /__mock/tokens':
        return sendJson(res, 201, await services.issueToken(await json(req, res)));
      case 'GET /__mock/sessions':
        return sendJson(res, 200, { sessions: await services.sessions(sessionsLimit(query)) });
      case 'POST /__mock/faults':
        return sendJson(res, 201, await services.armFault(await json(req, res)));
      case 'GET /__mock/faults':
        return sendJson(res, 200, { faults: await services.faults() });
      case 'DELETE /__mock/faults':
        return sendJson(res, 200, { cleared: await services.clearFaults() });
      case 'DELETE /__mock/faults/:id': {
        const id = decoded(faultId as string);
        if (id === undefined || (await services.clearFaults(id)) === 0)
          return sendJson(res, 404, { message: `no armed fault ${clean(id ?? faultId ?? '')}`, errorCode: 'ERR_NOT_FOUND' });
        return sendJson(res, 200, { cleared: 1 });
      }
      case 'GET /__mock/requests':
        return sendJson(res, 200, { requests: await services.requests(parseJournalFilter(query)) });
      case 'DELETE /__mock/requests':
        await services.clearRequests();
        return sendJson(res, 200, { cleared: true });
      case 'POST /__mock/reset':
        await services.reset();
        return sendJson(res, 200, { status: 'reset' });
      case 'POST /__mock/provider-states':
        if (!deps.providerStates) return sendJson(res, 404, { message: 'provider states are not available', errorCode: 'ERR_NOT_FOUND' });
        return sendJson(res, 200, await deps.providerStates(await json(req, res)));
    }
    return sendJson(res, 404, { message: `no control route ${clean(route)}`, errorCode: 'ERR_NOT_FOUND' });
  };
}

const ROUTES: [RegExp, string[]][] = [
  [/^\/__mock$/, ['GET']],
  [/^\/__mock\/tokens$/, ['POST']],
  [/^\/__mock\/sessions$/, ['GET']],
  [/^\/__mock\/faults$/, ['GET', 'POST', 'DELETE']],
  [/^\/__mock\/faults\/[^/]+$/, ['DELETE']],
  [/^\/__mock\/requests$/, ['GET', 'DELETE']],
  [/^\/__mock\/reset$/, ['POST']],
  [/^\/__mock\/provider-states$/, ['POST']],
];

/** `?limit=` of the sessions listing: 1 to 10000 (absent: the services' default). */
function sessionsLimit(query: URLSearchParams): number | undefined {
  const raw = query.get('limit');
  if (raw === null) return undefined;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 10_000)
    throw new InputError('limit', `limit must be a whole number from 1 to 10000, got ${JSON.stringify(clean(raw))}`);
  return Number(raw);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** `path` without trailing slashes, in linear time (`/\/+$/` backtracks quadratically on a long run of slashes). */
function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end);
}

/** A percent-decoded path segment, or undefined when its escapes are malformed. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** True when objects or arrays in `value` nest deeper than `limit` (walked without recursion). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * True when a request was addressed to a loopback name and, if a browser sent it, by a page on a
 * loopback origin. Without an admin token this is the lock: a web page the developer happens to visit
 * (a simple cross-site POST needs no preflight) or a DNS-rebinding host name cannot mint or arm.
 */
function fromThisMachine(req: IncomingMessage): boolean {
  if (!isLoopbackName(hostnameOf(req.headers.host))) return false;
  const origin = req.headers.origin;
  return origin === undefined || isLoopbackName(hostnameOf(origin, true));
}

function hostnameOf(value: string | undefined, isOrigin = false): string | undefined {
  if (!value) return undefined;
  const text = isOrigin ? value : `http://${value}`;
  if (!URL.canParse(text)) return undefined;
  return new URL(text).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isLoopbackName(hostname: string | undefined): boolean {
  return hostname !== undefined && (isLoopback(hostname) || hostname.endsWith('.localhost'));
}
