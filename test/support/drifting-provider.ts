import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a provider drifts from the contract: not at all, or in exactly one way. */
export type Drift = 'none' | 'wrong-status' | 'missing-error-code' | 'wrong-content-type';

/** A provider on a loopback port: its root URL and its Pact state-change endpoint. */
export type Provider = { url: string; stateUrl: string; close(): Promise<void> };

type Kind = 'active' | 'revoked' | 'expired' | 'non-customer';

const STATES: Record<string, Kind> = {
  'a customer with an active session': 'active',
  'a customer whose session has been logged out': 'revoked',
  'a customer whose token has expired': 'expired',
  'a signed-in user who is not a customer': 'non-customer',
};
const LOGOUT = '/auth/api/v1/customer/logout';
const UNAUTHORIZED = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };
const FORBIDDEN = { message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' };

/**
 * A hand-written Auth Service logout, as another team might build it from the contract, with a state endpoint
 * at `/_pact/states`. `none` keeps the contract; each drift breaks it in one place:
 * `wrong-status` answers an expired token 403, `missing-error-code` leaves `errorCode` out of the 403 body,
 * `wrong-content-type` sends the 200 as `text/plain`.
 */
export async function startDriftingProvider(drift: Drift): Promise<Provider> {
  const tokens = new Map<string, Kind>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { message: 'Internal Server Error', errorCode: 'ERR_INTERNAL_SERVER' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await read(req);
    if (req.method === 'POST' && req.url === '/_pact/states') {
      const { state, action } = JSON.parse(body || '{}') as { state?: string; action?: string };
      if (action === 'teardown' || !state) return send(res, 200, {});
      const kind = STATES[state];
      if (!kind) return send(res, 400, { message: `unknown state ${state}` });
      const token = `${kind}.${randomUUID()}`;
      tokens.set(token, kind);
      return send(res, 200, { token });
    }
    if (req.method !== 'POST' || req.url !== LOGOUT) return send(res, 404, { message: 'Not Found', errorCode: 'ERR_NOT_FOUND' });
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const kind = token === undefined ? undefined : tokens.get(token);
    switch (kind) {
      case 'active':
        tokens.set(token as string, 'revoked');
        return send(res, 200, { status: 'success', message: 'Logout successful' }, drift === 'wrong-content-type' ? 'text/plain' : undefined);
      case 'expired':
        return send(res, drift === 'wrong-status' ? 403 : 401, UNAUTHORIZED);
      case 'non-customer':
        return send(res, 403, drift === 'missing-error-code' ? { message: FORBIDDEN.message } : FORBIDDEN);
      default:
        return send(res, 401, UNAUTHORIZED);
    }
  }

  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stateUrl: `${url}/_pact/states`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}
