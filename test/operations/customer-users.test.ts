import { beforeEach, describe, expect, it } from 'vitest';
import {
  ANALYST,
  bearerOf,
  CRO,
  CUSTOMER_OPERATIONS,
  type CustomerCall,
  type CustomerOperation,
  callCustomer,
  customerUrl,
  NOWHERE,
  newUser,
  OTHER,
  OTHER_OWNER,
  OWNER,
  reasonOf,
  SANDBOX,
  sessionOf,
  useTenants,
  valid,
} from '../support/customers.ts';
import { type Answer, logout } from '../support/mock.ts';
import { exchange } from '../support/raw-http.ts';

/**
 * The rows the six bearer-protected `/customers/{customerID}/…` operations share (issue 22, "Bearer-protected
 * operations"), in the decision's order, each row over all six: malformed (two Authorization headers) → 400; no or
 * bad token → 401; a customer that does not exist → 403 (subroles: its page's 400); another customer's → 403; a
 * permission the user lacks → 403. Then a forced `Prefer: code=200` or 200 fault, and faults scoped to a customer.
 * Every answer is checked against the spec (callCustomer).
 */

const SPEC_401 = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };
const SPEC_403 = { message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' };
const NO_SUCH_CUSTOMER = { status: 'fail', message: 'Customer does not exists', errorCode: 'INVALID', data: { errorName: 'CustomersApiError' } };

/** The permission each operation asks of its caller. */
const PERMISSION: Record<CustomerOperation, string> = {
  'get-customer-users': 'customer_user:read',
  'create-customer-user': 'customer_user:create',
  'get-customer-user': 'customer_user:read',
  'update-customer-user': 'customer_user:write',
  'resend-invitation': 'customer_user:write',
  'get-customer-subroles': 'customer_user:read',
};

const mock = useTenants();

/** A request of `operation` that the operation would carry out (a valid body where it takes one). */
function requestOf(operation: CustomerOperation, call: CustomerCall = {}): CustomerCall {
  if (operation === 'create-customer-user') return { json: newUser(`new-${crypto.randomUUID()}@sandbox.example`), ...call };
  if (operation === 'update-customer-user') return { json: { first_name: 'Changed' }, ...call };
  return call;
}

/** Nothing a refused request could have changed did: no mail went out, Sandbox still has its three users unchanged. */
async function expectUnchanged(): Promise<void> {
  expect(await mock.outbox()).toEqual([]);
  const users = (await mock.users.list()).filter((user) => user.customer_id === SANDBOX);
  expect(users.map((user) => [user.email, user.given_name, user.status])).toEqual([
    [OWNER.email, OWNER.given_name, 'ACTIVE'],
    [CRO.email, CRO.given_name, 'ACTIVE'],
    [ANALYST.email, ANALYST.given_name, 'ACTIVE'],
  ]);
}

describe('0. malformed (the shared step before the token): two Authorization headers → 400 invalid_request', () => {
  /** The operation's request with two Authorization headers (fetch would join them into one). */
  async function twice(operation: CustomerOperation) {
    const { method } = mock.contract.operations.get(operation) as { method: string };
    const { pathname } = new URL(customerUrl(mock, operation));
    const head = `${method.toUpperCase()} ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer a.b.c\r\nAuthorization: Bearer d.e.f\r\n`;
    const { responses } = await exchange(mock.port, [`${head}Content-Length: 0\r\nConnection: close\r\n\r\n`], { enough: (r) => r.length > 0 });
    return valid(responses[0] as Answer, operation);
  }

  it.each(CUSTOMER_OPERATIONS)('%s', async (operation) => {
    const answer = await twice(operation);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(reasonOf(answer)).toBe('more than one Authorization header');
  });

  // These three pages' 400 examples state a cause of their own (a duplicate email, an onboarded user, no such
  // customer): the shared steps' 400 says its own reason in the example's message; the others keep their example's.
  it.each(['create-customer-user', 'resend-invitation', 'get-customer-subroles'] as const)("%s: its body's message is the true reason", async (operation) => {
    const answer = await twice(operation);
    expect((answer.body as { message: string }).message).toBe(reasonOf(answer));
  });
});

describe('1. no or bad token → 401 with its challenge (before any other row: the path names no customer)', () => {
  it.each(CUSTOMER_OPERATIONS)('%s: no Authorization, or another scheme → 401 with the bare realm challenge', async (operation) => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
      const answer = await callCustomer(mock, operation, requestOf(operation, { customer: NOWHERE, headers }));
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(SPEC_401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
    }
    await expectUnchanged();
  });

  it.each(CUSTOMER_OPERATIONS)('%s: a malformed, expired, badly signed or foreign-issuer token → 401 invalid_token', async (operation) => {
    const tokens = [
      'abc',
      (await mock.issueToken({ kind: 'expired' })).idToken,
      (await mock.issueToken({ kind: 'bad-signature' })).token,
      (await mock.issueToken({ kind: 'wrong-issuer' })).token,
    ];
    for (const token of tokens) {
      const answer = await callCustomer(mock, operation, requestOf(operation, { customer: NOWHERE, token }));
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(SPEC_401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    await expectUnchanged();
  });

  it.each(CUSTOMER_OPERATIONS)('%s: the id and access tokens of a sign-in that logged out → 401 "revoked"', async (operation) => {
    const session = await sessionOf(mock, OWNER);
    expect((await valid(await logout(mock, { token: session.idToken }), 'logout')).status).toBe(200);
    for (const token of [session.idToken, session.accessToken]) {
      const answer = await callCustomer(mock, operation, requestOf(operation, { token }));
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="token has been revoked"/);
    }
    await expectUnchanged();
  });

  it('a minted token of no user, once logged out → 401 revoked here too (it worked before)', async () => {
    const { idToken } = await mock.issueToken({ sub: crypto.randomUUID(), customer_id: SANDBOX });
    expect((await callCustomer(mock, 'get-customer-users', { token: idToken })).status).toBe(200);
    expect((await logout(mock, { token: idToken })).status).toBe(200);
    const answer = await callCustomer(mock, 'get-customer-users', { token: idToken });
    expect(answer.status).toBe(401);
    expect(reasonOf(answer)).toBe('token has been revoked');
  });

  it.each(CUSTOMER_OPERATIONS)("%s: a real sign-in's tokens once the mock's clock is past their exp → 401 expired", async (operation) => {
    const session = await sessionOf(mock, OWNER);
    await mock.clock.advance(mock.config.tokenTtlSeconds + mock.config.clockToleranceSeconds + 1);
    for (const token of [session.idToken, session.accessToken]) {
      const answer = await callCustomer(mock, operation, requestOf(operation, { token }));
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(reasonOf(answer)).toMatch(/expired/);
    }
  });

  it.each(CUSTOMER_OPERATIONS)('%s: a token of a user deactivated since, or removed since → 401 invalid_token', async (operation) => {
    const cro = await sessionOf(mock, CRO);
    const owner = await bearerOf(mock, OWNER);
    const deactivated = await callCustomer(mock, 'update-customer-user', { token: owner, user: CRO.id, json: { status: 'INACTIVE' } });
    expect(deactivated.status).toBe(200);
    for (const token of [cro.idToken, cro.accessToken]) {
      const answer = await callCustomer(mock, operation, requestOf(operation, { token }));
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(reasonOf(answer)).toMatch(/deactivated/);
    }
    await mock.users.remove(OWNER.email);
    const removed = await callCustomer(mock, operation, requestOf(operation, { token: owner }));
    expect(removed.status).toBe(401);
    expect(reasonOf(removed)).toMatch(/removed/);
  });
});

describe('2. a customer that does not exist → 403 (Get Customer Subroles: its page\'s 400 "Customer does not exists")', () => {
  it.each(CUSTOMER_OPERATIONS)('%s: a well-formed id no customer has, and an id that is no UUID', async (operation) => {
    // The owner's token, and the analyst's (which lacks the permission): the customer's row comes first.
    const tokens = [await bearerOf(mock, OWNER), await bearerOf(mock, ANALYST)];
    for (const customer of [NOWHERE, 'not-a-customer']) {
      for (const token of tokens) {
        const answer = await callCustomer(mock, operation, requestOf(operation, { token, customer }));
        if (operation === 'get-customer-subroles') {
          expect(answer.status).toBe(400);
          expect(answer.body).toEqual(NO_SUCH_CUSTOMER);
        } else {
          expect(answer.status).toBe(403);
          expect(answer.body).toEqual(SPEC_403);
          expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
        }
        expect(reasonOf(answer)).toBe(`customer ${customer} does not exist`);
      }
    }
    await expectUnchanged();
  });
  it('a path id of any length is named in the reason, cut at 80 characters', async () => {
    const customer = 'c'.repeat(200);
    const answer = await callCustomer(mock, 'get-customer-users', { token: await bearerOf(mock, OWNER), customer });
    expect(answer.status).toBe(403);
    expect(reasonOf(answer)).toBe(`customer ${'c'.repeat(80)} does not exist`);
  });
});

describe("3. the token's customer is not the path's → 403", () => {
  it.each(CUSTOMER_OPERATIONS)("%s: Other Co's owner on Sandbox's path, and Sandbox's owner on Other Co's", async (operation) => {
    const calls: [string, string, string][] = [
      [await bearerOf(mock, OTHER_OWNER), SANDBOX, OTHER],
      [await bearerOf(mock, OWNER), OTHER, SANDBOX],
    ];
    for (const [token, customer, own] of calls) {
      // For create and update, a body that fails its schema: the customer's row comes before the body's.
      const json = operation === 'create-customer-user' || operation === 'update-customer-user' ? {} : undefined;
      const answer = await callCustomer(mock, operation, { token, customer, user: OTHER_OWNER.id, json });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual(SPEC_403);
      expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(reasonOf(answer)).toBe(`token belongs to another customer (${own})`);
    }
    await expectUnchanged();
  });

  it.each(CUSTOMER_OPERATIONS)(
    '%s: the access token finds its customer through its user (sub): the same 403, and its own customer served',
    async (operation) => {
      const { accessToken } = await sessionOf(mock, OTHER_OWNER);
      const refused = await callCustomer(mock, operation, requestOf(operation, { token: accessToken }));
      expect(refused.status).toBe(403);
      expect(reasonOf(refused)).toBe(`token belongs to another customer (${OTHER})`);
      const own = await callCustomer(mock, operation, requestOf(operation, { token: accessToken, customer: OTHER, user: OTHER_OWNER.id }));
      expect(own.status).not.toBe(403);
    },
  );

  it("the id token's custom:customer_id names the caller's customer, before its user's", async () => {
    const cro = (await mock.users.list()).find((user) => user.email === CRO.email);
    expect(cro).toBeDefined();
    const { idToken } = await mock.issueToken({ sub: cro?.sub, customer_id: OTHER });
    const answer = await callCustomer(mock, 'get-customer-users', { token: idToken });
    expect(answer.status).toBe(403);
    expect(reasonOf(answer)).toBe(`token belongs to another customer (${OTHER})`);
  });

  it.each(CUSTOMER_OPERATIONS)('%s: a minted token of no user and no customer → 403 "token belongs to no customer"', async (operation) => {
    const { idToken } = await mock.issueToken({ sub: crypto.randomUUID() });
    const answer = await callCustomer(mock, operation, requestOf(operation, { token: idToken }));
    expect(answer.status).toBe(403);
    expect(reasonOf(answer)).toBe('token belongs to no customer');
  });
});

describe('4. the user lacks the permission → 403 (read to read, create to create, write to update or resend)', () => {
  it.each(CUSTOMER_OPERATIONS)('%s: a risk_analyst (none of the customer_user permissions) → 403 naming the permission', async (operation) => {
    const token = await bearerOf(mock, ANALYST);
    // A body that fails its schema too, where the operation takes one: the permission's row comes first.
    const json = operation === 'create-customer-user' || operation === 'update-customer-user' ? {} : undefined;
    const answer = await callCustomer(mock, operation, { token, json });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(SPEC_403);
    expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(reasonOf(answer)).toBe(`the user lacks the permission ${PERMISSION[operation]}`);
    await expectUnchanged();
  });

  describe('a user with only one customer_user permission of its own may do what it grants and nothing else', () => {
    const ONLY = {
      read: { email: 'reader@sandbox.example', permissions: ['customer_user:read'] },
      create: { email: 'creator@sandbox.example', permissions: ['customer_user:create'] },
      write: { email: 'writer@sandbox.example', permissions: ['customer_user:write'] },
    } as const;
    const tokens: Record<string, string> = {};
    beforeEach(async () => {
      for (const [grant, { email, permissions }] of Object.entries(ONLY)) {
        await mock.users.add({ email, password: 'Only-Password-1', customer_id: SANDBOX, subrole: 'cro', permissions: [...permissions] });
        tokens[grant] = await bearerOf(mock, { email, password: 'Only-Password-1' });
      }
    });

    it.each(CUSTOMER_OPERATIONS)('%s', async (operation) => {
      for (const grant of Object.keys(ONLY)) {
        const answer = await callCustomer(mock, operation, requestOf(operation, { token: tokens[grant] }));
        if (PERMISSION[operation] === `customer_user:${grant}`) {
          // Let through: the operation's own answer (resend answers a user who has onboarded its 400).
          expect([200, 400], answer.text).toContain(answer.status);
        } else {
          expect(answer.status).toBe(403);
          expect(reasonOf(answer)).toBe(`the user lacks the permission ${PERMISSION[operation]}`);
        }
      }
    });
  });

  it('a minted token of no user carries its permissions in a `permissions` claim; without one (or with one that is not a list of codes), it may do everything', async () => {
    const mint = async (claims: Record<string, unknown>) => (await mock.issueToken({ sub: crypto.randomUUID(), customer_id: SANDBOX, claims })).idToken;
    const reader = await mint({ permissions: ['customer_user:read'] });
    expect((await callCustomer(mock, 'get-customer-users', { token: reader })).status).toBe(200);
    const refused = await callCustomer(mock, 'create-customer-user', requestOf('create-customer-user', { token: reader }));
    expect(refused.status).toBe(403);
    expect(reasonOf(refused)).toBe('the user lacks the permission customer_user:create');
    for (const claims of [{}, { permissions: ['customer_user:read', 7] }, { permissions: 'customer_user:read' }]) {
      const answer = await callCustomer(mock, 'create-customer-user', requestOf('create-customer-user', { token: await mint(claims) }));
      expect(answer.status, JSON.stringify(claims)).toBe(200);
    }
  });

  it.each(CUSTOMER_OPERATIONS)('%s: a cro (read, create and write) is let through', async (operation) => {
    const answer = await callCustomer(mock, operation, requestOf(operation, { token: await bearerOf(mock, CRO), user: ANALYST.id }));
    expect(answer.status, reasonOf(answer)).toBe(operation === 'resend-invitation' ? 400 : 200);
  });
});

describe('Prefer: code=200 and ?__code=200 → a 200 valid against the spec, built from state (never an example failing its schema)', () => {
  it.each(CUSTOMER_OPERATIONS)('%s: with the owner token, with none, and with ?__code=200', async (operation) => {
    const owner = await bearerOf(mock, OWNER);
    const calls: CustomerCall[] = [
      requestOf(operation, { token: owner, headers: { prefer: 'code=200' } }),
      { headers: { prefer: 'code=200' } },
      { customer: NOWHERE, query: '?__code=200' },
    ];
    for (const call of calls) {
      const answer = await callCustomer(mock, operation, call);
      expect(answer.status, answer.text).toBe(200);
      expect(reasonOf(answer)).toMatch(/^override code=200/);
    }
  });

  it.each(CUSTOMER_OPERATIONS)('%s: a 200 fault answers the same forced success, naming itself', async (operation) => {
    const fault = await mock.faults.arm({ status: 200, match: { operation } });
    const answer = await callCustomer(mock, operation, { customer: NOWHERE });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
    expect(reasonOf(answer)).toMatch(new RegExp(`^fault ${fault.id} armed`));
  });

  it("the forced list and the forced record are Sandbox's, from state", async () => {
    const list = await callCustomer(mock, 'get-customer-users', { headers: { prefer: 'code=200' } });
    const records = (list.body as { data: { records: { email: string }[] } }).data.records;
    expect(records.map((record) => record.email)).toEqual([OWNER.email, CRO.email, ANALYST.email]);
    const one = await callCustomer(mock, 'get-customer-user', { user: ANALYST.id, headers: { prefer: 'code=200' } });
    expect((one.body as { data: { email: string } }).data.email).toBe(ANALYST.email);
  });

  it("a forced list of subroles on Other Co's path is Other Co's (its own ids), not the page's example", async () => {
    const real = await callCustomer(mock, 'get-customer-subroles', { token: await bearerOf(mock, OTHER_OWNER), customer: OTHER });
    const forced = await callCustomer(mock, 'get-customer-subroles', { customer: OTHER, headers: { prefer: 'code=200' } });
    expect(forced.body).toEqual(real.body);
    expect(JSON.stringify(forced.body)).not.toContain('00000000-0000-4000-8000-000000000008');
  });

  it("on a path whose customer id no customer has, the forced list is the caller's customer's; without a token, the first customer's", async () => {
    const emails = async (token?: string) => {
      const answer = await callCustomer(mock, 'get-customer-users', { token, customer: NOWHERE, headers: { prefer: 'code=200' } });
      return (answer.body as { data: { records: { email: string }[] } }).data.records.map((record) => record.email);
    };
    expect(await emails(await bearerOf(mock, OTHER_OWNER))).toEqual([OTHER_OWNER.email]);
    expect(await emails()).toEqual([OWNER.email, CRO.email, ANALYST.email]);
  });
});

describe("faults scoped to a customer (match.customer) fire for that customer's requests only", () => {
  it.each(CUSTOMER_OPERATIONS)('%s', async (operation) => {
    const fault = await mock.faults.arm({ status: 500, times: null, match: { operation, customer: OTHER } });
    const sandbox = await callCustomer(mock, operation, requestOf(operation, { token: await bearerOf(mock, OWNER) }));
    expect(sandbox.status).not.toBe(500);
    expect(sandbox.headers.get('x-mock-fault')).toBeNull();
    // Without a token the request is nobody's: the fault does not fire either.
    expect((await callCustomer(mock, operation, requestOf(operation, { customer: OTHER }))).status).toBe(401);
    const other = await callCustomer(
      mock,
      operation,
      requestOf(operation, { token: await bearerOf(mock, OTHER_OWNER), customer: OTHER, user: OTHER_OWNER.id }),
    );
    expect(other.status).toBe(500);
    expect(other.headers.get('x-mock-fault')).toBe(fault.id);
  });

  it('match.operation "*" with a customer fires on every customer operation of that customer, and nowhere else', async () => {
    // Signed in first: a sign-in of Sandbox's user is one of Sandbox's requests too.
    const sandbox = await bearerOf(mock, CRO);
    const fault = await mock.faults.arm({ status: 403, times: null, match: { operation: '*', customer: SANDBOX } });
    for (const operation of CUSTOMER_OPERATIONS) {
      const answer = await callCustomer(mock, operation, requestOf(operation, { token: sandbox }));
      expect(answer.status).toBe(403);
      expect(answer.headers.get('x-mock-fault')).toBe(fault.id);
      expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
    const other = await callCustomer(mock, 'get-customer-users', { token: await bearerOf(mock, OTHER_OWNER), customer: OTHER });
    expect(other.status).toBe(200);
  });
});
