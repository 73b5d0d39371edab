import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { answersHold, documented, faultFor, preferFor, send } from '../support/contract-requests.ts';
import { authorization, buildWorld, CALLER_KINDS, type CallerKind, DEMO_CUSTOMER, type Member, signInMember, type World } from '../support/contract-world.ts';
import { control, DEMO, mockOn } from '../support/mock.ts';

// Logout and refresh, with the callers the user-management operations brought: a CRO, a risk analyst, another
// customer's owner, a user deactivated after signing in. Every answer validates against the spec (Prism's validator)
// and each documented status is reached; each caller kind gets what it means (answers.property.test.ts covers the
// token kinds, carriers and bodies of both).

let mock: Mock;
let world: World;
beforeAll(async () => {
  mock = await mockOn();
  world = await buildWorld(mock);
});
afterAll(() => mock.close());

const MEMBERS: Partial<Record<CallerKind, string>> = {
  owner: DEMO.email,
  'owner-access': DEMO.email,
  cro: 'cro@sandbox.example',
  risk: 'risk@sandbox.example',
  other: 'owner@other.example',
};

/** The `Authorization` of `caller`, a new sign-in's (or a new token's) for the kinds a logout ends, so each request logs out its own. */
async function freshAuthorization(caller: CallerKind): Promise<[string, string][]> {
  const email = MEMBERS[caller];
  if (email !== undefined) {
    const signedIn = await signInMember(mock, email);
    return [['authorization', `Bearer ${caller === 'owner-access' ? signedIn.accessToken : signedIn.idToken}`]];
  }
  if (caller === 'minted') {
    const minted = (await control(mock.url, 'POST', '/__mock/tokens', { customer_id: DEMO_CUSTOMER })).body as { idToken: string };
    return [['authorization', `Bearer ${minted.idToken}`]];
  }
  if (caller === 'userless') return [['authorization', `Bearer ${(await mock.issueToken()).idToken}`]];
  return authorization(world, caller);
}

describe('logout and refresh, with every kind of customer user', () => {
  const LOGOUT: Record<CallerKind, number> = {
    owner: 200,
    'owner-access': 200,
    cro: 200,
    minted: 200,
    risk: 200,
    other: 200,
    userless: 200,
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
  it.each(CALLER_KINDS)('logout: a %s caller gets what its kind means', async (caller) => {
    const answer = await send('POST', mock.urls.logout, await freshAuthorization(caller), undefined);
    expect(answer.status).toBe(LOGOUT[caller]);
  });

  const REFRESH: Record<'owner' | 'cro' | 'risk' | 'other' | 'gone' | 'loggedOut', number> = {
    owner: 200,
    cro: 200,
    risk: 200,
    other: 200,
    gone: 401,
    loggedOut: 401,
  };
  it.each(Object.keys(REFRESH) as (keyof typeof REFRESH)[])("refresh: the %s member's refresh token gets what it means", async (name) => {
    const member = world[name] as Member;
    const answer = await send('POST', mock.urls.refresh, [['content-type', 'application/json']], JSON.stringify({ refresh_token: member.refreshToken }));
    expect(answer.status).toBe(REFRESH[name]);
  });

  it('logout: holds over many requests of every caller kind, reaching every documented status', async () => {
    const statuses = documented(mock, 'logout');
    const request = fc.record({ caller: fc.constantFrom(...CALLER_KINDS), prefer: preferFor(statuses), fault: faultFor('logout', statuses) });
    const seen = await answersHold({
      operation: 'logout',
      arbitrary: request,
      numRuns: 150,
      seed: 20261219,
      target: () => mock,
      prepare: (r) => freshAuthorization(r.caller),
      request: (r, target, headers) =>
        send('POST', target.urls.logout, [...headers, ...(r.prefer ? [['prefer', r.prefer] as [string, string]] : [])], undefined),
    });
    expect(seen).toEqual(statuses);
  });

  it("refresh: holds over many requests with every member's refresh token, reaching every documented status", async () => {
    const statuses = documented(mock, 'refresh');
    const request = fc.record({
      member: fc.constantFrom(...(Object.keys(REFRESH) as (keyof typeof REFRESH)[])),
      prefer: preferFor(statuses),
      fault: faultFor('refresh', statuses),
    });
    const seen = await answersHold({
      operation: 'refresh',
      arbitrary: request,
      numRuns: 120,
      seed: 20261220,
      target: () => mock,
      request: (r, target) => {
        const headers: [string, string][] = [['content-type', 'application/json'], ...(r.prefer ? [['prefer', r.prefer] as [string, string]] : [])];
        return send('POST', target.urls.refresh, headers, JSON.stringify({ refresh_token: (world[r.member] as Member).refreshToken }));
      },
    });
    expect(seen).toEqual(statuses);
  });
});
