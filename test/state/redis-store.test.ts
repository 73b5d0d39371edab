// Replicas on one real redis-server: what a team behind a load balancer sees, and what happens when Redis goes away.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { runCli } from '../support/cli.ts';
import { logout, mockOn, violations } from '../support/mock.ts';
import { freePort, type RedisServer, startRedis } from '../support/redis.ts';

let redis: RedisServer;
let dir: string;
let n = 0;
const mocks: Mock[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wam-redis-test-'));
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});
afterAll(async () => {
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** What replicas behind one load balancer share: the issuer their tokens name (by default each would name its own URL). */
const ISSUER = 'http://127.0.0.1/load-balancer';

/** Two replicas as a team runs them: one Redis, one prefix, one key file, one issuer. */
async function replicas(options: MockOptions = {}): Promise<[Mock, Mock]> {
  const shared = { redis: redis.url, redisPrefix: `replicas-${process.pid}-${++n}`, keyFile: join(dir, `key-${n}.json`), issuer: ISSUER, ...options };
  const a = await mockOn(shared);
  mocks.push(a);
  const b = await mockOn(shared);
  mocks.push(b);
  return [a, b];
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two mocks on one Redis', () => {
  it('honour a logout made on either: the other answers 401', async () => {
    const [a, b] = await replicas();
    const { token } = await a.issueToken();
    expect((await logout(b, { token })).status).toBe(200);
    expect((await logout(a, { token })).status).toBe(401);
    expect((await logout(b, { token })).status).toBe(401);
    const sessions = await b.tokens();
    expect(sessions.filter((s) => s.status === 'logged-out')).toHaveLength(2);
  });

  it('give 200 to exactly one of 20 concurrent logouts of one token spread over both', async () => {
    const [a, b] = await replicas();
    const { token } = await b.issueToken();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => logout(i % 2 ? a : b, { token })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(401)]);
  });

  it('fire a fault armed on one replica on the other, exactly once under concurrent load', async () => {
    const [a, b] = await replicas();
    const armed = await a.faults.arm({ status: 500 });
    const first = await b.issueToken();
    const hit = await logout(b, { token: first.token });
    expect(hit.status).toBe(500);
    expect(hit.headers.get('x-mock-fault')).toBe(armed.id);
    expect((await logout(a, { token: (await a.issueToken()).token })).status).toBe(200);

    const again = await b.faults.arm({ status: 403, times: 2 });
    const tokens = await Promise.all(Array.from({ length: 24 }, () => a.issueToken()));
    const answers = await Promise.all(tokens.map(({ token }, i) => logout(i % 2 ? a : b, { token })));
    const faulted = answers.filter((r) => r.headers.get('x-mock-fault') === again.id);
    expect(faulted.map((r) => r.status)).toEqual([403, 403]);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(22);
    expect(await a.faults.list()).toEqual([]);
    expect(await b.faults.list()).toEqual([]);
  });

  it('share one journal, capped at journalSize', async () => {
    const [a, b] = await replicas({ journalSize: 5 });
    const { token, claims } = await a.issueToken({ sub: 'journal-sub' });
    await logout(a, { token });
    await logout(b, { token });
    const both = await eventually(
      () => b.requests({ sub: 'journal-sub' }),
      (e) => e.length === 2,
      'journal entries from both replicas',
    );
    expect(both.map((e) => [e.status, e.sid])).toEqual([
      [200, claims.origin_jti],
      [401, claims.origin_jti],
    ]);
    for (let i = 0; i < 8; i++) await logout(i % 2 ? a : b, {});
    await eventually(
      () => a.requests({ status: 401 }),
      (e) => e.length === 5,
      'the newest 5 entries',
    );
    expect(await a.requests()).toHaveLength(5);
  });

  it('keep revocations with a Redis TTL of the sign-in’s refresh lifetime plus one token lifetime, and stay apart under another prefix', async () => {
    const [a] = await replicas({ tokenTtlSeconds: 60, refreshTtlSeconds: 120 });
    const { token, claims } = await a.issueToken();
    expect((await logout(a, { token })).status).toBe(200);
    const client = new Redis(redis.url, { protocol: 2 });
    try {
      const ttl = await client.pttl(`${a.config.redisPrefix}:rev:sid:${claims.origin_jti}`);
      expect(ttl).toBeGreaterThan(170_000);
      expect(ttl).toBeLessThanOrEqual(180_000); // refresh lifetime + one token lifetime (a token refreshed at the last moment)
    } finally {
      client.disconnect();
    }
    const other = await mockOn({ redis: redis.url, redisPrefix: `${a.config.redisPrefix}-other`, keyFile: a.config.keyFile, issuer: ISSUER });
    mocks.push(other);
    await a.faults.arm({ status: 500, times: null });
    expect(await other.faults.list()).toEqual([]);
    expect((await logout(other, { token })).status).toBe(200);
  });
});

describe('when Redis goes away', () => {
  it('answers the documented 500 for logouts while it is down, and recovers when it is back', { timeout: 60_000 }, async () => {
    const [a, b] = await replicas();
    const before = await a.issueToken();
    const during = await a.issueToken();
    expect((await logout(a, { token: before.token })).status).toBe(200);

    await redis.stop();
    try {
      for (const mock of [a, b]) {
        const answer = await logout(mock, { token: during.token });
        expect(answer.status).toBe(500);
        expect(await violations(answer)).toEqual([]);
      }
    } finally {
      await redis.start();
    }
    // A fresh, empty Redis (the test's runs without persistence): the logout refused during the outage now succeeds once.
    await eventually(
      async () => (await logout(b, { token: during.token })).status,
      (status) => status === 200,
      'logout after Redis came back',
    );
    expect((await logout(a, { token: during.token })).status).toBe(401);
    const armed = await b.faults.arm({ status: 403 });
    const hit = await logout(a, { token: (await b.issueToken()).token });
    expect([hit.status, hit.headers.get('x-mock-fault')]).toEqual([403, armed.id]);
  });

  it('makes start fail with a clear --redis error when Redis cannot be reached', async () => {
    const port = await freePort();
    await expect(mockOn({ redis: `redis://127.0.0.1:${port}` })).rejects.toMatchObject({ code: 'ERR_CONFIG', field: '--redis' });
    const run = await runCli(['start', '--port', '0', '--log', 'off', '--redis', `redis://127.0.0.1:${port}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
  });
});
