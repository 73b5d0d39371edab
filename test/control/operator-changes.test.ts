// Issue 25 §1, as regression tests in every store (memory, file, Redis): state an operator changed stays changed
// (a start never overwrites it: a fresh store is seeded once, later starts add only the seed users it lacks, a removal
// is remembered until reset, which restores the seeds), and a user disabled or removed after signing in no longer
// refreshes, its tokens answering 401 on logout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { CRO, DEMO_CUSTOMER_ID, logoutAt, ownerToken, RISK_ANALYST, refreshAt, setStatus, signInAt } from '../support/invitations.ts';
import { control, DEMO, mockOn, signedIn } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

const SEED_A = { email: 'seed-a@shop.example', password: 'Seed-A-Password-1', customer_id: DEMO_CUSTOMER_ID, subrole: CRO.code };
const SEED_B = { email: 'seed-b@shop.example', password: 'Seed-B-Password-1', customer_id: DEMO_CUSTOMER_ID, subrole: RISK_ANALYST.code };
const SEED_C = { email: 'seed-c@shop.example', password: 'Seed-C-Password-1', customer_id: DEMO_CUSTOMER_ID, subrole: CRO.code };

let dir: string;
let redis: RedisServer;
let n = 0;
let seeds: string;
let moreSeeds: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wam-operator-'));
  redis = await startRedis();
  seeds = join(dir, 'users.json');
  moreSeeds = join(dir, 'more-users.json');
  writeFileSync(seeds, JSON.stringify([DEMO_USER, SEED_A, SEED_B]));
  // The file as a later deploy has it: seed A's password changed in the file, and a new seed C.
  writeFileSync(moreSeeds, JSON.stringify([DEMO_USER, { ...SEED_A, password: 'Seed-A-From-The-File-2' }, SEED_B, SEED_C]));
});
afterAll(async () => {
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a mock on one state (a store's contents that outlive the mock): each call is a start, or a restart, of a replica. */
type Starter = (options?: MockOptions) => Promise<Mock>;

/** A fresh state in each store, and what every start on it shares: the key file, one issuer (tokens outlive a restart), the seeds. */
const STORES: [string, () => Starter][] = [
  [
    'memory (a mock started again on the same store)',
    () => {
      const store = new MemoryStore({ journalSize: 100 });
      const common = shared();
      return (options) => mockOn({ ...common, store, ...options });
    },
  ],
  [
    'file',
    () => {
      const common = { ...shared(), stateFile: join(dir, `state-${n}.log`) };
      return (options) => mockOn({ ...common, ...options });
    },
  ],
  [
    'Redis',
    () => {
      const common = { ...shared(), redis: redis.url, redisPrefix: `operator-${process.pid}-${n}` };
      return (options) => mockOn({ ...common, ...options });
    },
  ],
];

function shared(): MockOptions {
  n += 1;
  return { keyFile: join(dir, `keys-${n}.json`), issuer: 'http://mock.test/issuer', usersFile: seeds };
}

/** The sign-in status of `user` with `password` on `mock`. */
async function signInStatus(mock: Mock, user: { email: string }, password: string): Promise<number> {
  return (await signInAt(mock.url, user.email, password)).status;
}

/** The id of the user with this email, as the mock lists it (undefined when it lists none). */
async function idOf(mock: Mock, email: string): Promise<string | undefined> {
  return (await mock.users.list()).find((user) => user.email === email)?.id;
}

describe.each(STORES)('%s', (_name, fresh) => {
  describe('(a) a start never overwrites what an operator changed', () => {
    it('a user disabled at run time (POST /__mock/users { disabled: true }) stays disabled when the mock restarts', async () => {
      const start = fresh();
      const first = await start();
      expect((await control(first.url, 'POST', '/__mock/users', { ...SEED_A, disabled: true })).status).toBe(201);
      expect(await signInStatus(first, SEED_A, SEED_A.password)).toBe(400);
      await first.close();
      const again = await start();
      try {
        expect(await signInStatus(again, SEED_A, SEED_A.password)).toBe(400);
        expect((await again.users.list()).find((user) => user.email === SEED_A.email)).toMatchObject({ status: 'INACTIVE', source: 'seed' });
      } finally {
        await again.close();
      }
    });

    it('a user deactivated through PATCH stays deactivated when the mock restarts', async () => {
      const start = fresh();
      const first = await start();
      const id = (await idOf(first, SEED_B.email)) as string;
      expect((await setStatus(first.url, await ownerToken(first.url), id, 'INACTIVE')).status).toBe(200);
      await first.close();
      const again = await start();
      try {
        expect(await signInStatus(again, SEED_B, SEED_B.password)).toBe(400);
      } finally {
        await again.close();
      }
    });

    it("a fresh store is seeded once: a later start adds only the seed users it lacks, and keeps the operator's change", async () => {
      const start = fresh();
      const first = await start();
      await first.users.add({ ...SEED_A, password: 'Operator-Chose-This-3' });
      await first.close();
      const again = await start({ usersFile: moreSeeds });
      try {
        expect(await signInStatus(again, SEED_A, 'Operator-Chose-This-3')).toBe(200);
        expect(await signInStatus(again, SEED_A, 'Seed-A-From-The-File-2')).toBe(400);
        expect(await signInStatus(again, SEED_C, SEED_C.password)).toBe(200);
        expect((await again.users.list()).map((user) => user.email).sort()).toEqual([DEMO.email, SEED_A.email, SEED_B.email, SEED_C.email]);
      } finally {
        await again.close();
      }
    });

    it("an operator's removal (DELETE /__mock/users/{email}) is remembered at restart, until reset restores the seeds", async () => {
      const start = fresh();
      const first = await start();
      expect((await control(first.url, 'DELETE', `/__mock/users/${SEED_B.email}`)).status).toBe(200);
      await first.users.add({ ...SEED_A, password: 'Operator-Chose-This-3' });
      await first.users.add({ email: 'runtime@shop.example', password: 'Runtime-Password-4' });
      await first.close();
      const again = await start();
      try {
        expect(await signInStatus(again, SEED_B, SEED_B.password)).toBe(400);
        expect(await idOf(again, SEED_B.email)).toBeUndefined();
        expect((await control(again.url, 'POST', '/__mock/reset')).status).toBe(200);
        expect(await signInStatus(again, SEED_B, SEED_B.password)).toBe(200);
        expect(await signInStatus(again, SEED_A, SEED_A.password)).toBe(200);
        expect(await signInStatus(again, { email: 'runtime@shop.example' }, 'Runtime-Password-4')).toBe(400);
      } finally {
        await again.close();
      }
    });
  });

  describe('(b) a user disabled or removed after signing in no longer refreshes, and its tokens answer 401', () => {
    it.each([
      ['disabled through POST /__mock/users', (mock: Mock) => control(mock.url, 'POST', '/__mock/users', { ...SEED_A, disabled: true })],
      [
        'deactivated through PATCH',
        async (mock: Mock) => setStatus(mock.url, await ownerToken(mock.url), (await idOf(mock, SEED_A.email)) as string, 'INACTIVE'),
      ],
      ['removed through DELETE /__mock/users/{email}', (mock: Mock) => control(mock.url, 'DELETE', `/__mock/users/${SEED_A.email}`)],
    ])('%s: refresh 401, logout 401, at once and after a restart', async (_how, end) => {
      const start = fresh();
      const first = await start();
      const session = signedIn(await signInAt(first.url, SEED_A.email, SEED_A.password));
      const other = signedIn(await signInAt(first.url, SEED_A.email, SEED_A.password));
      expect((await refreshAt(first.url, session.refreshToken)).status).toBe(200);
      expect((await end(first)).status).toBeLessThan(300);
      const refused = await refreshAt(first.url, session.refreshToken);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-mock-reason')).toMatch(/deactivated|removed/);
      expect((await logoutAt(first.url, session.idToken)).status).toBe(401);
      expect((await logoutAt(first.url, session.accessToken)).status).toBe(401);
      await first.close();
      const again = await start();
      try {
        expect((await refreshAt(again.url, other.refreshToken)).status).toBe(401);
        expect((await logoutAt(again.url, other.idToken)).status).toBe(401);
      } finally {
        await again.close();
      }
    });

    it('enabled again (POST /__mock/users { disabled: false }): it signs in anew; the sign-ins it had stay over', async () => {
      const start = fresh();
      const mock = await start();
      try {
        const before = signedIn(await signInAt(mock.url, SEED_A.email, SEED_A.password));
        await mock.users.add({ ...SEED_A, disabled: true });
        await mock.users.add({ ...SEED_A, disabled: false });
        const after = signedIn(await signInAt(mock.url, SEED_A.email, SEED_A.password));
        expect((await refreshAt(mock.url, before.refreshToken)).status).toBe(401);
        expect((await logoutAt(mock.url, before.idToken)).status).toBe(401);
        expect((await refreshAt(mock.url, after.refreshToken)).status).toBe(200);
        expect((await logoutAt(mock.url, after.idToken)).status).toBe(200);
      } finally {
        await mock.close();
      }
    });

    it('removed, then added again with the same email: the sign-ins it had stay over', async () => {
      const start = fresh();
      const mock = await start();
      try {
        const before = signedIn(await signInAt(mock.url, SEED_A.email, SEED_A.password));
        await mock.users.remove(SEED_A.email);
        await mock.users.add(SEED_A);
        expect((await refreshAt(mock.url, before.refreshToken)).status).toBe(401);
        expect((await logoutAt(mock.url, before.idToken)).status).toBe(401);
        const after = signedIn(await signInAt(mock.url, SEED_A.email, SEED_A.password));
        expect((await logoutAt(mock.url, after.idToken)).status).toBe(200);
      } finally {
        await mock.close();
      }
    });
  });
});

describe('Redis: two replicas, either restarts', () => {
  it('a user disabled on A (POST /__mock/users), another deactivated on B (PATCH): both stay so for both when B restarts, and when A restarts', async () => {
    const start = (STORES[2] as [string, () => Starter])[1]();
    const a = await start();
    let b = await start();
    const session = signedIn(await signInAt(b.url, SEED_A.email, SEED_A.password));
    expect((await control(a.url, 'POST', '/__mock/users', { ...SEED_A, disabled: true })).status).toBe(201);
    expect((await refreshAt(b.url, session.refreshToken)).status).toBe(401);
    const idB = (await idOf(b, SEED_B.email)) as string;
    expect((await setStatus(b.url, await ownerToken(b.url), idB, 'INACTIVE')).status).toBe(200);
    await b.close();
    b = await start();
    let a2: Mock | undefined;
    try {
      for (const replica of [a, b]) {
        expect(await signInStatus(replica, SEED_A, SEED_A.password)).toBe(400);
        expect(await signInStatus(replica, SEED_B, SEED_B.password)).toBe(400);
        expect((await refreshAt(replica.url, session.refreshToken)).status).toBe(401);
      }
      await a.close();
      a2 = await start();
      for (const replica of [a2, b]) {
        expect(await signInStatus(replica, SEED_A, SEED_A.password)).toBe(400);
        expect(await signInStatus(replica, SEED_B, SEED_B.password)).toBe(400);
        expect(await signInStatus(replica, DEMO, DEMO.password)).toBe(200);
      }
    } finally {
      await Promise.all([a.close(), b.close(), a2?.close()]);
    }
  });
});

describe('on a clock that stands still (a test that freezes time)', () => {
  let mock: Mock;
  beforeAll(async () => {
    const at = Date.parse('2030-01-01T00:00:00Z');
    mock = await mockOn({ clock: () => at, usersFile: seeds });
  });
  afterAll(() => mock.close());

  it('each deactivation ends the sign-ins begun before it, and only those, within one millisecond', async () => {
    const owner = await ownerToken(mock.url);
    const id = (await idOf(mock, SEED_A.email)) as string;
    const sessions = [];
    for (let round = 0; round < 3; round++) {
      sessions.push(signedIn(await signInAt(mock.url, SEED_A.email, SEED_A.password)));
      expect((await setStatus(mock.url, owner, id, 'INACTIVE')).status).toBe(200);
      expect((await setStatus(mock.url, owner, id, 'ACTIVE')).status).toBe(200);
      // Every sign-in so far is over; one begun now lives.
      for (const session of sessions) expect((await refreshAt(mock.url, session.refreshToken)).status).toBe(401);
      const now = signedIn(await signInAt(mock.url, SEED_A.email, SEED_A.password));
      expect((await refreshAt(mock.url, now.refreshToken)).status).toBe(200);
      sessions.push(now);
    }
    // The owner's own sign-in was never ended.
    expect((await logoutAt(mock.url, owner)).status).toBe(200);
  });
});
