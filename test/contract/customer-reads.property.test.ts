import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { answersHold, documented, faultFor, pathOf, preferFor, send } from '../support/contract-requests.ts';
import { authorization, buildWorld, CALLER, CALLER_KINDS, type CallerKind, CUSTOMER, DEMO_CUSTOMER, ODD_ID, type World } from '../support/contract-world.ts';
import { mockOn } from '../support/mock.ts';

// Every answer of the three `/customers/…` reads validates against the spec (Prism's validator), over requests that
// mix every kind of caller, customer and user in the path, query values, `Prefer` overrides and armed faults; each
// documented status of each is reached.

let mock: Mock;
let world: World;
beforeAll(async () => {
  mock = await mockOn();
  world = await buildWorld(mock);
});
afterAll(() => mock.close());

/** The `{userID}` of a path: a member of the demo customer, the invited one, the other customer's owner, an unknown uuid, no id. */
const USER = () =>
  fc.oneof(
    { arbitrary: fc.constantFrom(world.owner.id, world.cro.id, world.invited.id, world.invited.id, world.gone.id), weight: 4 },
    { arbitrary: fc.constant(world.other.id), weight: 1 },
    { arbitrary: fc.uuid({ version: 4 }), weight: 1 },
    { arbitrary: ODD_ID, weight: 1 },
  );

/** Query pairs a user-management screen (or anyone) may send the list: paging, filters, values it cannot read, anything. */
const QUERY = fc.array(
  fc.oneof(
    fc.tuple(fc.constant('page'), fc.constantFrom('1', '2', '0', '-1', 'abc', '1000000', '99999999')),
    fc.tuple(fc.constant('items_per_page'), fc.constantFrom('1', '2', '10', '100', '101', '0', 'x')),
    fc.tuple(fc.constant('status'), fc.constantFrom('ACTIVE', 'INACTIVE', 'INVITED', '')),
    fc.tuple(fc.constant('subrole'), fc.constantFrom('cro', 'risk_analyst', 'owner', 'nope')),
    fc.tuple(fc.constant('search'), fc.constantFrom('sandbox', 'WORLD', 'example', '', 'zzz')),
    fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
  ),
  { maxLength: 3 },
);

const headersOf = (r: { caller: CallerKind; prefer: string | undefined }): [string, string][] => [
  ...authorization(world, r.caller),
  ...(r.prefer ? [['prefer', r.prefer] as [string, string]] : []),
];

describe('every answer of the /customers/… reads validates against the spec (Prism)', () => {
  // What each caller kind means, on the demo customer's list: the generators below rely on it.
  const MEANS: Record<CallerKind, number> = {
    owner: 200,
    'owner-access': 200,
    cro: 200,
    minted: 200,
    risk: 403,
    other: 403,
    userless: 403,
    'non-customer': 403,
    expired: 401,
    revoked: 401,
    deactivated: 401,
    'bad-signature': 401,
    'alg-none': 401,
    'wrong-issuer': 401,
    junk: 401,
    none: 401,
    'two-bearers': 401,
    basic: 401,
  };
  it.each(CALLER_KINDS)('a %s caller gets what its kind means', async (caller) => {
    const answer = await send('GET', pathOf(mock.urls['get-customer-users'], { customerID: DEMO_CUSTOMER }), authorization(world, caller), undefined);
    expect(answer.status).toBe(MEANS[caller]);
  });

  it('get-customer-users: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'get-customer-users');
    const request = fc.record({
      caller: CALLER,
      customer: CUSTOMER,
      query: QUERY,
      prefer: preferFor(statuses),
      fault: faultFor('get-customer-users', statuses),
    });
    let listed = 0;
    const seen = await answersHold({
      operation: 'get-customer-users',
      arbitrary: request,
      numRuns: 200,
      seed: 20261210,
      target: () => mock,
      request: (r, target) => {
        const query = new URLSearchParams(r.query).toString();
        const url = `${pathOf(target.urls['get-customer-users'], { customerID: r.customer })}${query ? `?${query}` : ''}`;
        return send('GET', url, headersOf(r), undefined);
      },
      seen: (answer) => {
        const records = (answer.body as { data?: { records?: unknown[] } } | undefined)?.data?.records;
        if (answer.status === 200 && (records?.length ?? 0) > 0) listed += 1;
      },
    });
    expect(seen).toEqual(statuses);
    // Real lists were answered, not only empty pages.
    expect(listed).toBeGreaterThan(0);
  });

  it('get-customer-user: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'get-customer-user');
    const request = fc.record({
      caller: CALLER,
      customer: CUSTOMER,
      user: USER(),
      prefer: preferFor(statuses),
      fault: faultFor('get-customer-user', statuses),
    });
    const seen = await answersHold({
      operation: 'get-customer-user',
      arbitrary: request,
      numRuns: 200,
      seed: 20261211,
      target: () => mock,
      request: (r, target) => send('GET', pathOf(target.urls['get-customer-user'], { customerID: r.customer, userID: r.user }), headersOf(r), undefined),
    });
    expect(seen).toEqual(statuses);
  });

  it('get-customer-subroles: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'get-customer-subroles');
    const request = fc.record({
      caller: CALLER,
      customer: CUSTOMER,
      prefer: preferFor(statuses),
      fault: faultFor('get-customer-subroles', statuses),
    });
    const seen = await answersHold({
      operation: 'get-customer-subroles',
      arbitrary: request,
      numRuns: 150,
      seed: 20261212,
      target: () => mock,
      request: (r, target) => send('GET', pathOf(target.urls['get-customer-subroles'], { customerID: r.customer }), headersOf(r), undefined),
    });
    expect(seen).toEqual(statuses);
  });
});
