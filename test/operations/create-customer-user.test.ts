import { describe, expect, it } from 'vitest';
import {
  ANALYST,
  accept,
  bearerOf,
  CRO,
  callCustomer,
  invite,
  newUser,
  OTHER,
  OTHER_OWNER,
  OWNER,
  reasonOf,
  SANDBOX,
  useTenants,
  valid,
} from '../support/customers.ts';
import { signIn } from '../support/mock.ts';

/**
 * Create Customer User (`POST /customers/{customerID}/users`) after the shared rows (customer-users.test.ts): the body
 * against its schema → 400 naming the field; a subrole the customer does not give → 400; a duplicate email (any case,
 * any customer) → the page's 400; else the user is invited. Every answer is checked against the spec.
 */

const DUPLICATE = {
  status: 'fail',
  message: 'Another customer user exists with the same email.',
  errorCode: 'INVALID',
  data: { errorName: 'CustomersApiError' },
};
const CRO_SUBROLE = { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO' };

const CRO_MISCODED = { ...CRO_SUBROLE, code: 'risk_analyst' };

const mock = useTenants();

/** A create as Sandbox's owner. */
async function create(init: { json?: unknown; body?: string; headers?: Record<string, string>; customer?: string; token?: string }) {
  return callCustomer(mock, 'create-customer-user', { token: init.token ?? (await bearerOf(mock, OWNER)), ...init });
}

describe("the body against its schema → 400 naming the field (the page's 400 shape, its message the field)", () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    ['no body', {}, /body is required/],
    ['a body that is not JSON', { body: 'first_name=Nia', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, /must be JSON/],
    ['a JSON array', { json: [newUser('a@sandbox.example')] }, /JSON object/],
    ['no first_name', { json: { ...newUser('a@sandbox.example'), first_name: undefined } }, /^first_name is required$/],
    ['no email', { json: { ...newUser('a@sandbox.example'), email: undefined } }, /^email is required$/],
    ['no subrole', { json: { ...newUser('a@sandbox.example'), subrole: undefined } }, /^subrole is required$/],
    ['a subrole without its label', { json: newUser('a@sandbox.example', { subrole: { id: CRO_SUBROLE.id, code: 'cro' } }) }, /^subrole\.label is required$/],
    ['an email that is no address', { json: newUser('not-an-email') }, /^email must match format "email"$/],
    ['a last_name that is a number', { json: newUser('a@sandbox.example', { last_name: 7 }) }, /^last_name must be string$/],
    ['a subrole that is a string', { json: newUser('a@sandbox.example', { subrole: 'cro' }) }, /^subrole must be object$/],
  ])('%s', async (_name, init, reason) => {
    const answer = await create(init);
    expect(answer.status).toBe(400);
    expect(reasonOf(answer)).toMatch(reason);
    expect(answer.body).toEqual({ ...DUPLICATE, message: reasonOf(answer) });
    expect(await mock.outbox()).toEqual([]);
  });

  it('a body declared JSON that does not parse → 400 naming it (the shared malformed row, before the token is read)', async () => {
    for (const token of [undefined, await bearerOf(mock, OWNER)]) {
      const answer = await callCustomer(mock, 'create-customer-user', { token, body: '{"first_name":', headers: json });
      expect(answer.status).toBe(400);
      expect(reasonOf(answer)).toMatch(/^body is declared JSON but does not parse/);
    }
  });

  // Create's 400 example says the email is taken: the shared steps' 400s carry their own reason (badRequestMessage).
  it("… and its message is the true reason, not the page's duplicate-email message", async () => {
    const answer = await callCustomer(mock, 'create-customer-user', { body: '{"first_name":', headers: json });
    expect((answer.body as { message: string }).message).toBe(reasonOf(answer));
  });
});

describe('a subrole the customer does not give its users → 400 naming it', () => {
  it.each([
    [
      "owner (the account holder's, never given)",
      { id: '00000000-0000-4000-8000-000000000002', code: 'owner', label: 'Owner' },
      /^subrole is not one customer/,
    ],
    ['a code the customer has not', { id: crypto.randomUUID(), code: 'auditor', label: 'Auditor' }, /^subrole is not one customer/],
    ["Other Co's cro (an id of another customer)", 'other-cro', /^subrole is not one customer/],
    ["cro's id with risk_analyst's code", CRO_MISCODED, /^subrole\.code risk_analyst is not the code of subrole/],
  ])('%s', async (_name, given, reason) => {
    let subrole = given;
    if (given === 'other-cro') {
      const otherToken = await bearerOf(mock, OTHER_OWNER);
      const listed = await callCustomer(mock, 'get-customer-subroles', { token: otherToken, customer: OTHER });
      subrole = { ...(listed.body as { data: { id: string }[] }).data[0], label: 'CRO' } as typeof CRO_SUBROLE;
      expect((subrole as typeof CRO_SUBROLE).id).not.toBe(CRO_SUBROLE.id);
    }
    const answer = await create({ json: newUser('sub@sandbox.example', { subrole }) });
    expect(answer.status).toBe(400);
    expect(reasonOf(answer)).toMatch(reason);
    if (given !== CRO_MISCODED) expect(reasonOf(answer)).toContain(`it has cro (${CRO_SUBROLE.id}), risk_analyst (00000000-0000-4000-8000-000000000009)`);
    expect((answer.body as { message: string }).message).toBe(reasonOf(answer));
  });
});

describe("an email some user of the mock has, in any case → the page's 400 (Another customer user exists with the same email.)", () => {
  it.each([
    ["a Sandbox user's, as stored", CRO.email],
    ["a Sandbox user's, in another case", 'CRO@Sandbox.Example'],
    ["Other Co's owner's (emails are unique across the mock)", OTHER_OWNER.email],
    ["an invited user's, in another case", 'INVITED@sandbox.example'],
  ])('%s', async (_name, email) => {
    await invite(mock, await bearerOf(mock, OWNER), 'invited@sandbox.example');
    const before = await mock.users.list();
    const answer = await create({ json: newUser(email) });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(DUPLICATE);
    expect(await mock.users.list()).toEqual(before);
    expect(await mock.outbox()).toHaveLength(1);
  });

  it('two creates of one new email at once: one 200, one 400', async () => {
    const token = await bearerOf(mock, OWNER);
    const answers = await Promise.all([create({ token, json: newUser('race@sandbox.example') }), create({ token, json: newUser('RACE@sandbox.example') })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(await mock.outbox({ recipient: 'race@sandbox.example' })).toHaveLength(1);
  });
});

describe('else 200: the new user is invited', () => {
  it('answers its user_id; it is listed, is_first_login, not verified, ACTIVE, with the subrole, mobile and creator given', async () => {
    const answer = await create({ json: newUser('Nia.Newman@Sandbox.example', { mobile: '+15550100' }) });
    expect(answer.status).toBe(200);
    const { status, message, data } = answer.body as { status: string; message: string; data: { user_id: string } };
    expect([status, message]).toEqual(['success', 'Customer user created.']);
    expect(reasonOf(answer)).toBe(`created user ${data.user_id} of customer ${SANDBOX}, invited`);

    const token = await bearerOf(mock, OWNER);
    const one = await callCustomer(mock, 'get-customer-user', { token, user: data.user_id });
    expect((one.body as { data: unknown }).data).toMatchObject({
      id: data.user_id,
      first_name: 'Nia',
      last_name: 'Newman',
      email: 'nia.newman@sandbox.example',
      mobile: '+15550100',
      is_first_login: true,
      is_email_verified: false,
      status: 'ACTIVE',
      created_by: OWNER.id,
      updated_by: OWNER.id,
      subrole: { id: CRO_SUBROLE.id, code: 'cro', role_id: 2 },
      company_details: { id: SANDBOX, name: 'Sandbox' },
    });
    const list = await callCustomer(mock, 'get-customer-users', { token });
    const records = (list.body as { data: { records: { id: string }[] } }).data.records;
    expect(records.map((record) => record.id)).toEqual([OWNER.id, CRO.id, ANALYST.id, data.user_id]);
    // Made at run time: `users list` says "added (reset forgets)".
    expect((await mock.users.list()).find((user) => user.id === data.user_id)?.source).toBe('runtime');
  });

  it("made with a minted token of no user: its creator is the id token's custom:id when that is a UUID, else none is named", async () => {
    const creator = crypto.randomUUID();
    const made: Record<string, unknown>[] = [];
    for (const id of [creator, 'not-a-uuid']) {
      const { idToken } = await mock.issueToken({ sub: crypto.randomUUID(), customer_id: SANDBOX, claims: { 'custom:id': id } });
      const answer = await create({ token: idToken, json: newUser(`minted-${made.length}@sandbox.example`) });
      expect(answer.status, reasonOf(answer)).toBe(200);
      const { user_id } = (answer.body as { data: { user_id: string } }).data;
      const one = await callCustomer(mock, 'get-customer-user', { token: await bearerOf(mock, OWNER), user: user_id });
      made.push((one.body as { data: Record<string, unknown> }).data);
    }
    expect(made[0]).toMatchObject({ created_by: creator, updated_by: creator });
    expect(made[1]).not.toHaveProperty('created_by');
    expect(made[1]).not.toHaveProperty('updated_by');
  });

  it('it has no password: no sign-in as it works (each answers as a wrong password), until it accepts the invitation', async () => {
    await invite(mock, await bearerOf(mock, OWNER), 'nopass@sandbox.example');
    const wrong = await valid(await signIn(mock, { json: { email: 'nobody@sandbox.example', password: 'Any-Password-1' } }), 'sign-in');
    for (const password of ['', 'Any-Password-1', 'undefined', 'null']) {
      const answer = await valid(await signIn(mock, { json: { email: 'nopass@sandbox.example', password } }), 'sign-in');
      expect([answer.status, answer.body]).toEqual([wrong.status, wrong.body]);
    }
  });

  it('an invitation to it is in the outbox: its link carries its token, which accepts it; then it signs in', async () => {
    const id = await invite(mock, await bearerOf(mock, CRO), 'mailed@sandbox.example');
    const [mail, ...more] = await mock.outbox();
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ kind: 'invitation', recipient: 'mailed@sandbox.example' });
    expect(mail?.link).toBe(`${mock.config.appUrl.replace(/\/+$/, '')}/invite/${mail?.token}`);
    const accepted = await accept(mock, mail?.token as string, 'Mailed-Password-1!');
    expect(accepted.status).toBe(200);
    const signedIn = await valid(await signIn(mock, { json: { email: 'mailed@sandbox.example', password: 'Mailed-Password-1!' } }), 'sign-in');
    expect(signedIn.status).toBe(200);
    const user = (await mock.users.list()).find((each) => each.id === id);
    expect(user).toMatchObject({ is_first_login: false, is_email_verified: true, subrole: 'cro', customer_id: SANDBOX });
  });

  it('a risk_analyst subrole by its id, code and label: the user gets that subrole and its permissions (no customer_user:read)', async () => {
    const id = await invite(mock, await bearerOf(mock, OWNER), 'analyst2@sandbox.example', {
      subrole: { id: '00000000-0000-4000-8000-000000000009', code: 'risk_analyst', label: 'Risk Analyst' },
    });
    const user = (await mock.users.list()).find((each) => each.id === id);
    expect(user?.subrole).toBe('risk_analyst');
    expect(user?.permissions).not.toContain('customer_user:read');
  });
});

describe('--bad-request-code: every 400 of create carries it, whatever its message', () => {
  const coded = useTenants({ badRequestCode: 'BAD_INPUT' });

  it.each([
    ['the body against its schema', { json: { email: 'x@sandbox.example' } }],
    ['a body that does not parse (a shared step)', { body: '{"first_name":', headers: { 'content-type': 'application/json' } }],
    ['a subrole the customer does not give', { json: newUser('s@sandbox.example', { subrole: { ...CRO_SUBROLE, code: 'auditor' } }) }],
    ['a duplicate email', { json: newUser(OWNER.email) }],
  ])('%s', async (_name, init) => {
    const answer = await callCustomer(coded, 'create-customer-user', { token: await bearerOf(coded, OWNER), ...init });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 'fail', errorCode: 'BAD_INPUT', data: { errorName: 'CustomersApiError' } });
    await valid(answer, 'create-customer-user');
  });
});
