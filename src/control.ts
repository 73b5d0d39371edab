import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlHandler } from './app.ts';
import { InputError } from './errors.ts';
import { readBody, sendJson } from './http.ts';
import { parseJournalFilter } from './journal.ts';
import type { Services } from './services.ts';

/** Answers Pact's state-change call: sets the state up, returns the values the pact's expressions use. */
export type ProviderStates = (body: unknown) => Promise<Record<string, unknown>>;

/** What the control API is built from. */
export type ControlDeps = {
  services: Services;
  /** When set, every `/__mock` call must carry it in `X-Mock-Admin-Token`. */
  adminToken: string | undefined;
  providerStates?: ProviderStates;
  /** Serves the QA panel page. */
  panel?: (req: IncomingMessage, res: ServerResponse) => void;
};

const MAX_CONTROL_BODY = 1024 * 1024;

/** Builds the `/__mock` control API: JSON in and out, 400 naming the bad field. */
export function createControl(deps: ControlDeps): ControlHandler {
  const { services } = deps;
  const admin = deps.adminToken === undefined ? undefined : digest(deps.adminToken);

  async function json(req: IncomingMessage): Promise<unknown> {
    const result = await readBody(req, MAX_CONTROL_BODY, 10_000);
    if (!result.ok) throw new InputError('body', result.error);
    const text = result.body.toString('utf8').trim();
    if (text === '') return {};
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InputError('body', `body is not valid JSON: ${(error as Error).message}`);
    }
  }

  function allowed(req: IncomingMessage): boolean {
    if (!admin) return true;
    const given = req.headers['x-mock-admin-token'];
    return typeof given === 'string' && timingSafeEqual(digest(given), admin);
  }

  return async (req, res, path, query) => {
    const route = path.replace(/\/+$/, '') || '/__mock';
    const method = req.method ?? 'GET';
    if (route === '/__mock/health' && method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (route === '/__mock' && method === 'GET' && deps.panel) return deps.panel(req, res);
    if (!allowed(req)) {
      return sendJson(res, 401, { message: 'this mock requires its admin token in the X-Mock-Admin-Token header', errorCode: 'ERR_ADMIN_TOKEN' });
    }
    const methods = ROUTES.find(([pattern]) => pattern.test(route))?.[1];
    if (!methods) return sendJson(res, 404, { message: `no control route ${route}`, errorCode: 'ERR_NOT_FOUND' });
    if (!methods.includes(method)) {
      return sendJson(res, 405, { message: `${method} is not allowed on ${route}; allowed: ${methods.join(', ')}`, errorCode: 'ERR_METHOD_NOT_ALLOWED' }, { allow: methods.join(', ') });
    }
    const faultId = /^\/__mock\/faults\/([^/]+)$/.exec(route)?.[1];
    switch (`${method} ${faultId ? '/__mock/faults/:id' : route}`) {
      case 'POST /__mock/tokens':
        return sendJson(res, 201, await services.issueToken(await json(req)));
      case 'GET /__mock/sessions':
        return sendJson(res, 200, { sessions: await services.sessions() });
      case 'POST /__mock/faults':
        return sendJson(res, 201, await services.armFault(await json(req)));
      case 'GET /__mock/faults':
        return sendJson(res, 200, { faults: await services.faults() });
      case 'DELETE /__mock/faults':
        return sendJson(res, 200, { cleared: await services.clearFaults() });
      case 'DELETE /__mock/faults/:id': {
        const id = decodeURIComponent(faultId as string);
        if ((await services.clearFaults(id)) === 0) return sendJson(res, 404, { message: `no armed fault ${id}`, errorCode: 'ERR_NOT_FOUND' });
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
        return sendJson(res, 200, await deps.providerStates(await json(req)));
    }
    return sendJson(res, 404, { message: `no control route ${route}`, errorCode: 'ERR_NOT_FOUND' });
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

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
