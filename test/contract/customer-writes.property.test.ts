import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import {
  answersHold,
  BODY_SHAPE,
  type BodyShape,
  bodyOf,
  CONTENT_TYPE,
  documented,
  faultFor,
  fieldsOf,
  GARBAGE,
  pathOf,
  preferFor,
  send,
} from '../support/contract-requests.ts';
import {
  authorization,
  buildWorld,
  CALLER,
  type CallerKind,
  CUSTOMER,
  DEMO_CUSTOMER,
  DEMO_SUBROLES,
  invite,
  ODD_ID,
  OTHER_CUSTOMER,
  WORLD_PASSWORD,
  type World,
} from '../support/contract-world.ts';
import { type Answer, DEMO, mockOn } from '../support/mock.ts';

// Every answer of the three `/customers/…` writes validates against the spec (Prism's validator), over requests that
// mix every kind of caller, customer and user in the path, bodies (valid, fields missing or of the wrong type, not
// JSON, not an object), `Prefer` overrides and armed faults; each documented status of each is reached, and the
// decisions that change state (a user made, deactivated, invited again) really happen.

let mock: Mock;
let world: World;
beforeAll(async () => {
  mock = await mockOn();
  world = await buildWorld(mock);
});
afterAll(() => mock.close());

/** What the mock said it did (`X-Mock-Reason`), for the decisions each test must see happen, not only be forced. */
const reasonOf = (answer: Answer): string => answer.headers.get('x-mock-reason') ?? '';

/** An email: one no user has, one the demo owner has (in another case), not an email, not a string. */
const EMAIL = fc.constantFrom<unknown>('fresh', 'fresh', 'fresh', 'taken', 'taken-case', 'not-an-email', 42);
const emailOf = (choice: unknown): unknown =>
  choice === 'fresh' ? `new-${randomUUID()}@sandbox.example` : choice === 'taken' ? DEMO.email : choice === 'taken-case' ? 'Customer@Example.COM' : choice;

/** A subrole: each the demo customer gives, its owner (not given), an unknown id, one without an id, a code and id that disagree, not an object. */
const SUBROLE = fc.constantFrom<unknown>('cro', 'cro', 'risk_analyst', 'owner', 'unknown-id', 'code-only', 'mismatch', 'string');
const subroleOf = (choice: unknown): unknown =>
  ({
    cro: DEMO_SUBROLES.cro,
    risk_analyst: DEMO_SUBROLES.risk_analyst,
    owner: DEMO_SUBROLES.owner,
    'unknown-id': { id: randomUUID(), code: 'cro', label: 'CRO' },
    'code-only': { code: 'cro', label: 'CRO' },
    mismatch: { ...DEMO_SUBROLES.cro, code: 'risk_analyst' },
    string: 'cro',
  })[choice as string];

/** The headers of a request: its caller's, its content type (when it has a body), its `Prefer`. */
function headersOf(r: { caller: CallerKind; prefer: string | undefined; contentType?: string | undefined }, body: string | undefined): [string, string][] {
  const headers = authorization(world, r.caller);
  if (r.contentType && body !== undefined) headers.push(['content-type', r.contentType]);
  if (r.prefer) headers.push(['prefer', r.prefer]);
  return headers;
}

/** A user added for one request, so a request that deactivates or renames it changes no one the other requests rely on. */
async function freshUser(customer: string): Promise<string> {
  const email = `victim-${randomUUID()}@${customer === OTHER_CUSTOMER ? 'other' : 'sandbox'}.example`;
  const subrole = customer === OTHER_CUSTOMER ? 'owner' : 'risk_analyst';
  return (await mock.users.add({ email, password: WORLD_PASSWORD, customer_id: customer, subrole })).id;
}

describe('every answer of the /customers/… writes validates against the spec (Prism)', () => {
  it('create-customer-user: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'create-customer-user');
    // Half the bodies keep the schema (a client that works), the others are anything: fields missing, of the wrong type, not JSON.
    const valid = fc.record({
      fields: fc.record({
        first_name: fc.constant<unknown>('Ada'),
        last_name: fc.constant<unknown>('Lovelace'),
        email: fc.constantFrom<unknown>('fresh', 'fresh', 'taken', 'taken-case'),
        mobile: fc.constantFrom<unknown>(undefined, '+15555550100'),
        subrole: fc.constantFrom<unknown>('cro', 'risk_analyst'),
      }),
      shape: fc.constant<BodyShape>('object'),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    });
    const any = fc.record({
      fields: fc.record({
        first_name: fc.constantFrom<unknown>('Ada', '', 42, null, undefined),
        last_name: fc.constantFrom<unknown>('Lovelace', [], true, undefined),
        email: fc.oneof(EMAIL, fc.constant(undefined)),
        mobile: fc.constantFrom<unknown>(undefined, '+15555550100', 5555550100, null),
        subrole: fc.oneof(SUBROLE, fc.constant(undefined)),
      }),
      shape: BODY_SHAPE,
      contentType: CONTENT_TYPE,
    });
    const request = fc.record({
      caller: CALLER,
      customer: CUSTOMER,
      body: fc.oneof(valid, any),
      garbage: GARBAGE,
      prefer: preferFor(statuses),
      fault: faultFor('create-customer-user', statuses),
    });
    const reasons: string[] = [];
    const seen = await answersHold({
      operation: 'create-customer-user',
      arbitrary: request,
      numRuns: 250,
      seed: 20261213,
      target: () => mock,
      request: (r, target) => {
        const given = r.body.fields;
        const fields = fieldsOf({ ...given, email: emailOf(given.email), subrole: subroleOf(given.subrole) });
        const body = bodyOf(r.body.shape, fields, r.garbage);
        const headers = headersOf({ ...r, contentType: r.body.contentType }, body);
        return send('POST', pathOf(target.urls['create-customer-user'], { customerID: r.customer }), headers, body);
      },
      seen: (answer) => reasons.push(reasonOf(answer)),
    });
    expect(seen).toEqual(statuses);
    // Users were really made, and a duplicate email really refused (not only forced).
    expect(reasons.some((reason) => reason.startsWith('created user'))).toBe(true);
    expect(reasons.some((reason) => reason.startsWith('another user has the email'))).toBe(true);
  });

  it('update-customer-user: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'update-customer-user');
    const request = fc.record({
      caller: CALLER,
      customer: CUSTOMER,
      user: fc.constantFrom('victim', 'victim', 'victim', 'other-victim', 'invited', 'unknown', 'odd'),
      odd: ODD_ID,
      body: fc.oneof(
        // A patch that keeps the schema (some of the fields, each a value the schema takes), or anything.
        fc.record({
          patch: fc.record(
            {
              first_name: fc.constant<unknown>('Grace'),
              email: fc.constantFrom<unknown>('fresh', 'taken'),
              mobile: fc.constant<unknown>('+15555550101'),
              subrole: fc.constantFrom<unknown>('cro', 'risk_analyst'),
              status: fc.constantFrom<unknown>('ACTIVE', 'INACTIVE'),
            },
            { requiredKeys: [] },
          ),
          shape: fc.constant<BodyShape>('object'),
          contentType: fc.constant('application/json'),
        }),
        fc.record({
          patch: fc.record(
            {
              first_name: fc.constantFrom<unknown>('Grace', '', 7),
              last_name: fc.constantFrom<unknown>('Hopper', null),
              email: EMAIL,
              mobile: fc.constantFrom<unknown>('+15555550101', false),
              subrole: SUBROLE,
              status: fc.constantFrom<unknown>('ACTIVE', 'INACTIVE', 'INVITED', 1),
            },
            { requiredKeys: [] },
          ),
          shape: BODY_SHAPE,
          contentType: CONTENT_TYPE,
        }),
      ),
      garbage: GARBAGE,
      prefer: preferFor(statuses),
      fault: faultFor('update-customer-user', statuses),
    });
    const reasons: string[] = [];
    const seen = await answersHold({
      operation: 'update-customer-user',
      arbitrary: request,
      numRuns: 250,
      seed: 20261214,
      target: () => mock,
      prepare: (r) =>
        ({
          victim: () => freshUser(DEMO_CUSTOMER),
          'other-victim': () => freshUser(OTHER_CUSTOMER),
          invited: async () => (await invite(mock, world.tokens.owner)).id,
          unknown: async () => randomUUID(),
          odd: async () => r.odd,
        })[r.user](),
      request: (r, target, userID) => {
        const given = r.body.patch;
        const patch = {
          ...given,
          ...('email' in given ? { email: emailOf(given.email) } : {}),
          ...('subrole' in given ? { subrole: subroleOf(given.subrole) } : {}),
        };
        const body = bodyOf(r.body.shape, patch, r.garbage);
        const url = pathOf(target.urls['update-customer-user'], { customerID: r.customer, userID });
        return send('PATCH', url, headersOf({ ...r, contentType: r.body.contentType }, body), body);
      },
      seen: (answer) => reasons.push(reasonOf(answer)),
    });
    expect(seen).toEqual(statuses);
    // Users were really updated and deactivated, and an unknown one really not found (not only forced).
    expect(reasons.some((reason) => reason.endsWith('deactivated, its sign-ins ended'))).toBe(true);
    expect(reasons.some((reason) => /^customer \S+ has no user/.test(reason))).toBe(true);
  });

  it('resend-invitation: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'resend-invitation');
    const request = fc.record({
      caller: CALLER,
      customer: CUSTOMER,
      user: fc.constantFrom('invited', 'invited', 'invited', 'onboarded', 'deactivated', 'other', 'unknown', 'odd'),
      odd: ODD_ID,
      // The operation takes no body: one sent anyway is not read.
      body: fc.option(GARBAGE, { nil: undefined, freq: 4 }),
      prefer: preferFor(statuses),
      fault: faultFor('resend-invitation', statuses),
    });
    const reasons: string[] = [];
    const seen = await answersHold({
      operation: 'resend-invitation',
      arbitrary: request,
      numRuns: 200,
      seed: 20261215,
      target: () => mock,
      prepare: async (r) =>
        ({
          invited: async () => (await invite(mock, world.tokens.owner)).id,
          onboarded: async () => world.cro.id,
          deactivated: async () => world.gone.id,
          other: async () => world.other.id,
          unknown: async () => randomUUID(),
          odd: async () => r.odd,
        })[r.user](),
      request: (r, target, userID) => {
        const body = r.body === undefined ? undefined : JSON.stringify(r.body);
        const url = pathOf(target.urls['resend-invitation'], { customerID: r.customer, userID });
        return send('POST', url, headersOf({ ...r, contentType: 'application/json' }, body), body);
      },
      seen: (answer) => reasons.push(reasonOf(answer)),
    });
    expect(seen).toEqual(statuses);
    // Invitations really went out again, and an onboarded user was really refused (not only forced).
    expect(reasons.some((reason) => reason.startsWith('new invitation for user'))).toBe(true);
    expect(reasons.some((reason) => reason.endsWith('has accepted its invitation'))).toBe(true);
  });
});
