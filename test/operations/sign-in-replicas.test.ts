// Sign-in and refresh on two replicas behind one load balancer: one real redis-server, one key file, one issuer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { decode } from '../support/crafted.ts';
import { DEMO, logout, mockOn, refresh, signedIn, signIn } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

let redis: RedisServer;
let dir: string;
let a: Mock;
let b: Mock;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wam-sign-in-replicas-'));
  redis = await startRedis();
  const shared = { redis: redis.url, redisPrefix: `sign-in-${process.pid}`, keyFile: join(dir, 'keys.json'), issuer: 'http://127.0.0.1/load-balancer' };
  a = await mockOn(shared);
  b = await mockOn(shared);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('two replicas on one Redis', () => {
  it('a user added on one signs in on the other; removed on the other, it no longer does', async () => {
    await a.users.add({ email: 'rae@shop.example', password: 'Rae-Password-1' });
    expect((await signIn(b, { json: { email: 'rae@shop.example', password: 'Rae-Password-1' } })).status).toBe(200);
    await b.users.remove('rae@shop.example');
    expect((await signIn(a, { json: { email: 'rae@shop.example', password: 'Rae-Password-1' } })).status).toBe(400);
  });

  it('sign in on one, refresh on the other, log out on the other: the refresh token is refused on the first', async () => {
    const session = signedIn(await signIn(a, { json: DEMO }));
    const renewed = await refresh(b, { token: session.refreshToken });
    expect(renewed.status).toBe(200);
    const { id_token: idToken } = (renewed.body as { data: { id_token: string } }).data;
    expect(decode(idToken).payload.origin_jti).toBe(decode(session.idToken).payload.origin_jti);
    expect((await logout(b, { token: idToken })).status).toBe(200);
    const refused = await refresh(a, { token: session.refreshToken });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-mock-reason')).toMatch(/revoked/);
  });

  it('a sign-in fault armed on one fires on the other, once', async () => {
    const fault = await a.faults.arm({ status: 500, match: { operation: 'sign-in' } });
    const hit = await signIn(b, { json: DEMO });
    expect(hit.status).toBe(500);
    expect(hit.headers.get('x-mock-fault')).toBe(fault.id);
    expect((await signIn(a, { json: DEMO })).status).toBe(200);
  });

  it('a sign-in expired on one is expired on the other; its refresh still works there', async () => {
    const session = signedIn(await signIn(a, { json: DEMO }));
    await a.expireSignIn(decode(session.idToken).payload.origin_jti as string);
    const refused = await logout(b, { token: session.idToken });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-mock-reason')).toMatch(/expired/);
    expect((await refresh(b, { token: session.refreshToken })).status).toBe(200);
  });
});
