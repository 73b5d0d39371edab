// Every operation that reads a JSON body answers one it cannot read with its documented 400, and the reason a
// developer reads (X-Mock-Reason, the request log, the journal) says what was wrong and what to send.
import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/users/user.ts';
import { type CallInit, call, DEMO_CUSTOMER_ID, invite, ownerToken } from '../support/invitations.ts';
import { useMock, violations } from '../support/mock.ts';

const mock = useMock();

type Target = { readonly operation: string; readonly method: string; readonly path: () => Promise<string>; readonly owner?: true; readonly shape: string };

const TARGETS: readonly Target[] = [
  { operation: 'sign-in', method: 'POST', path: async () => '/customer/sign-in', shape: '{ "email", "password" }' },
  { operation: 'refresh', method: 'POST', path: async () => '/refresh-token/customer', shape: '{ "refresh_token" }' },
  {
    operation: 'create-customer-user',
    method: 'POST',
    path: async () => `/customers/${DEMO_CUSTOMER_ID}/users`,
    owner: true,
    shape: '{ "first_name", "last_name", "email", "subrole" }',
  },
  {
    operation: 'update-customer-user',
    method: 'PATCH',
    path: async () => `/customers/${DEMO_CUSTOMER_ID}/users/${DEMO_USER.id}`,
    owner: true,
    shape: '{ "first_name"?, "last_name"?, "email"?, "mobile"?, "subrole"?, "status"? }',
  },
  {
    operation: 'accept-invitation',
    method: 'POST',
    path: async () => {
      const { invitation } = await invite(mock.url, { email: `unreadable-${Math.random()}@sandbox.example` }, await ownerToken(mock.url));
      return `/invite/${String(invitation.link).split('/invite/')[1]?.split('/')[0]}/accept`;
    },
    shape: '{ "password" }',
  },
  { operation: 'reset-password', method: 'POST', path: async () => '/reset-password', shape: '{ "password", "reset_token" }' },
  { operation: 'forgot-password', method: 'POST', path: async () => '/forgot-password', shape: '{ "email" }' },
];

/** What each operation says of a request without a body: most need one; refresh may take its token from the cookie, accept asks for the password. */
const NO_BODY: Record<string, string> = {
  refresh: 'no refresh token: send { "refresh_token": "<token>" } or the refresh_token cookie sign-in set',
  'accept-invitation': 'password is required: an invited user sets one to accept',
};

describe.each(TARGETS)('$operation', (target) => {
  it.each([
    ['no body', {}, NO_BODY[target.operation] ?? `body is required: a JSON object ${target.shape}`],
    ['a text body', { body: 'hello', headers: { 'content-type': 'text/plain' } }, `body must be JSON (Content-Type: application/json): ${target.shape}`],
    ['a JSON array', { json: [1] }, `body must be a JSON object ${target.shape}`],
  ] as const)('%s → 400 "%s"', async (_what, init: CallInit, reason) => {
    const token = target.owner ? await ownerToken(mock.url) : undefined;
    const answer = await call(mock.url, await target.path(), { method: target.method, token, ...init });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-mock-reason')).toBe(reason);
    expect(await violations(answer, target.operation)).toEqual([]);
  });
});
