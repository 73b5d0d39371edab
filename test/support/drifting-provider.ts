import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDriftingUsers, type UserDrift } from './drifting-users.ts';

/** How a provider drifts from the contract: not at all, or in exactly one way. */
export type Drift =
  | 'none'
  | 'wrong-status'
  | 'missing-error-code'
  | 'wrong-content-type'
  | 'any-password'
  | 'refresh-after-logout'
  | 'tokens-outside-data'
  | 'refresh-without-id-token'
  | UserDrift;

/** How the provider misbehaves besides its drift: a state endpoint that fails, operations that answer late. */
export type Trouble = {
  /** The state endpoint answers every named state with this status (and a body saying why). */
  stateStatus?: number;
  /** The contract operations answer after this many milliseconds (the state endpoint and other paths at once). */
  delayMs?: number;
  /** Only the first this many contract requests are delayed (default: all). */
  delayCount?: number;
  /** Called when a delayed request arrives (tests act while the provider holds it). */
  onDelayed?: () => void;
};

/** A provider on a loopback port: its root URL, its Pact state-change endpoint, and every secret it handed out. */
export type Provider = { url: string; stateUrl: string; secrets(): string[]; close(): Promise<void> };

type Session = { active: boolean };
/** A token the provider handed out; an access token of a user-management sign-in names its user. */
type Token = { kind: 'access' | 'expired' | 'non-customer'; session?: Session; userId?: string } | { kind: 'refresh'; session: Session };

const BASE = '/auth/api/v1';
const UNAUTHORIZED = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };
const FORBIDDEN = { message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' };
const BAD_CREDENTIALS = { status: 'fail', message: 'Incorrect username or password.', errorCode: 'INVALID', data: { errorName: 'SignInApiError' } };
const NO_REFRESH_TOKEN = { status: 'fail', message: 'Refresh Token is Required', errorCode: 'INVALID', data: { errorName: 'SignInApiError' } };
const CUSTOMER = { id: '00000000-0000-4000-8000-000000000003', name: 'Drifting Customer' };

/**
 * A hand-written Auth Service (sign-in, refresh, logout), as another team might build it from the contract, with a
 * state endpoint at `/_pact/states`. `none` keeps the contract; each drift breaks it in one place:
 * `wrong-status` answers an expired token 403, `missing-error-code` leaves `errorCode` out of the 403 body,
 * `wrong-content-type` sends the logout 200 as `text/plain`, `any-password` signs a known email in with any
 * password, `refresh-after-logout` still refreshes a logged-out session, `tokens-outside-data` puts the sign-in's
 * tokens beside `data` instead of in it, `refresh-without-id-token` leaves `id_token` out of the refresh answer; the
 * user-management screens', invitation's and password pages' drifts are drifting-users.ts's.
 */
export async function startDriftingProvider(drift: Drift, trouble: Trouble = {}): Promise<Provider> {
  const tokens = new Map<string, Token>();
  const users = new Map<string, string>();
  let delayed = 0;
  const mint = (token: Token) => {
    const value = `${token.kind}.${randomUUID()}`;
    tokens.set(value, token);
    return value;
  };
  const signIn = (userId?: string) => {
    const session: Session = { active: true };
    const access = (): Token => ({ kind: 'access', session, ...(userId === undefined ? {} : { userId }) });
    return { session, token: mint(access()), idToken: mint(access()), refreshToken: mint({ kind: 'refresh', session }) };
  };
  const userManagement = createDriftingUsers(drift, signIn);
  /** The user the request's bearer names: an active access token of a user-management sign-in. */
  const callerOf = (req: IncomingMessage): string | undefined => {
    const known = tokens.get(/^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    return known?.kind === 'access' && known.session?.active ? known.userId : undefined;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { message: 'Internal Server Error', errorCode: 'ERR_INTERNAL_SERVER' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await read(req);
    if (req.method === 'POST' && req.url === '/_pact/states') return stateChange(JSON.parse(text || '{}'), res);
    if (!req.url?.startsWith(`${BASE}/`)) return send(res, 404, { message: 'Not Found', errorCode: 'ERR_NOT_FOUND' });
    if (trouble.delayMs && delayed < (trouble.delayCount ?? Number.POSITIVE_INFINITY)) {
      delayed += 1;
      trouble.onDelayed?.();
      await new Promise((r) => setTimeout(r, trouble.delayMs).unref());
    }
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const path = req.url.slice(BASE.length);
    if (req.method === 'POST' && path === '/customer/logout') return logout(req, res);
    if (req.method === 'POST' && path === '/customer/sign-in') return signInRoute(body, res);
    if (req.method === 'POST' && path === '/refresh-token/customer') return refreshRoute(body, res);
    const reply = userManagement.route(req.method ?? 'GET', path, callerOf(req), body);
    if (reply === undefined) return send(res, 404, { message: 'Not Found', errorCode: 'ERR_NOT_FOUND' });
    return send(res, reply.status, reply.body, reply.type);
  }

  function stateChange(change: { state?: string; action?: string }, res: ServerResponse) {
    const { state, action } = change;
    if (action === 'teardown' || !state) return send(res, 200, {});
    if (trouble.stateStatus) return send(res, trouble.stateStatus, { message: `state store unavailable for "${state}"` });
    switch (state) {
      case 'a customer with an active session': {
        const { token, idToken, refreshToken } = signIn();
        return send(res, 200, { token, idToken, refreshToken });
      }
      case 'a customer whose session has been logged out': {
        const { session, token, idToken, refreshToken } = signIn();
        session.active = false;
        return send(res, 200, { token, idToken, refreshToken });
      }
      case 'a customer whose token has expired':
        return send(res, 200, { token: mint({ kind: 'expired' }) });
      case 'a signed-in user who is not a customer':
        return send(res, 200, { token: mint({ kind: 'non-customer' }) });
      case 'a customer with credentials': {
        const email = `drift-${randomUUID()}@example.com`;
        const password = randomBytes(12).toString('base64url');
        users.set(email, password);
        return send(res, 200, { email, password });
      }
      default: {
        const values = userManagement.state(state);
        return values === undefined ? send(res, 400, { message: `unknown state ${state}` }) : send(res, 200, values);
      }
    }
  }

  function logout(req: IncomingMessage, res: ServerResponse) {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const known = token === undefined ? undefined : tokens.get(token);
    if (known?.kind === 'expired') return send(res, drift === 'wrong-status' ? 403 : 401, UNAUTHORIZED);
    if (known?.kind === 'non-customer') return send(res, 403, drift === 'missing-error-code' ? { message: FORBIDDEN.message } : FORBIDDEN);
    if (known?.kind !== 'access' || !known.session?.active) return send(res, 401, UNAUTHORIZED);
    known.session.active = false;
    return send(res, 200, { status: 'success', message: 'Logout successful' }, drift === 'wrong-content-type' ? 'text/plain' : undefined);
  }

  function signInRoute(body: Record<string, unknown>, res: ServerResponse) {
    const { email, password } = body;
    if (typeof email !== 'string' || typeof password !== 'string') return send(res, 400, BAD_CREDENTIALS);
    const known = users.get(email);
    if (known === undefined || (known !== password && drift !== 'any-password')) return send(res, 400, BAD_CREDENTIALS);
    const { token, idToken, refreshToken } = signIn();
    const tokenFields = { access_token: token, id_token: idToken, refresh_token: refreshToken };
    const data = {
      user_details: { id: randomUUID(), first_name: 'Drifting', last_name: 'Customer', email, is_email_verified: true },
      ...(drift === 'tokens-outside-data' ? {} : tokenFields),
      permissions: ['case:read', 'case:write'],
      customer_details: CUSTOMER,
    };
    return send(res, 200, { status: 'success', message: 'Logged In successfully', data, ...(drift === 'tokens-outside-data' ? tokenFields : {}) });
  }

  function refreshRoute(body: Record<string, unknown>, res: ServerResponse) {
    const given = body.refresh_token;
    if (typeof given !== 'string' || given === '') return send(res, 400, NO_REFRESH_TOKEN);
    const known = tokens.get(given);
    if (known?.kind !== 'refresh') return send(res, 401, UNAUTHORIZED);
    if (!known.session.active && drift !== 'refresh-after-logout') return send(res, 401, UNAUTHORIZED);
    const session = known.session;
    const data = {
      access_token: mint({ kind: 'access', session }),
      ...(drift === 'refresh-without-id-token' ? {} : { id_token: mint({ kind: 'access', session }) }),
    };
    return send(res, 200, { status: 'success', message: 'Success', data });
  }

  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stateUrl: `${url}/_pact/states`,
    secrets: () => [...tokens.keys(), ...users.values(), ...userManagement.secrets()],
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

/** Answers `body` as JSON, or as it is with another `type` (text); no body at all when it is undefined (a 204). */
function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  if (res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' && type !== 'application/json' ? body : JSON.stringify(body));
}
