/**
 * The Redis store (`--redis`): state shared by every mock replica that uses the same Redis and prefix.
 *
 * Keys, all under `<prefix>:` (`--redis-prefix`, default `worth-auth-mock`):
 * - `rev:<key>` — a revocation: a string holding its `untilMs`, with a Redis TTL of `untilMs - nowMs`,
 *   so Redis prunes it when the tokens expire. Set by a script (check-and-set), so exactly one of
 *   concurrent logouts, on any replica, wins.
 * - `faults` — a hash `{ v: version, l: JSON list }`. Every change (arm, clear, take) reads the list, applies
 *   the same pure rules as every store (`takeFrom`), and swaps it in with a compare-and-set script on `v`;
 *   a replica that lost the race reads again. So a single-shot fault fires once across all replicas, with
 *   the rules kept in one place (no Lua copy of them) and no connection held per transaction (WATCH would
 *   need one).
 * - `tokens`, `journal` — lists, capped (LTRIM) by the same script that pushes to them.
 * - `user` — a hash, id → UserRecord JSON; `user:email`, `user:sub` — hashes, email or sub → id (a removed user keeps
 *   its sub entry, not its email); `user:order` — a sorted set, id → the `seq` number it got when first put, so every
 *   replica lists users in the same order. They change only inside scripts (one atomic step each): a put checks the
 *   email and, when asked, the version it was read at (compare-and-set).
 * - `customer` — a hash, id → CustomerRecord JSON, `customer:order` as `user:order`; `seeded` — set once the store is.
 * - `outbox` — a list, capped (LTRIM) by the script that pushes to it.
 * - `refresh:<sid>` — a sign-in's refresh record (JSON, with a TTL of its sign-in's refresh lifetime) and
 *   `refresh-index` listing them: swapped with a compare-and-set script, see redis-refreshes.ts.
 *
 * Connection (redis-connection.ts): commands fail at once while Redis is away (no offline queue, no resend after
 * reconnect), so a logout answers the documented 500 rather than hanging or answering 200 unstored; ioredis keeps
 * reconnecting in the background and the store works again as soon as Redis is back.
 */
import type { Redis } from 'ioredis';
import { StoreError } from '../errors.ts';
import { type Fault, type FaultContext, isLive, takeFrom } from '../faults/fault.ts';
import { filterJournal, type JournalEntry, type JournalFilter } from './journal.ts';
import type { CustomerRecord, OutboxFilter, OutboxMessage, PutUserResult, SessionRecord, SignInState, UserKey, UserRecord } from './records.ts';
import { connectRedis, type RedisConnectionOptions } from './redis-connection.ts';
import { listRefreshesOnRedis, type RefreshKeys, refreshOnRedis } from './redis-refreshes.ts';
import type { Scripts } from './redis-scripts.ts';
import type { RefreshRecord, RefreshResult, RefreshStep } from './refresh-records.ts';
import type { Store, StoreOptions } from './store.ts';
import { upgradeUser } from './upgrade.ts';

/** Options of the Redis store: how it connects, and the namespace of its keys. */
export type RedisStoreOptions = StoreOptions &
  RedisConnectionOptions & {
    /** Namespace of every key (`--redis-prefix`). */
    prefix: string;
  };

const SWAP_ATTEMPTS = 100;

/** Connects to Redis (a clear ConfigError within seconds when it cannot) and returns the store. */
export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const { client, where } = await connectRedis(options);
  return new RedisStore(client, options, where);
}

class RedisStore implements Store {
  readonly #redis: Redis & Scripts;
  readonly #where: string;
  readonly #journalSize: number;
  readonly #tokensAtMost: number;
  readonly #outboxSize: number;
  readonly #keys: {
    rev: string;
    faults: string;
    tokens: string;
    journal: string;
    users: string;
    userEmails: string;
    userSubs: string;
    userOrder: string;
    seq: string;
    customers: string;
    customerOrder: string;
    seeded: string;
    outbox: string;
    refreshes: RefreshKeys;
  };
  /** Fault changes from this process go one at a time: only other replicas can make a swap retry. */
  #faultQueue: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(redis: Redis & Scripts, options: RedisStoreOptions, where: string) {
    this.#redis = redis;
    this.#where = where;
    this.#journalSize = options.journalSize;
    this.#tokensAtMost = options.tokenRecordsAtMost ?? 10_000;
    this.#outboxSize = options.outboxSize ?? 1000;
    const p = options.prefix;
    this.#keys = {
      rev: `${p}:rev:`,
      faults: `${p}:faults`,
      tokens: `${p}:tokens`,
      journal: `${p}:journal`,
      users: `${p}:user`,
      userEmails: `${p}:user:email`,
      userSubs: `${p}:user:sub`,
      userOrder: `${p}:user:order`,
      seq: `${p}:seq`,
      customers: `${p}:customer`,
      customerOrder: `${p}:customer:order`,
      seeded: `${p}:seeded`,
      outbox: `${p}:outbox`,
      refreshes: { record: `${p}:refresh:`, index: `${p}:refresh-index` },
    };
  }

  revoke(key: string, untilMs: number, nowMs: number): Promise<boolean> {
    return this.#run('revoke', async () => {
      const ttl = Math.max(1, Math.ceil(untilMs - nowMs));
      return (await this.#redis.worthRevoke(this.#keys.rev + key, untilMs, nowMs, ttl)) === 1;
    });
  }

  isRevoked(keys: readonly string[], nowMs: number): Promise<boolean> {
    return this.#run('revocation check', async () => {
      if (keys.length === 0) return false;
      const values = await this.#redis.mget(keys.map((key) => this.#keys.rev + key));
      return values.some((value) => value !== null && Number(value) > nowMs);
    });
  }

  firstRevoked(keys: readonly string[], nowMs: number): Promise<string | undefined> {
    return this.#run('revocation check', async () => {
      if (keys.length === 0) return undefined;
      const values = await this.#redis.mget(keys.map((key) => this.#keys.rev + key));
      return keys.find((_, i) => {
        const value = values[i];
        return value !== null && value !== undefined && Number(value) > nowMs;
      });
    });
  }

  signInState(keys: readonly string[], sub: string, nowMs: number): Promise<SignInState> {
    return this.#run('sign-in check', async () => {
      const { users, userSubs } = this.#keys;
      const revocationKeys = keys.map((key) => this.#keys.rev + key);
      const [revoked, json] = await this.#redis.worthSignInState(2 + keys.length, users, userSubs, ...revocationKeys, nowMs, sub);
      return { revoked: revoked > 0 ? keys[revoked - 1] : undefined, user: json ? upgradeUser(JSON.parse(json)) : undefined };
    });
  }

  putUser(user: UserRecord, expectVersion?: number): Promise<PutUserResult> {
    return this.#run('user put', async () => {
      const { users, userEmails, userSubs, userOrder, seq } = this.#keys;
      const result = await this.#redis.worthPutUser(
        users,
        userEmails,
        userSubs,
        userOrder,
        seq,
        user.id,
        JSON.stringify(user),
        expectVersion?.toString() ?? '',
      );
      return result as PutUserResult;
    });
  }

  getUser(key: UserKey): Promise<UserRecord | undefined> {
    return this.#run('user read', async () => {
      const { users, userEmails, userSubs } = this.#keys;
      const [index, value] = 'id' in key ? ['', key.id] : 'email' in key ? [userEmails, key.email] : [userSubs, key.sub];
      const json = await this.#redis.worthGetUser(users, index, value);
      return json === null ? undefined : upgradeUser(JSON.parse(json));
    });
  }

  listUsers(customerId?: string): Promise<UserRecord[]> {
    return this.#run('user list', async () => {
      const users = (await this.#ordered(this.#keys.userOrder, this.#keys.users)).map((json) => upgradeUser(JSON.parse(json)));
      return users.filter((user) => user.status !== 'REMOVED' && (customerId === undefined || user.customerId === customerId));
    });
  }

  putCustomer(customer: CustomerRecord): Promise<void> {
    return this.#run('customer put', async () => {
      const { customers, customerOrder } = this.#keys;
      // Ordered by when first put (NX keeps the first time), as the other stores list them.
      await exec(this.#redis.multi().hset(customers, customer.id, JSON.stringify(customer)).zadd(customerOrder, 'NX', Date.now(), customer.id));
    });
  }

  getCustomer(id: string): Promise<CustomerRecord | undefined> {
    return this.#run('customer read', async () => {
      const json = await this.#redis.hget(this.#keys.customers, id);
      return json === null ? undefined : (JSON.parse(json) as CustomerRecord);
    });
  }

  listCustomers(): Promise<CustomerRecord[]> {
    return this.#run('customer list', async () =>
      (await this.#ordered(this.#keys.customerOrder, this.#keys.customers)).map((json) => JSON.parse(json) as CustomerRecord),
    );
  }

  seed(customers: readonly CustomerRecord[], users: readonly UserRecord[]): Promise<void> {
    return this.#run('seeding', async () => {
      const k = this.#keys;
      const pairs = (records: readonly { id: string }[]) => JSON.stringify(records.map((record) => [record.id, JSON.stringify(record)]));
      await this.#redis.worthSeed(
        k.users,
        k.userEmails,
        k.userSubs,
        k.userOrder,
        k.seq,
        k.customers,
        k.customerOrder,
        k.seeded,
        pairs(customers),
        pairs(users),
      );
    });
  }

  appendMessage(message: OutboxMessage): Promise<void> {
    return this.#run('outbox', async () => {
      await this.#redis.worthPushCapped(this.#keys.outbox, this.#outboxSize, JSON.stringify(message));
    });
  }

  listMessages(filter: OutboxFilter): Promise<OutboxMessage[]> {
    return this.#run('outbox list', async () => {
      const messages = (await this.#redis.lrange(this.#keys.outbox, 0, -1)).map((text) => JSON.parse(text) as OutboxMessage);
      return messages.filter(
        (m) => (filter.recipient === undefined || m.recipient === filter.recipient) && (filter.kind === undefined || m.kind === filter.kind),
      );
    });
  }

  /** The JSON records of a hash in the order a sorted set gives their ids, read as of one moment (one MULTI). */
  async #ordered(order: string, records: string): Promise<string[]> {
    const [ids, byId] = (await exec(this.#redis.multi().zrange(order, 0, '-1').hgetall(records))) as [string[], Record<string, string>];
    return ids.flatMap((id) => (byId[id] === undefined ? [] : [byId[id]]));
  }

  recordTokens(records: readonly SessionRecord[]): Promise<void> {
    return this.#run('token record', async () => {
      if (records.length === 0) return;
      await this.#redis.worthPushCapped(this.#keys.tokens, this.#tokensAtMost, ...records.map((record) => JSON.stringify(record)));
    });
  }

  listTokens(): Promise<SessionRecord[]> {
    return this.#run('token list', async () => (await this.#redis.lrange(this.#keys.tokens, 0, -1)).map((text) => JSON.parse(text) as SessionRecord));
  }

  addFault(fault: Fault): Promise<void> {
    return this.#changeFaults('fault arming', (list) => ({ next: [...list, fault], result: undefined }));
  }

  listFaults(nowMs: number): Promise<Fault[]> {
    return this.#run('fault list', async () => (await this.#readFaults()).list.filter((fault) => isLive(fault, nowMs)));
  }

  removeFault(id: string): Promise<boolean> {
    return this.#changeFaults('fault clearing', (list) => {
      const next = list.filter((fault) => fault.id !== id);
      return next.length === list.length ? { result: false } : { next, result: true };
    });
  }

  clearFaults(): Promise<number> {
    return this.#changeFaults('fault clearing', (list) => (list.length === 0 ? { result: 0 } : { next: [], result: list.length }));
  }

  async takeFault(context: FaultContext, nowMs: number): Promise<Fault | undefined> {
    // Most requests find no fault armed: one read, no queueing.
    const { list } = await this.#run('fault check', () => this.#readFaults());
    if (list.length === 0) return undefined;
    return this.#changeFaults('fault check', (current) => {
      const { fired, next } = takeFrom(current, context, nowMs);
      const unchanged = !fired && next.length === current.length && next.every((fault, i) => fault === current[i]);
      return unchanged ? { result: undefined } : { next, result: fired };
    });
  }

  refreshSignIn(sid: string, step: RefreshStep): Promise<RefreshResult> {
    return this.#run('refresh record', () => refreshOnRedis(this.#redis, this.#keys.refreshes, sid, step));
  }

  listRefreshes(nowMs: number, sid?: string): Promise<RefreshRecord[]> {
    return this.#run('refresh list', () => listRefreshesOnRedis(this.#redis, this.#keys.refreshes, nowMs, sid));
  }

  appendRequest(entry: JournalEntry): Promise<void> {
    return this.#run('journal', async () => {
      if (this.#journalSize === 0) return;
      await this.#redis.worthPushCapped(this.#keys.journal, this.#journalSize, JSON.stringify(entry));
    });
  }

  listRequests(filter: JournalFilter): Promise<JournalEntry[]> {
    return this.#run('journal list', async () => {
      if (this.#journalSize === 0) return [];
      const entries = await this.#redis.lrange(this.#keys.journal, -this.#journalSize, -1);
      return filterJournal(
        entries.map((text) => JSON.parse(text) as JournalEntry),
        filter,
      );
    });
  }

  clearRequests(): Promise<void> {
    return this.#run('journal clearing', async () => {
      await this.#redis.del(this.#keys.journal);
    });
  }

  reset(): Promise<void> {
    return this.#run('reset', async () => {
      const { rev, faults, tokens, journal, users, userEmails, userSubs, userOrder, customers, customerOrder, seeded, outbox, refreshes } = this.#keys;
      // Bumping the version (not deleting the hash) makes a swap that read the old list fail.
      await exec(
        this.#redis
          .multi()
          .del(tokens, journal, users, userEmails, userSubs, userOrder, customers, customerOrder, seeded, outbox, refreshes.index)
          .hset(faults, 'l', '[]')
          .hincrby(faults, 'v', 1),
      );
      for (const prefix of [rev, refreshes.record]) {
        let cursor = '0';
        do {
          const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
          if (keys.length > 0) await this.#redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#redis.quit().then(
      () => undefined,
      () => this.#redis.disconnect(),
    );
    return this.#closing;
  }

  async #readFaults(): Promise<{ version: string; list: Fault[] }> {
    const [version, list] = await this.#redis.hmget(this.#keys.faults, 'v', 'l');
    return { version: version ?? '0', list: list ? (JSON.parse(list) as Fault[]) : [] };
  }

  /** Read, change, compare-and-swap; again on a lost race. One change at a time from this process. */
  #changeFaults<T>(what: string, change: (list: Fault[]) => { next?: Fault[]; result: T }): Promise<T> {
    const run = this.#faultQueue.then(() =>
      this.#run(what, async () => {
        for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
          const { version, list } = await this.#readFaults();
          const { next, result } = change(list);
          if (next === undefined) return result;
          if ((await this.#redis.worthSwapFaults(this.#keys.faults, version, JSON.stringify(next))) === 1) return result;
          // Another replica changed the list in between: let the contenders spread out a little.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt + 1, 10)));
        }
        throw new Error(`the fault list kept changing under ${SWAP_ATTEMPTS} attempts`);
      }),
    );
    this.#faultQueue = run.catch(() => {});
    return run;
  }

  /** Runs one operation; any failure becomes a StoreError (a logout answers the documented 500). */
  async #run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    if (this.#closing) throw new StoreError(`the Redis store is closed (${what})`);
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`Redis at ${this.#where} failed (${what}): ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  }
}

/** Runs a MULTI and resolves each command's reply, in order; a command that failed inside it rejects the whole. */
async function exec(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const results = await multi.exec();
  if (results === null) throw new Error('transaction aborted');
  for (const [error] of results) if (error) throw error;
  return results.map(([, reply]) => reply);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
