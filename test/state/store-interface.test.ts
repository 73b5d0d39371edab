// One contract, three stores: memory, the state file and a real redis-server (started here on a loopback port).
import { afterEach, describe, expect, it } from 'vitest';
import { type Fault, parseFault, takeFrom } from '../../src/faults/fault.ts';
import type { JournalEntry } from '../../src/state/journal.ts';
import type { CustomerRecord, OutboxMessage, SignInEvent, TokenRecord, UserRecord } from '../../src/state/records.ts';
import type { Store, StoreOptions } from '../../src/state/store.ts';
import { storeBackends } from '../support/store-backends.ts';

// The refresh records' part of the contract: store-refreshes.test.ts.
const backends = storeBackends();

const STATUSES = [200, 400, 401, 403, 500];
const fault = (input: Record<string, unknown>, now = Date.now()): Fault =>
  parseFault(input, { targets: new Map([['logout', { statuses: STATUSES, scopes: ['sub', 'sid', 'customer'] }]]), now, seed: 1 });
const token = (i: number): TokenRecord => ({
  jti: `j${i}`,
  sid: `s${i}`,
  sub: `u${i}`,
  tokenUse: 'access',
  role: 'customer',
  kind: 'valid',
  iat: 1_700_000_000 + i,
  exp: 1_700_003_600 + i,
});
const entry = (i: number, sub = `u${i}`): JournalEntry => ({
  at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  method: 'POST',
  path: '/auth/api/v1/customer/logout',
  status: 200,
  reason: `r${i}`,
  sub,
  ms: 1,
});

const user = (name: string, source: UserRecord['source'] = 'runtime', extra: Partial<UserRecord> = {}): UserRecord => ({
  id: `id-${name}`,
  sub: `sub-${name}`,
  email: `${name}@example.com`,
  passwordSalt: `salt-${name}`,
  passwordDigest: `digest-${name}`,
  role: 'customer',
  givenName: name,
  familyName: 'Tester',
  customerId: 'c-1',
  subrole: 'owner',
  status: 'ACTIVE',
  isEmailVerified: true,
  isFirstLogin: false,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  version: 1,
  source,
  ...extra,
});
const customer = (id: string, source: CustomerRecord['source'] = 'seed'): CustomerRecord => ({
  id,
  name: `${id} Ltd`,
  subroles: [{ id: `${id}-owner`, code: 'owner', label: 'Owner', displayName: 'Owner', permissions: ['case:read'], assignable: false }],
  createdAt: 1_700_000_000_000,
  source,
});
const message = (i: number, kind: OutboxMessage['kind'] = 'invitation', recipient = `r${i}@example.com`): OutboxMessage => ({
  id: `m${i}`,
  kind,
  recipient,
  at: new Date(1_700_000_000_000 + i).toISOString(),
  token: `t${i}`,
  link: `http://localhost:3000/invite/t${i}`,
});

describe.each(backends)('$name store', (backend) => {
  const opened: Store[] = [];
  const open = async (namespace = backend.namespace(), options?: Partial<StoreOptions>) => {
    const store = await backend.open(namespace, options);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe('revocations', () => {
    it('revokes once: the first call wins, later ones see it revoked', async () => {
      const store = await open();
      const now = Date.now();
      expect(await store.isRevoked(['sid:a'], now)).toBe(false);
      expect(await store.revoke('sid:a', now + 60_000, now)).toBe(true);
      expect(await store.revoke('sid:a', now + 60_000, now)).toBe(false);
      expect(await store.isRevoked(['sid:a'], now)).toBe(true);
      expect(await store.isRevoked(['jti:x', 'sid:a'], now)).toBe(true);
      expect(await store.isRevoked(['sid:b', 'jti:x'], now)).toBe(false);
      expect(await store.isRevoked([], now)).toBe(false);
    });

    it('gives exactly one of 25 concurrent revocations of one key the win', async () => {
      const store = await open();
      const now = Date.now();
      const results = await Promise.all(Array.from({ length: 25 }, () => store.revoke('sid:race', now + 60_000, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('names the first key revoked now, in the order given, skipping lapsed ones', async () => {
      const store = await open();
      const now = Date.now();
      await store.revoke('sid:live', now + 60_000, now);
      await store.revoke('jti:live', now + 60_000, now);
      await store.revoke('jti:lapsed', now + 1000, now);
      expect(await store.firstRevoked(['jti:live', 'sid:live'], now)).toBe('jti:live');
      expect(await store.firstRevoked(['sid:live', 'jti:live'], now)).toBe('sid:live');
      expect(await store.firstRevoked(['jti:none', 'jti:lapsed', 'sid:live'], now + 1000)).toBe('sid:live');
      expect(await store.firstRevoked(['jti:lapsed'], now + 999)).toBe('jti:lapsed');
      expect(await store.firstRevoked(['jti:lapsed', 'jti:none'], now + 1000)).toBeUndefined();
      expect(await store.firstRevoked([], now)).toBeUndefined();
    });

    it('lets a revocation lapse at untilMs, after which the key can be revoked again', async () => {
      const store = await open();
      const now = Date.now();
      await store.revoke('sid:lapse', now + 1000, now);
      expect(await store.isRevoked(['sid:lapse'], now + 999)).toBe(true);
      expect(await store.isRevoked(['sid:lapse'], now + 1000)).toBe(false);
      expect(await store.revoke('sid:lapse', now + 5000, now + 1000)).toBe(true);
      expect(await store.isRevoked(['sid:lapse'], now + 4999)).toBe(true);
    });
  });

  describe('users', () => {
    it('puts, gets by id, email or sub, and lists in the order first put', async () => {
      const store = await open();
      expect(await store.listUsers()).toEqual([]);
      expect(await store.getUser({ email: 'ann@example.com' })).toBeUndefined();
      for (const name of ['ann', 'bob', 'cat']) expect(await store.putUser(user(name))).toBe('ok');
      expect(await store.getUser({ id: 'id-bob' })).toEqual(user('bob'));
      expect(await store.getUser({ email: 'bob@example.com' })).toEqual(user('bob'));
      expect(await store.getUser({ sub: 'sub-bob' })).toEqual(user('bob'));
      expect(await store.listUsers()).toEqual([user('ann'), user('bob'), user('cat')]);
      await store.putUser(user('dan', 'runtime', { customerId: 'c-2' }));
      expect((await store.listUsers('c-2')).map((u) => u.email)).toEqual(['dan@example.com']);
    });

    it('replaces a user by its id, keeping its place; a new email frees the old one and a new sub is found by it', async () => {
      const store = await open();
      await store.putUser(user('ann'));
      await store.putUser(user('bob'));
      const changed = user('ann', 'runtime', { email: 'anne@example.com', sub: 'sub-anne', version: 2 });
      expect(await store.putUser(changed)).toBe('ok');
      expect(await store.listUsers()).toEqual([changed, user('bob')]);
      expect(await store.getUser({ email: 'ann@example.com' })).toBeUndefined();
      expect(await store.getUser({ sub: 'sub-ann' })).toBeUndefined();
      expect(await store.getUser({ sub: 'sub-anne' })).toEqual(changed);
      expect(await store.putUser(user('cat', 'runtime', { email: 'ann@example.com' }))).toBe('ok');
    });

    it('keeps emails unique: another user with the email is refused, a removed one frees it', async () => {
      const store = await open();
      await store.putUser(user('ann'));
      expect(await store.putUser(user('other', 'runtime', { email: 'ann@example.com' }))).toBe('email-taken');
      expect(await store.getUser({ email: 'ann@example.com' })).toEqual(user('ann'));
      const removed = user('ann', 'runtime', { status: 'REMOVED', version: 2 });
      expect(await store.putUser(removed)).toBe('ok');
      // A removed user is gone from listings and email look-ups, but its sub still finds it (its tokens stay refused).
      expect(await store.listUsers()).toEqual([]);
      expect(await store.getUser({ email: 'ann@example.com' })).toBeUndefined();
      expect(await store.getUser({ sub: 'sub-ann' })).toEqual(removed);
      expect(await store.putUser(user('other', 'runtime', { email: 'ann@example.com' }))).toBe('ok');
    });

    it('compares and sets: a put from a version that is no longer stored is refused', async () => {
      const store = await open();
      expect(await store.putUser(user('ann'), 0)).toBe('changed');
      await store.putUser(user('ann'));
      expect(await store.putUser(user('ann', 'runtime', { version: 2, givenName: 'first' }), 1)).toBe('ok');
      expect(await store.putUser(user('ann', 'runtime', { version: 2, givenName: 'second' }), 1)).toBe('changed');
      expect((await store.getUser({ id: 'id-ann' }))?.givenName).toBe('first');
    });

    it('of 20 concurrent changes from one version, exactly one is stored', async () => {
      const store = await open();
      await store.putUser(user('ann'));
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putUser(user('ann', 'runtime', { version: 2, givenName: `g${i}` }), 1)));
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    });
  });

  describe('customers, seeding and the outbox', () => {
    it('puts and gets customers, listed in the order first put', async () => {
      const store = await open();
      await store.putCustomer(customer('c-1'));
      await store.putCustomer(customer('c-2', 'runtime'));
      await store.putCustomer({ ...customer('c-1'), name: 'renamed' });
      expect(await store.getCustomer('c-1')).toEqual({ ...customer('c-1'), name: 'renamed' });
      expect(await store.getCustomer('c-3')).toBeUndefined();
      expect((await store.listCustomers()).map((c) => c.id)).toEqual(['c-1', 'c-2']);
    });

    it("seeds a fresh store with everything; later seeding adds only what it never had, so an operator's change or removal stays", async () => {
      const store = await open();
      await store.seed([customer('c-1')], [user('ann', 'seed'), user('bob', 'seed')]);
      expect(await store.listUsers()).toEqual([user('ann', 'seed'), user('bob', 'seed')]);
      await store.putUser(user('ann', 'seed', { status: 'INACTIVE', version: 2 }), 1);
      await store.putUser(user('bob', 'seed', { status: 'REMOVED', version: 2 }), 1);
      await store.seed([customer('c-1'), customer('c-2')], [user('ann', 'seed'), user('bob', 'seed'), user('cat', 'seed')]);
      expect(await store.listUsers()).toEqual([user('ann', 'seed', { status: 'INACTIVE', version: 2 }), user('cat', 'seed')]);
      expect((await store.listCustomers()).map((c) => c.id)).toEqual(['c-1', 'c-2']);
      // A reset forgets everything, the seeded mark too: seeding restores the seeds as given.
      await store.reset();
      expect(await store.listUsers()).toEqual([]);
      await store.seed([customer('c-1')], [user('ann', 'seed')]);
      expect(await store.listUsers()).toEqual([user('ann', 'seed')]);
    });

    it('keeps the newest outboxSize messages, filtered by recipient and kind; a reset empties it', async () => {
      const store = await open(undefined, { outboxSize: 3 });
      for (let i = 1; i <= 4; i++)
        await store.appendMessage(message(i, i % 2 ? 'invitation' : 'password-reset', i < 3 ? 'a@example.com' : `r${i}@example.com`));
      expect((await store.listMessages({})).map((m) => m.id)).toEqual(['m2', 'm3', 'm4']);
      expect(await store.listMessages({ recipient: 'a@example.com' })).toEqual([message(2, 'password-reset', 'a@example.com')]);
      expect((await store.listMessages({ kind: 'invitation' })).map((m) => m.id)).toEqual(['m3']);
      await store.reset();
      expect(await store.listMessages({})).toEqual([]);
    });
  });

  describe('issued tokens', () => {
    it('lists records oldest first, keeping the newest tokenRecordsAtMost', async () => {
      const store = await open(undefined, { tokenRecordsAtMost: 3 });
      await store.recordTokens([token(1), token(2)]);
      expect(await store.listTokens()).toEqual([token(1), token(2)]);
      await store.recordTokens([token(3), token(4), token(5)]);
      expect(await store.listTokens()).toEqual([token(3), token(4), token(5)]);
    });

    it('keeps sign-in events (a logout, an early expiry) in the same list, in order: they age out with the tokens before them', async () => {
      const store = await open(undefined, { tokenRecordsAtMost: 4 });
      const loggedOut: SignInEvent = { event: 'logged-out', sid: 's1', sub: 'u1', at: 1_700_000_100_000, by: 'logout' };
      const expired: SignInEvent = { event: 'expired-early', sid: 's2', sub: 'u2', at: 1_700_000_200_000, jtis: ['j2'] };
      await store.recordTokens([token(1), token(2)]);
      await store.recordTokens([loggedOut]);
      await store.recordTokens([expired]);
      expect(await store.listTokens()).toEqual([token(1), token(2), loggedOut, expired]);
      await store.recordTokens([token(3)]);
      expect(await store.listTokens()).toEqual([token(2), loggedOut, expired, token(3)]);
    });
  });

  describe('faults', () => {
    it('arms, lists oldest first, removes one and clears all', async () => {
      const store = await open();
      const a = fault({ status: 500 });
      const b = fault({ network: 'reset', times: null, match: { sub: 'alice' } });
      await store.addFault(a);
      await store.addFault(b);
      expect(await store.listFaults(Date.now())).toEqual([a, b]);
      expect(await store.removeFault(a.id)).toBe(true);
      expect(await store.removeFault(a.id)).toBe(false);
      expect(await store.listFaults(Date.now())).toEqual([b]);
      await store.addFault(a);
      expect(await store.clearFaults()).toBe(2);
      expect(await store.clearFaults()).toBe(0);
      expect(await store.listFaults(Date.now())).toEqual([]);
    });

    it('stops listing a fault once its ttl has passed', async () => {
      const store = await open();
      const now = Date.now();
      await store.addFault(fault({ status: 500, ttlMs: 1000 }, now));
      expect(await store.listFaults(now + 999)).toHaveLength(1);
      expect(await store.listFaults(now + 1000)).toHaveLength(0);
      expect(await store.takeFault({}, now + 1000)).toBeUndefined();
    });

    it('fires a single-shot fault for exactly one of 25 concurrent requests', async () => {
      const store = await open();
      const armed = fault({ status: 500 });
      await store.addFault(armed);
      const now = Date.now();
      const taken = await Promise.all(Array.from({ length: 25 }, (_, i) => store.takeFault({ sub: `u${i}` }, now)));
      const fired = taken.filter((f) => f !== undefined);
      expect(fired).toHaveLength(1);
      expect(fired[0]).toMatchObject({ id: armed.id, status: 500, remaining: 0, hits: 1 });
      expect(await store.listFaults(now)).toEqual([]);
    });

    it('fires only for the requests its match names', async () => {
      const store = await open();
      await store.addFault(fault({ status: 403, times: 2, match: { sub: 'alice', session: 'qa-1' } }));
      const now = Date.now();
      expect(await store.takeFault({ sub: 'bob', session: 'qa-1' }, now)).toBeUndefined();
      expect(await store.takeFault({ sub: 'alice' }, now)).toBeUndefined();
      expect(await store.takeFault({ sub: 'alice', session: 'qa-1', sid: 's' }, now)).toMatchObject({ status: 403, remaining: 1 });
      expect(await store.listFaults(now)).toMatchObject([{ remaining: 1, hits: 1 }]);
    });

    it('follows the pure rules (skip, times, seeded probability) step by step', async () => {
      const store = await open();
      const armed = [fault({ status: 500, times: 3, skip: 2, probability: 0.5, seed: 7 }), fault({ delayMs: 50, times: null, match: { sub: 'carol' } })];
      for (const f of armed) await store.addFault(f);
      const now = Date.now();
      const contexts = Array.from({ length: 16 }, (_, i) => ({ sub: i % 3 === 0 ? 'carol' : 'dave' }));
      let expected: Fault[] = armed;
      for (const context of contexts) {
        const step = takeFrom(expected, context, now);
        expected = step.next;
        expect(await store.takeFault(context, now)).toEqual(step.fired);
      }
      expect(await store.listFaults(now)).toEqual(expected);
    });
  });

  describe('journal', () => {
    it('keeps the newest journalSize entries in order, filterable', async () => {
      const store = await open(undefined, { journalSize: 3 });
      for (let i = 1; i <= 5; i++) await store.appendRequest(entry(i, i % 2 ? 'odd' : 'even'));
      expect(await store.listRequests({})).toEqual([entry(3, 'odd'), entry(4, 'even'), entry(5, 'odd')]);
      expect(await store.listRequests({ sub: 'odd' })).toEqual([entry(3, 'odd'), entry(5, 'odd')]);
      expect(await store.listRequests({ limit: 1 })).toEqual([entry(5, 'odd')]);
      await store.clearRequests();
      expect(await store.listRequests({})).toEqual([]);
    });

    it('keeps each entry’s operation and email, and filters by operation', async () => {
      const store = await open();
      const signIn: JournalEntry = { ...entry(1), path: '/auth/api/v1/customer/sign-in', operation: 'sign-in', email: 'ann@example.com' };
      const logout: JournalEntry = { ...entry(2), operation: 'logout' };
      const other: JournalEntry = { ...entry(3), path: '/nowhere', status: 404, operation: 'other' };
      for (const e of [signIn, entry(4), logout, other]) await store.appendRequest(e);
      expect(await store.listRequests({})).toEqual([signIn, entry(4), logout, other]);
      expect(await store.listRequests({ operation: 'sign-in' })).toEqual([signIn]);
      expect(await store.listRequests({ operation: 'logout' })).toEqual([logout]);
      expect(await store.listRequests({ operation: 'refresh' })).toEqual([]);
    });

    it('keeps nothing when journalSize is 0', async () => {
      const store = await open(undefined, { journalSize: 0 });
      await store.appendRequest(entry(1));
      expect(await store.listRequests({})).toEqual([]);
    });
  });

  it('forgets revocations, tokens, faults, the journal and runtime users on reset', async () => {
    const store = await open();
    const now = Date.now();
    await store.putUser(user('runtime'));
    await store.appendMessage(message(1));
    await store.revoke('sid:r', now + 60_000, now);
    await store.recordTokens([token(1)]);
    await store.addFault(fault({ status: 500 }));
    await store.appendRequest(entry(1));
    await store.reset();
    expect(await store.isRevoked(['sid:r'], now)).toBe(false);
    expect(await store.listTokens()).toEqual([]);
    expect(await store.listFaults(now)).toEqual([]);
    expect(await store.listRequests({})).toEqual([]);
    expect(await store.listUsers()).toEqual([]);
    expect(await store.listMessages({})).toEqual([]);
    expect(await store.revoke('sid:r', now + 60_000, now)).toBe(true);
  });

  // Capabilities only some stores have: defined where they apply (not skipped elsewhere).
  if (backend.durable)
    it('keeps every kind of state for the next store on the same namespace', async () => {
      const namespace = backend.namespace();
      const first = await open(namespace);
      const now = Date.now();
      await first.seed([customer('c-1')], [user('seeded', 'seed')]);
      await first.putUser(user('dropped-by-reset'));
      await first.reset();
      await first.seed([customer('c-1')], [user('seeded', 'seed')]);
      await first.putUser(user('after-reset'));
      await first.putUser(user('removed'));
      await first.putUser(user('seeded', 'seed', { status: 'INACTIVE', version: 2 }), 1);
      await first.putUser(user('removed', 'runtime', { status: 'REMOVED', version: 2 }), 1);
      await first.putCustomer(customer('c-2', 'runtime'));
      await first.appendMessage(message(1));
      await first.revoke('sid:kept', now + 60_000, now);
      await first.revoke('sid:lapsed', now + 1, now);
      await first.recordTokens([token(1), token(2)]);
      await first.recordTokens([{ event: 'logged-out', sid: 's1', sub: 'u1', at: now, by: 'logout' }]);
      const armed = fault({ status: 500, times: 2 });
      await first.addFault(armed);
      await first.takeFault({}, now);
      await first.appendRequest(entry(1));
      await first.close();

      const second = await open(namespace);
      expect(await second.isRevoked(['sid:kept'], now)).toBe(true);
      expect(await second.revoke('sid:kept', now + 60_000, now)).toBe(false);
      expect(await second.isRevoked(['sid:lapsed'], now + 1)).toBe(false);
      expect(await second.listTokens()).toEqual([token(1), token(2), { event: 'logged-out', sid: 's1', sub: 'u1', at: now, by: 'logout' }]);
      expect(await second.listFaults(now)).toEqual([{ ...armed, remaining: 1, hits: 1, evaluations: 1 }]);
      expect(await second.listRequests({})).toEqual([entry(1)]);
      expect(await second.listUsers()).toEqual([user('seeded', 'seed', { status: 'INACTIVE', version: 2 }), user('after-reset')]);
      expect(await second.getUser({ sub: 'sub-removed' })).toEqual(user('removed', 'runtime', { status: 'REMOVED', version: 2 }));
      expect((await second.listCustomers()).map((c) => c.id)).toEqual(['c-1', 'c-2']);
      expect(await second.listMessages({})).toEqual([message(1)]);
      // Seeded before: seeding again keeps the operator's deactivation.
      await second.seed([customer('c-1')], [user('seeded', 'seed')]);
      expect((await second.getUser({ id: 'id-seeded' }))?.status).toBe('INACTIVE');
    });

  if (backend.shared)
    it('shares revocations and single-shot faults between two stores on one namespace', async () => {
      const namespace = backend.namespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      const now = Date.now();
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).revoke('sid:both', now + 60_000, now)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await a.isRevoked(['sid:both'], now)).toBe(true);
      expect(await b.isRevoked(['sid:both'], now)).toBe(true);

      await a.addFault(fault({ status: 500, times: 3 }));
      const taken = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).takeFault({}, now)));
      expect(taken.filter((f) => f !== undefined)).toHaveLength(3);
      expect(await b.listFaults(now)).toEqual([]);
    });

  if (backend.shared)
    it('shares users between two stores on one namespace: one email, one winner; a seed either made is seen by both', async () => {
      const namespace = backend.namespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      await a.seed([customer('c-1')], [user('seeded', 'seed')]);
      await b.seed([customer('c-1')], [user('seeded', 'seed')]);
      await a.putUser(user('seeded', 'seed', { status: 'INACTIVE', version: 2 }), 1);
      // A replica starting later seeds again: the deactivation stays for both.
      await b.seed([customer('c-1')], [user('seeded', 'seed')]);
      expect((await b.getUser({ email: 'seeded@example.com' }))?.status).toBe('INACTIVE');
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).putUser(user(`claimant-${i}`, 'runtime', { email: 'one@example.com' }))),
      );
      expect(claims.filter((r) => r === 'ok')).toHaveLength(1);
      expect(await a.listUsers()).toEqual(await b.listUsers());
      await b.reset();
      expect(await a.listUsers()).toEqual([]);
    });
});
