import { describe, expect, it } from 'vitest';
import { ANALYST, bearerOf, CRO, callCustomer, invite, OTHER, OTHER_OWNER, OWNER, reasonOf, SANDBOX, useTenants } from '../support/customers.ts';
import type { Answer } from '../support/mock.ts';

/**
 * Get Customer Users (`GET /customers/{customerID}/users`) after the shared rows (customer-users.test.ts): a query
 * value it cannot read → 400 naming it; else the page's shape (`records`, `total_pages` an integer, `total_items` a
 * string) with paging (`page`, `items_per_page`) and filters (`search`, `status`, `subrole`). Every answer is checked
 * against the spec.
 */

const BAD_REQUEST = { message: 'Error occurred', errorCode: 'ERR_INTERNAL_SERVER' };

const mock = useTenants();

type Page = { records: Record<string, unknown>[]; total_pages: number; total_items: string };

/** Lists Sandbox's users as its owner with `query`; resolves the answer and its page. */
async function list(query = '', token?: string): Promise<{ answer: Answer; page: Page; emails: unknown[] }> {
  const answer = await callCustomer(mock, 'get-customer-users', { token: token ?? (await bearerOf(mock, OWNER)), query });
  const page = (answer.body as { data: Page }).data;
  return { answer, page, emails: page?.records.map((record) => record.email) };
}

describe('a query value it cannot read → 400 naming the parameter', () => {
  it.each([
    ['?page=0', /^page must be a whole number from 1 to/],
    ['?page=-1', /^page must be/],
    ['?page=1.5', /^page must be/],
    ['?page=abc', /^page must be/],
    ['?items_per_page=0', /^items_per_page must be a whole number from 1 to 100$/],
    ['?items_per_page=101', /^items_per_page must be/],
    ['?page=1&items_per_page=ten', /^items_per_page must be/],
    ['?status=INVITED', /^status must be ACTIVE or INACTIVE$/],
    ['?status=active', /^status must be ACTIVE or INACTIVE$/],
  ])('%s', async (query, reason) => {
    const { answer } = await list(query);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(BAD_REQUEST);
    expect(reasonOf(answer)).toMatch(reason);
  });
});

describe("else 200: the page's shape, built from state", () => {
  it("Sandbox's users only, oldest first: records, total_pages an integer, total_items a string", async () => {
    const { answer, page } = await list();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'success', message: 'Success' });
    expect(page.total_pages).toBe(1);
    expect(page.total_items).toBe('3');
    expect(page.records.map((record) => record.id)).toEqual([OWNER.id, CRO.id, ANALYST.id]);
    const users = await mock.users.list();
    expect(page.records[1]).toMatchObject({
      id: CRO.id,
      first_name: CRO.given_name,
      last_name: CRO.family_name,
      email: CRO.email,
      ext_auth_ref_id: users.find((user) => user.email === CRO.email)?.sub,
      status: 'ACTIVE',
      is_first_login: false,
      is_email_verified: true,
      subrole: { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO', display_name: 'CRO', description: "This is Sandbox's CRO" },
    });
    expect(page.records[0]?.subrole).toMatchObject({ code: 'owner' });
  });

  it("Other Co's owner lists Other Co's users only", async () => {
    const answer = await callCustomer(mock, 'get-customer-users', { token: await bearerOf(mock, OTHER_OWNER), customer: OTHER });
    const data = (answer.body as { data: Page }).data;
    expect(data.records.map((record) => record.email)).toEqual([OTHER_OWNER.email]);
    expect([data.total_pages, data.total_items]).toEqual([1, '1']);
  });

  it('an invited user is listed ACTIVE with is_first_login (never INVITED, outside the by-id enum); a deactivated one INACTIVE', async () => {
    const token = await bearerOf(mock, OWNER);
    const id = await invite(mock, token, 'listed@sandbox.example');
    expect((await callCustomer(mock, 'update-customer-user', { token, user: ANALYST.id, json: { status: 'INACTIVE' } })).status).toBe(200);
    const { page } = await list('', token);
    expect(page.records.find((record) => record.id === id)).toMatchObject({ status: 'ACTIVE', is_first_login: true, is_email_verified: false });
    expect(page.records.find((record) => record.id === ANALYST.id)).toMatchObject({ status: 'INACTIVE' });
    expect(page.total_items).toBe('4');
  });

  it('a user whose sub is not a UUID is listed without ext_auth_ref_id (its format is uuid): valid against the spec', async () => {
    await mock.users.add({ email: 'legacy@sandbox.example', password: 'Legacy-Password-1', sub: 'cognito-legacy-42', customer_id: SANDBOX, subrole: 'cro' });
    const { answer, page } = await list();
    expect(answer.status).toBe(200);
    const legacy = page.records.find((record) => record.email === 'legacy@sandbox.example');
    expect(legacy).toBeDefined();
    expect(legacy).not.toHaveProperty('ext_auth_ref_id');
  });
});

describe('paging: page (from 1) and items_per_page (1–100, default 10)', () => {
  it('two a page over three users: pages 1, 2 and an empty 3; the totals count every user', async () => {
    const first = await list('?items_per_page=2');
    expect(first.emails).toEqual([OWNER.email, CRO.email]);
    expect([first.page.total_pages, first.page.total_items]).toEqual([2, '3']);
    expect(reasonOf(first.answer)).toBe(`2 of 3 users of customer ${SANDBOX}`);
    expect((await list('?items_per_page=2&page=2')).emails).toEqual([ANALYST.email]);
    const past = await list('?items_per_page=2&page=3');
    expect(past.answer.status).toBe(200);
    expect(reasonOf(past.answer)).toBe(`0 of 3 users of customer ${SANDBOX}`);
    expect(past.emails).toEqual([]);
    expect([past.page.total_pages, past.page.total_items]).toEqual([2, '3']);
  });

  it('no user matches: no records, total_pages 0, total_items "0"', async () => {
    const { answer, page } = await list('?search=nobody');
    expect(answer.status).toBe(200);
    expect(page).toEqual({ records: [], total_pages: 0, total_items: '0' });
  });

  it('ten a page by default: twelve users are two pages', async () => {
    const token = await bearerOf(mock, OWNER);
    for (let i = 0; i < 9; i++) await invite(mock, token, `many-${i}@sandbox.example`);
    const first = await list('', token);
    expect(first.page.records).toHaveLength(10);
    expect([first.page.total_pages, first.page.total_items]).toEqual([2, '12']);
    expect((await list('?page=2', token)).emails).toEqual(['many-7@sandbox.example', 'many-8@sandbox.example']);
  });
});

describe('filters: search (first name, last name or email, any case), status, subrole; other parameters left alone', () => {
  it.each([
    ['?search=casey', [CRO.email]],
    ['?search=LYST', [ANALYST.email]],
    ['?search=sandbox.example', [CRO.email, ANALYST.email]],
    ['?search=nobody', []],
    ['?subrole=cro', [CRO.email]],
    ['?subrole=owner', [OWNER.email]],
    ['?subrole=auditor', []],
    ['?status=ACTIVE', [OWNER.email, CRO.email, ANALYST.email]],
    ['?status=INACTIVE', []],
    ['?search=sandbox.example&subrole=risk_analyst', [ANALYST.email]],
    ['?sort=name&customer_type=any', [OWNER.email, CRO.email, ANALYST.email]],
    ['?status=&subrole=&search=&page=&items_per_page= (each left blank: as if absent)', [OWNER.email, CRO.email, ANALYST.email]],
  ])('%s', async (query, emails) => {
    const { page } = await list(query.split(' ')[0]);
    expect(page.records.map((record) => record.email)).toEqual(emails);
    expect(page.total_items).toBe(String(emails.length));
  });

  it('filters count before paging: status=INACTIVE after a deactivation, one a page', async () => {
    const token = await bearerOf(mock, OWNER);
    for (const user of [CRO.id, ANALYST.id]) {
      expect((await callCustomer(mock, 'update-customer-user', { token, user, json: { status: 'INACTIVE' } })).status).toBe(200);
    }
    const first = await list('?status=INACTIVE&items_per_page=1', token);
    expect(first.emails).toEqual([CRO.email]);
    expect([first.page.total_pages, first.page.total_items]).toEqual([2, '2']);
    expect((await list('?status=INACTIVE&items_per_page=1&page=2', token)).emails).toEqual([ANALYST.email]);
  });
});
