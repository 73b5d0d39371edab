// The customer operations on two replicas behind one load balancer: one real redis-server, one key set, one issuer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { createKeySet } from '../../src/tokens/keys.ts';
import { bearerOf, CRO, callCustomer, invite, OWNER, reasonOf, SANDBOX, sessionOf, tenantsFile, valid } from '../support/customers.ts';
import { logout, mockOn, refresh } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

const usersFile = tenantsFile();
let redis: RedisServer;
let a: Mock;
let b: Mock;

beforeAll(async () => {
  redis = await startRedis();
  const keys = await createKeySet('RS256');
  const shared = { redis: redis.url, redisPrefix: `customers-${process.pid}`, keys, issuer: 'http://127.0.0.1/load-balancer', usersFile };
  a = await mockOn(shared);
  b = await mockOn(shared);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.dispose();
});

describe('two replicas on one Redis see one state', () => {
  it("a user created on A is listed on B, and its invitation is in B's outbox", async () => {
    const id = await invite(a, await bearerOf(a, OWNER), 'replicated@sandbox.example');
    const list = await callCustomer(b, 'get-customer-users', { token: await bearerOf(b, OWNER), query: '?search=replicated' });
    expect(list.status).toBe(200);
    expect((list.body as { data: { records: { id: string }[] } }).data.records.map((record) => record.id)).toEqual([id]);
    expect(await b.outbox({ recipient: 'replicated@sandbox.example' })).toHaveLength(1);
  });

  it("a deactivation on B makes A answer 401 for the user's tokens at once (its refresh too); reactivated on A, it signs in on B", async () => {
    const session = await sessionOf(a, CRO);
    expect((await callCustomer(a, 'get-customer-users', { token: session.idToken })).status).toBe(200);
    const owner = await bearerOf(b, OWNER);
    const deactivated = await callCustomer(b, 'update-customer-user', { token: owner, user: CRO.id, json: { status: 'INACTIVE' } });
    expect(deactivated.status).toBe(200);

    for (const token of [session.idToken, session.accessToken]) {
      const answer = await callCustomer(a, 'get-customer-users', { token, customer: SANDBOX });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(reasonOf(answer)).toMatch(/deactivated/);
    }
    expect((await valid(await logout(a, { token: session.idToken }), 'logout')).status).toBe(401);
    expect((await valid(await refresh(a, { token: session.refreshToken }), 'refresh')).status).toBe(401);

    const reactivated = await callCustomer(a, 'update-customer-user', { token: await bearerOf(a, OWNER), user: CRO.id, json: { status: 'ACTIVE' } });
    expect(reactivated.status).toBe(200);
    const fresh = await sessionOf(b, CRO);
    expect((await callCustomer(a, 'get-customer-users', { token: fresh.idToken })).status).toBe(200);
    expect((await callCustomer(b, 'get-customer-users', { token: session.idToken })).status).toBe(401);
  });
});
