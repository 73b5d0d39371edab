/**
 * The Lua scripts of the Redis store (redis-store.ts), each one atomic step on the keys it is given. ioredis loads them
 * (EVALSHA, EVAL when a restarted Redis has forgotten them) as methods of the client, named by SCRIPTS.
 */

/** Sets a revocation unless a live one is there: 1 if this call revoked it. ARGV: untilMs, nowMs, ttlMs. */
const REVOKE = `
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Replaces the fault list if its version is still the one read: 1 on success. ARGV: version, list. */
const SWAP_FAULTS = `
local version = redis.call('HGET', KEYS[1], 'v') or '0'
if version ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(version) + 1), 'l', ARGV[2])
return 1`;

/** Appends to a list and trims it to its newest ARGV[1] items, in one command. ARGV: cap, values… */
const PUSH_CAPPED = `
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return 1`;

/** Stores a user; a new email gets the next order number. KEYS: users, order, seq. ARGV: email, JSON. */
const PUT_USER = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1]) end
return 1`;

/** Removes a user: 1 if there was one. KEYS: users, order. ARGV: email. */
const REMOVE_USER = `
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])`;

/** Removes every user whose record is not \`"source":"seed"\`: how many. KEYS: users, order. */
const DROP_RUNTIME_USERS = `
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).source ~= 'seed' then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('ZREM', KEYS[2], all[i])
    n = n + 1
  end
end
return n`;

/** The scripts as methods of the ioredis client, keys first, then arguments; each resolves the script's integer reply. */
export type Scripts = {
  worthRevoke(key: string, untilMs: number, nowMs: number, ttlMs: number): Promise<number>;
  worthSwapFaults(key: string, version: string, list: string): Promise<number>;
  worthPushCapped(key: string, cap: number, ...values: string[]): Promise<number>;
  worthPutUser(users: string, order: string, seq: string, email: string, json: string): Promise<number>;
  worthRemoveUser(users: string, order: string, email: string): Promise<number>;
  worthDropRuntimeUsers(users: string, order: string): Promise<number>;
};

/** The scripts as ioredis's `scripts` option defines them: method name → Lua source and how many of its arguments are keys. */
export const SCRIPTS = {
  worthRevoke: { lua: REVOKE, numberOfKeys: 1 },
  worthSwapFaults: { lua: SWAP_FAULTS, numberOfKeys: 1 },
  worthPushCapped: { lua: PUSH_CAPPED, numberOfKeys: 1 },
  worthPutUser: { lua: PUT_USER, numberOfKeys: 3 },
  worthRemoveUser: { lua: REMOVE_USER, numberOfKeys: 2 },
  worthDropRuntimeUsers: { lua: DROP_RUNTIME_USERS, numberOfKeys: 2 },
};
