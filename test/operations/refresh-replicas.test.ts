// The storm detector and rotation on two replicas behind one load balancer: one real redis-server, one key file, one issuer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/services.ts';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { decode } from '../support/crafted.ts';
import { control, DEMO, logout, mockOn, refresh, signedIn, signIn } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

let redis: RedisServer;
let dir: string;
const mocks: Mock[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wam-refresh-replicas-'));
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

let pairs = 0;
/** Two replicas on one Redis prefix, with one key file and issuer, and these options. */
async function replicas(options: MockOptions = {}): Promise<[Mock, Mock]> {
  pairs += 1;
  const shared = {
    redis: redis.url,
    redisPrefix: `refresh-replicas-${process.pid}-${pairs}`,
    keyFile: join(dir, `keys-${pairs}.json`),
    issuer: 'http://127.0.0.1/load-balancer',
    ...options,
  };
  const pair: [Mock, Mock] = [await mockOn(shared), await mockOn(shared)];
  mocks.push(...pair);
  return pair;
}

const sidOf = (idToken: string) => decode(idToken).payload.origin_jti as string;

describe('two replicas on one Redis', () => {
  it('a refresh on A and one on B within the window are one storm: B journals the warning, both count it', async () => {
    const [a, b] = await replicas();
    const { refreshToken, idToken } = signedIn(await signIn(a, { json: DEMO }));
    const sid = sidOf(idToken);
    expect((await refresh(a, { token: refreshToken })).status).toBe(200);
    expect((await refresh(b, { token: refreshToken })).status).toBe(200);
    const warned = await a.requests({ warned: true });
    expect(warned.map((e) => e.warning)).toEqual([expect.stringMatching(new RegExp(`^refresh storm: sign-in ${sid} refreshed 2 times in `))]);
    for (const replica of [a, b]) {
      const { signIns } = (await control(replica.url, 'GET', '/__mock/sessions')).body as SessionsView;
      expect(signIns.find((s) => s.sid === sid)).toMatchObject({ refreshes: 2, storms: 1 });
    }
    await expect(b.expectNoRefreshStorms()).rejects.toThrow(new RegExp(`sign-in ${sid} refreshed 2 times`));
  });

  it('with rotation, a refresh on A and its reuse on B: B refuses it as reused; the current token refreshes on either', async () => {
    const [a, b] = await replicas({ refreshRotation: true });
    const first = signedIn(await signIn(a, { json: DEMO }));
    const renewed = await refresh(a, { token: first.refreshToken });
    const current = (renewed.body as { data: { refresh_token: string } }).data.refresh_token;
    const reused = await refresh(b, { token: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.headers.get('x-mock-reason')).toMatch(/^refresh token reused \(superseded by rotation .* ago, grace 0 s\): refused;/);
    expect((await refresh(b, { token: current })).status).toBe(200);
  });

  it('with rotation and a grace, the reuse on B within it refreshes; racing replicas rotate one token exactly once', async () => {
    const [a, b] = await replicas({ refreshRotation: true, refreshGraceSeconds: 30 });
    const first = signedIn(await signIn(a, { json: DEMO }));
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => refresh(i % 2 ? a : b, { token: first.refreshToken })));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const reasons = answers.map((answer) => answer.headers.get('x-mock-reason') ?? '');
    expect(reasons.filter((reason) => reason.endsWith('(rotation: a new refresh token, #1)'))).toHaveLength(1);
    expect(reasons.filter((reason) => reason.includes('within its 30 s grace; the current one, #1, again'))).toHaveLength(5);
    expect(await a.refreshes({ sid: sidOf(first.idToken) })).toEqual([expect.objectContaining({ refreshes: 6, storms: 1, generation: 1 })]);
  });

  it('with --refresh-reuse revoke, a reuse on B revokes the sign-in on A too: its current refresh token and its tokens answer 401', async () => {
    const [a, b] = await replicas({ refreshRotation: true, refreshReuse: 'revoke' });
    const first = signedIn(await signIn(a, { json: DEMO }));
    const renewed = (await refresh(a, { token: first.refreshToken })).body as { data: { refresh_token: string; id_token: string } };
    expect((await refresh(b, { token: first.refreshToken })).headers.get('x-mock-reason')).toMatch(
      /revoked, all its tokens now answer 401 \(--refresh-reuse revoke\)$/,
    );
    expect((await refresh(a, { token: renewed.data.refresh_token })).headers.get('x-mock-reason')).toBe(
      'refresh token has been revoked: its sign-in logged out',
    );
    expect((await logout(a, { token: renewed.data.id_token })).status).toBe(401);
  });
});
