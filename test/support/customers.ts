import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { DEMO_CUSTOMER_ID } from '../../src/users/customers.ts';
import { DEMO_USER, type UserInput } from '../../src/users/user.ts';
import { type Answer, read, signedIn, signIn, useMock, violations } from './mock.ts';

/** The six bearer-protected `/customers/{customerID}/…` operations, in the order. */
export const CUSTOMER_OPERATIONS = [
  'get-customer-users',
  'create-customer-user',
  'get-customer-user',
  'update-customer-user',
  'resend-invitation',
  'get-customer-subroles',
] as const;
/** One of CUSTOMER_OPERATIONS. */
export type CustomerOperation = (typeof CUSTOMER_OPERATIONS)[number];

/** The demo customer ("Sandbox") and a second tenant ("Other Co") the tests' users file describes. */
export const SANDBOX = DEMO_CUSTOMER_ID;
export const OTHER = '11111111-1111-4111-8111-111111111111';
/** A well-formed customer id no customer has. */
export const NOWHERE = '22222222-2222-4222-8222-222222222222';

/** The users of the two tenants: Sandbox's owner (the demo user), a cro and a risk analyst; Other Co's owner. */
export const OWNER: UserInput = { ...DEMO_USER };
export const CRO: UserInput = {
  email: 'cro@sandbox.example',
  password: 'Cro-Password-1',
  id: '00000000-0000-4000-8000-0000000000c1',
  given_name: 'Casey',
  family_name: 'Rowe',
  customer_id: SANDBOX,
  subrole: 'cro',
};
export const ANALYST: UserInput = {
  email: 'analyst@sandbox.example',
  password: 'Analyst-Password-1',
  id: '00000000-0000-4000-8000-0000000000a1',
  given_name: 'Ana',
  family_name: 'Lyst',
  customer_id: SANDBOX,
  subrole: 'risk_analyst',
};
export const OTHER_OWNER: UserInput = {
  email: 'owner@other.example',
  password: 'Other-Password-1',
  id: '00000000-0000-4000-8000-0000000000b1',
  given_name: 'Olive',
  family_name: 'Other',
  customer_id: OTHER,
  customer_name: 'Other Co',
  subrole: 'owner',
};

/** Writes the two tenants as a `--users` file (removed after the test file); returns its path. */
export function tenantsFile(extra: readonly UserInput[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'wam-tenants-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'users.json');
  const customers = [
    { id: SANDBOX, name: 'Sandbox' },
    { id: OTHER, name: 'Other Co' },
  ];
  writeFileSync(path, JSON.stringify({ customers, users: [OWNER, CRO, ANALYST, OTHER_OWNER, ...extra] }));
  return path;
}

/** The fixture of a customer-operations test file: a mock seeded with the two tenants, reset (to those seeds) after each test. */
export function useTenants(options: MockOptions = {}): Mock {
  return useMock({ usersFile: tenantsFile(), ...options }, { resetAfterEach: true });
}

/** What a call to a customer operation carries; `customer` defaults to Sandbox, `user` (the `{userID}`) to the cro. */
export type CustomerCall = {
  token?: string;
  customer?: string;
  user?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  query?: string;
};

/** The URL of `operation` with its path parameters filled in. */
export function customerUrl(mock: Mock, operation: CustomerOperation, call: Pick<CustomerCall, 'customer' | 'user' | 'query'> = {}): string {
  const path = (mock.urls[operation] as string)
    .replace('{customerID}', encodeURIComponent(call.customer ?? SANDBOX))
    .replace('{userID}', encodeURIComponent(call.user ?? (CRO.id as string)));
  return `${path}${call.query ?? ''}`;
}

/**
 * Calls one customer operation over HTTP and reads its answer, which must be valid against the spec (Prism's response
 * validation): every answer these tests receive is checked so.
 */
export async function callCustomer(mock: Mock, operation: CustomerOperation, call: CustomerCall = {}): Promise<Answer> {
  const { method } = mock.contract.operations.get(operation) as { method: string };
  const json = call.json !== undefined;
  const headers: Record<string, string> = {
    ...(call.token === undefined ? {} : { authorization: `Bearer ${call.token}` }),
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...call.headers,
  };
  const response = await fetch(customerUrl(mock, operation, call), {
    method: method.toUpperCase(),
    headers,
    body: json ? JSON.stringify(call.json) : call.body,
  });
  return valid(await read(response), operation);
}

/** Asserts that an answer of `operation` (any of the twelve) is valid against the spec; returns it. */
export async function valid(answer: Answer, operation: string): Promise<Answer> {
  expect(await violations(answer, operation), `${operation} ${answer.status} ${answer.text}`).toEqual([]);
  return answer;
}

/** Signs `user` in over HTTP (the answer checked against the spec); resolves its tokens. */
export async function sessionOf(mock: Mock, user: Pick<UserInput, 'email' | 'password'>): Promise<ReturnType<typeof signedIn>> {
  const answer = await valid(await signIn(mock, { json: { email: user.email, password: user.password } }), 'sign-in');
  return signedIn(answer);
}

/** Signs `user` in; resolves the id token (the bearer Worth's apps send: it carries `custom:customer_id`). */
export async function bearerOf(mock: Mock, user: Pick<UserInput, 'email' | 'password'>): Promise<string> {
  return (await sessionOf(mock, user)).idToken;
}

/** The `X-Mock-Reason` of an answer. */
export function reasonOf(answer: Answer): string {
  return answer.headers.get('x-mock-reason') ?? '';
}

/** A create body for the Sandbox customer's cro subrole (the page's shape: `subrole` with id, code and label). */
export function newUser(email: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    first_name: 'Nia',
    last_name: 'Newman',
    email,
    subrole: { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO' },
    ...overrides,
  };
}

/** Creates an invited user of Sandbox as its owner; resolves its id (the 200 checked against the spec). */
export async function invite(mock: Mock, token: string, email: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await callCustomer(mock, 'create-customer-user', { token, json: newUser(email, overrides) });
  expect(answer.status, answer.text).toBe(200);
  return (answer.body as { data: { user_id: string } }).data.user_id;
}

/** Accepts an invitation (`POST /invite/{inviteToken}/accept { password }`); the answer checked against the spec. */
export async function accept(mock: Mock, inviteToken: string, password: string): Promise<Answer> {
  const url = (mock.urls['accept-invitation'] as string).replace('{inviteToken}', encodeURIComponent(inviteToken));
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  return valid(await read(response), 'accept-invitation');
}
