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

/** Forgets the sub index entry of the user record `json` if it still points at `email`. KEYS[1]: the sub index. */
const UNINDEX = `
local function unindex(subs, email, json)
  if not json then return end
  local sub = cjson.decode(json).sub
  if sub and redis.call('HGET', subs, sub) == email then redis.call('HDEL', subs, sub) end
end`;

/** Stores a user; a new email gets the next order number. KEYS: users, order, seq, sub index. ARGV: email, JSON, sub. */
const PUT_USER = `${UNINDEX}
unindex(KEYS[4], ARGV[1], redis.call('HGET', KEYS[1], ARGV[1]))
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[3], ARGV[1])
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1]) end
return 1`;

/** Removes a user: 1 if there was one. KEYS: users, order, sub index. ARGV: email. */
const REMOVE_USER = `${UNINDEX}
unindex(KEYS[3], ARGV[1], redis.call('HGET', KEYS[1], ARGV[1]))
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])`;

/** Removes every user whose record is not \`"source":"seed"\`: how many. KEYS: users, order, sub index. */
const DROP_RUNTIME_USERS = `${UNINDEX}
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).source ~= 'seed' then
    unindex(KEYS[3], all[i], all[i + 1])
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('ZREM', KEYS[2], all[i])
    n = n + 1
  end
end
return n`;

/**
 * A token's sign-in in one step: the 1-based index of the first revocation key live at ARGV[1] (0 when none), and the
 * record of the user whose sub is ARGV[2] (false when none). KEYS: users, sub index, then the revocation keys.
 */
const SIGN_IN_STATE = `
local revoked = 0
for i = 3, #KEYS do
  local untilMs = redis.call('GET', KEYS[i])
  if untilMs and tonumber(untilMs) > tonumber(ARGV[1]) then revoked = i - 2 break end
end
local email = redis.call('HGET', KEYS[2], ARGV[2])
local user = false
if email then user = redis.call('HGET', KEYS[1], email) end
return { revoked, user }`;

/** The scripts as methods of the ioredis client, keys first, then arguments; each resolves the script's integer reply. */
export type Scripts = {
  worthRevoke(key: string, untilMs: number, nowMs: number, ttlMs: number): Promise<number>;
  worthSwapFaults(key: string, version: string, list: string): Promise<number>;
  worthPushCapped(key: string, cap: number, ...values: string[]): Promise<number>;
  worthPutUser(users: string, order: string, seq: string, subs: string, email: string, json: string, sub: string): Promise<number>;
  worthRemoveUser(users: string, order: string, subs: string, email: string): Promise<number>;
  worthDropRuntimeUsers(users: string, order: string, subs: string): Promise<number>;
  /** Keys counted first (users, sub index, revocation keys…), then nowMs and sub: `[first live revocation key's index, 1-based, or 0; the user's JSON or null]`. */
  worthSignInState(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<[number, string | null]>;
};

/** The scripts as ioredis's `scripts` option defines them: method name → Lua source and how many of its arguments are keys. */
export const SCRIPTS = {
  worthRevoke: { lua: REVOKE, numberOfKeys: 1 },
  worthSwapFaults: { lua: SWAP_FAULTS, numberOfKeys: 1 },
  worthPushCapped: { lua: PUSH_CAPPED, numberOfKeys: 1 },
  worthPutUser: { lua: PUT_USER, numberOfKeys: 4 },
  worthRemoveUser: { lua: REMOVE_USER, numberOfKeys: 3 },
  worthDropRuntimeUsers: { lua: DROP_RUNTIME_USERS, numberOfKeys: 3 },
  // As many keys as the call gives: its first argument counts them.
  worthSignInState: { lua: SIGN_IN_STATE },
};
