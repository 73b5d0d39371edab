import { describe, expect, it } from 'vitest';
import { ANALYST, bearerOf, CRO, type CustomerCall, callCustomer, OTHER_OWNER, OWNER, reasonOf, SANDBOX, useTenants, valid } from '../support/customers.ts';
import { signIn } from '../support/mock.ts';

/**
 * Update Customer User By ID (`PATCH /customers/{customerID}/users/{userID}`) after the shared rows
 * (customer-users.test.ts): the body against its schema (`{}` fails `minProperties: 1`) → 400 naming the field; a
 * subrole the customer does not give → 400; a user the customer does not have → its page's 404; an email another
 * user has → 400; else 200, the change stored. Deactivation: customer-deactivation.test.ts. Every answer is checked
 * against the spec.
 */

const BAD_REQUEST = { message: 'Error occurred', errorCode: 'ERR_INTERNAL_SERVER' };
const NOT_FOUND = { status: 'fail', message: 'Customer user does not exist', errorCode: 'INVALID', data: { errorName: 'CustomersApiError' } };
const UPDATED = { status: 'success', message: 'User details updated successfully' };

const mock = useTenants();

/** A PATCH as Sandbox's owner (of the cro, unless `user` says). */
async function update(call: CustomerCall) {
  return callCustomer(mock, 'update-customer-user', { token: call.token ?? (await bearerOf(mock, OWNER)), ...call });
}

/** A Sandbox user's by-id record, read as its owner. */
async function recordOf(user: string): Promise<Record<string, unknown>> {
  const answer = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OWNER), user });
  return (answer.body as { data: Record<string, unknown> }).data;
}

describe("the body against its schema → 400 naming the field (the page's generic 400)", () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    ['no body', {}, /^body is required/],
    ['a body that is not JSON', { body: 'first_name=X', headers: { 'content-type': 'text/plain' } }, /^body must be JSON/],
    ['a JSON array', { json: [{ first_name: 'X' }] }, /^body must be a JSON object/],
    ['{} (minProperties: 1)', { json: {} }, /^body must NOT have fewer than 1 properties$/],
    ['a status outside its enum (INVITED)', { json: { status: 'INVITED' } }, /^status must be one of ACTIVE, INACTIVE$/],
    ['an email that is no address', { json: { email: 'nope' } }, /^email must match format "email"$/],
    ['a first_name that is a number', { json: { first_name: 5 } }, /^first_name must be string$/],
    ['a subrole that is a string', { json: { subrole: 'cro' } }, /^subrole must be object$/],
    ['a body declared JSON that does not parse', { body: '{"first_name"', headers: json }, /^body is declared JSON but does not parse/],
  ])('%s', async (_name, init, reason) => {
    const before = await recordOf(CRO.id as string);
    const answer = await update(init);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(BAD_REQUEST);
    expect(reasonOf(answer)).toMatch(reason);
    expect(await recordOf(CRO.id as string)).toEqual(before);
  });
});

describe('a subrole the customer does not give → 400 naming it', () => {
  it.each([
    ['owner', { id: '00000000-0000-4000-8000-000000000002', code: 'owner', label: 'Owner' }],
    ['an id no subrole has', { id: crypto.randomUUID() }],
    ['a code no subrole has', { code: 'auditor' }],
  ])('%s', async (_name, subrole) => {
    const answer = await update({ user: ANALYST.id, json: { subrole } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(BAD_REQUEST);
    expect(reasonOf(answer)).toMatch(/^subrole is not one customer .* gives its users/);
  });
});

describe("a user the customer does not have → 404 (the page's Customer user does not exist)", () => {
  it.each([
    ['an id no user has', crypto.randomUUID()],
    ["Other Co's owner", OTHER_OWNER.id as string],
    ['an id that is no UUID', 'not-a-user'],
  ])('%s', async (_name, user) => {
    const answer = await update({ user, json: { first_name: 'Ghost' } });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(NOT_FOUND);
    expect(reasonOf(answer)).toBe(`customer ${SANDBOX} has no user ${user}`);
  });

  it('a user an operator removed', async () => {
    const token = await bearerOf(mock, OWNER);
    await mock.users.remove(ANALYST.email);
    const answer = await update({ token, user: ANALYST.id, json: { status: 'ACTIVE' } });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(NOT_FOUND);
  });
});

describe('an email another user has (any case, any customer) → 400', () => {
  it.each([
    ["the analyst's", ANALYST.email],
    ["the analyst's, in another case", 'Analyst@SANDBOX.example'],
    ["Other Co's owner's", OTHER_OWNER.email],
  ])('%s', async (_name, email) => {
    const answer = await update({ json: { email, first_name: 'Twin' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ...BAD_REQUEST, message: 'Another customer user exists with the same email.' });
    expect(await recordOf(CRO.id as string)).toMatchObject({ email: CRO.email, first_name: CRO.given_name });
  });

  it('its own email in another case is no change: 200, still verified', async () => {
    const answer = await update({ json: { email: 'CRO@Sandbox.EXAMPLE' } });
    expect(answer.status).toBe(200);
    expect(await recordOf(CRO.id as string)).toMatchObject({ email: CRO.email, is_email_verified: true });
  });
});

describe('else 200: the change is stored and shows at once', () => {
  it('a name change shows in the list and by id, audited (updated_by the changer, updated_at later)', async () => {
    const before = await recordOf(CRO.id as string);
    const answer = await update({ token: await bearerOf(mock, CRO), user: ANALYST.id, json: { first_name: 'Annika', last_name: 'Lund' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(UPDATED);
    expect(reasonOf(answer)).toBe(`updated user ${ANALYST.id}`);
    const list = await callCustomer(mock, 'get-customer-users', { token: await bearerOf(mock, OWNER), query: '?search=annika' });
    const records = (list.body as { data: { records: Record<string, unknown>[] } }).data.records;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: ANALYST.id, first_name: 'Annika', last_name: 'Lund', updated_by: CRO.id });
    const after = await recordOf(ANALYST.id as string);
    expect(after).toMatchObject({ first_name: 'Annika', last_name: 'Lund', updated_by: CRO.id });
    expect(Date.parse(after.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(before.updated_at as string));
  });

  it('a new email: not verified; the user signs in with it, no longer with the old one', async () => {
    expect((await update({ json: { email: 'Casey.Rowe@Sandbox.example', mobile: '+15550102' } })).status).toBe(200);
    expect(await recordOf(CRO.id as string)).toMatchObject({ email: 'casey.rowe@sandbox.example', mobile: '+15550102', is_email_verified: false });
    const withNew = await valid(await signIn(mock, { json: { email: 'casey.rowe@sandbox.example', password: CRO.password } }), 'sign-in');
    expect(withNew.status).toBe(200);
    const withOld = await valid(await signIn(mock, { json: { email: CRO.email, password: CRO.password } }), 'sign-in');
    expect(withOld.status).toBe(400);
  });

  it("a subrole change changes the user's permissions at once, for the tokens it holds", async () => {
    const analyst = await bearerOf(mock, ANALYST);
    expect((await callCustomer(mock, 'get-customer-users', { token: analyst })).status).toBe(403);
    const answer = await update({ user: ANALYST.id, json: { subrole: { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO' } } });
    expect(answer.status).toBe(200);
    expect(await recordOf(ANALYST.id as string)).toMatchObject({ subrole: { code: 'cro', role_id: 2 } });
    expect((await callCustomer(mock, 'get-customer-users', { token: analyst })).status).toBe(200);
    // By code alone, back again.
    expect((await update({ user: ANALYST.id, json: { subrole: { code: 'risk_analyst' } } })).status).toBe(200);
    expect((await callCustomer(mock, 'get-customer-users', { token: analyst })).status).toBe(403);
  });
});
