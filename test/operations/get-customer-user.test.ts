import { describe, expect, it } from 'vitest';
import { ANALYST, bearerOf, CRO, callCustomer, invite, OTHER, OTHER_OWNER, OWNER, reasonOf, SANDBOX, useTenants } from '../support/customers.ts';

/**
 * Get Customer User By ID (`GET /customers/{customerID}/users/{userID}`) and Get Customer Subroles (`GET
 * /customers/{customerID}/subroles`) after the shared rows (customer-users.test.ts): each operation's own rows. Every
 * answer is checked against the spec.
 */

const NOT_FOUND = { status: 'fail', message: 'Customer user Not Found', errorCode: 'NOT_FOUND', data: { errorName: 'CustomersApiError' } };

const mock = useTenants();

describe('get-customer-user: a user the customer does not have → 404 (Customer user Not Found)', () => {
  it.each([
    ['an id no user has', crypto.randomUUID()],
    ["a user of another customer (Other Co's owner)", OTHER_OWNER.id as string],
    ['an id that is no UUID', 'not-a-user'],
  ])('%s', async (_name, user) => {
    const answer = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OWNER), user });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(NOT_FOUND);
    expect(reasonOf(answer)).toBe(`customer ${SANDBOX} has no user ${user}`);
  });

  it('a user an operator removed', async () => {
    const token = await bearerOf(mock, OWNER);
    await mock.users.remove(ANALYST.email);
    const answer = await callCustomer(mock, 'get-customer-user', { token, user: ANALYST.id });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(NOT_FOUND);
  });
});

describe("get-customer-user: else 200 with the user's record, built from state", () => {
  it("the page's by-id shape: no ext_auth_ref_id, its company_details, its subrole with role_id; times with a zone", async () => {
    const answer = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OWNER), user: CRO.id });
    expect(answer.status).toBe(200);
    const { status, message, data } = answer.body as { status: string; message: string; data: Record<string, unknown> };
    expect([status, message]).toEqual(['success', 'Success']);
    expect(data).toMatchObject({
      id: CRO.id,
      first_name: CRO.given_name,
      last_name: CRO.family_name,
      email: CRO.email,
      is_email_verified: true,
      is_first_login: false,
      status: 'ACTIVE',
      company_details: { id: SANDBOX, name: 'Sandbox', is_active: true },
      subrole: { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO', display_name: 'CRO', role_id: 2 },
    });
    expect(data).not.toHaveProperty('ext_auth_ref_id');
    // A seed user: nobody created it, and it has no mobile (left out, never the example's null).
    expect(data).not.toHaveProperty('created_by');
    expect(data).not.toHaveProperty('mobile');
    expect(data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a user just invited: is_first_login, not verified, ACTIVE, created by its creator', async () => {
    const token = await bearerOf(mock, CRO);
    const id = await invite(mock, token, 'shown@sandbox.example', { mobile: '+15550101' });
    const answer = await callCustomer(mock, 'get-customer-user', { token, user: id });
    expect((answer.body as { data: unknown }).data).toMatchObject({
      id,
      email: 'shown@sandbox.example',
      mobile: '+15550101',
      is_first_login: true,
      is_email_verified: false,
      status: 'ACTIVE',
      created_by: CRO.id,
    });
  });

  it("Other Co's owner reads its own record with its own customer", async () => {
    const answer = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OTHER_OWNER), customer: OTHER, user: OTHER_OWNER.id });
    expect(answer.status).toBe(200);
    expect((answer.body as { data: unknown }).data).toMatchObject({ company_details: { id: OTHER, name: 'Other Co' }, subrole: { code: 'owner' } });
  });
});

describe('get-customer-subroles: else 200 with the subroles a user may be given', () => {
  it("Sandbox: cro and risk_analyst with the page's ids, not owner", async () => {
    const answer = await callCustomer(mock, 'get-customer-subroles', { token: await bearerOf(mock, CRO) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'success',
      message: 'Customer subroles fetched successfully.',
      data: [
        { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO', display_name: 'CRO' },
        { id: '00000000-0000-4000-8000-000000000009', code: 'risk_analyst', label: 'Risk Analyst', display_name: 'Risk Analyst' },
      ],
    });
    expect(reasonOf(answer)).toBe(`2 subroles of customer ${SANDBOX}`);
  });

  it("Other Co: the same codes, ids of its own (another customer's subroles are not Sandbox's)", async () => {
    const answer = await callCustomer(mock, 'get-customer-subroles', { token: await bearerOf(mock, OTHER_OWNER), customer: OTHER });
    const data = (answer.body as { data: { id: string; code: string }[] }).data;
    expect(data.map((subrole) => subrole.code)).toEqual(['cro', 'risk_analyst']);
    expect(data.map((subrole) => subrole.id)).not.toContain('00000000-0000-4000-8000-000000000008');
  });
});
