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

/** Lua helpers of the user scripts: the record's fields it indexes (email, sub) come from its JSON. */
const USER_INDEXES = `
local function unindex(emails, subs, id, json)
  if not json then return end
  local before = cjson.decode(json)
  if redis.call('HGET', emails, before.email) == id then redis.call('HDEL', emails, before.email) end
  if redis.call('HGET', subs, before.sub) == id then redis.call('HDEL', subs, before.sub) end
end
local function index(users, emails, subs, order, seq, id, json)
  local user = cjson.decode(json)
  redis.call('HSET', users, id, json)
  if user.status ~= 'REMOVED' then redis.call('HSET', emails, user.email, id) end
  redis.call('HSET', subs, user.sub, id)
  if not redis.call('ZSCORE', order, id) then redis.call('ZADD', order, redis.call('INCR', seq), id) end
end`;

/**
 * Stores a user by id: 'changed' when ARGV[3] (an expected version) is given and the stored one differs,
 * 'email-taken' when another user (not removed) has its email, else 'ok'. KEYS: users, emails, subs, order, seq.
 * ARGV: id, JSON, expected version or ''.
 */
const PUT_USER = `${USER_INDEXES}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] ~= '' and (not current or tostring(cjson.decode(current).version) ~= ARGV[3]) then return 'changed' end
local user = cjson.decode(ARGV[2])
if user.status ~= 'REMOVED' then
  local holder = redis.call('HGET', KEYS[2], user.email)
  if holder and holder ~= ARGV[1] then return 'email-taken' end
end
unindex(KEYS[2], KEYS[3], ARGV[1], current)
index(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2])
return 'ok'`;

/** A user's JSON by an index: ARGV[1] the value (an id when KEYS[2] is '', else looked up in the index KEYS[2]). KEYS: users, index. */
const GET_USER = `
local id = ARGV[1]
if KEYS[2] ~= '' then id = redis.call('HGET', KEYS[2], ARGV[1]) end
if not id then return false end
return redis.call('HGET', KEYS[1], id)`;

/**
 * Seeds: on a store never seeded (no KEYS[8]) every customer and user given; else only those it never had (no record
 * by id; for a user, no user with its email either). Then marks it seeded. KEYS: users, emails, subs, order, seq,
 * customers, customer order, seeded. ARGV: customers and users, each a JSON array of [id, JSON] (the records' JSON is
 * stored as given: cjson would turn an empty array into an object, and a large number into an exponent).
 */
const SEED = `${USER_INDEXES}
local fresh = redis.call('EXISTS', KEYS[8]) == 0
for _, pair in ipairs(cjson.decode(ARGV[1])) do
  if fresh or redis.call('HEXISTS', KEYS[6], pair[1]) == 0 then
    redis.call('HSET', KEYS[6], pair[1], pair[2])
    if not redis.call('ZSCORE', KEYS[7], pair[1]) then redis.call('ZADD', KEYS[7], redis.call('INCR', KEYS[5]), pair[1]) end
  end
end
for _, pair in ipairs(cjson.decode(ARGV[2])) do
  local email = cjson.decode(pair[2]).email
  if fresh or (redis.call('HEXISTS', KEYS[1], pair[1]) == 0 and redis.call('HEXISTS', KEYS[2], email) == 0) then
    unindex(KEYS[2], KEYS[3], pair[1], redis.call('HGET', KEYS[1], pair[1]))
    index(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], pair[1], pair[2])
  end
end
redis.call('SET', KEYS[8], '1')
return 1`;

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
local id = redis.call('HGET', KEYS[2], ARGV[2])
local user = false
if id then user = redis.call('HGET', KEYS[1], id) end
return { revoked, user }`;

/**
 * Swaps a sign-in's refresh record in if it is still the one read ('' when there was none), keeping it ARGV[3] ms, and
 * indexes it by when it lapses (pruning the index of lapsed ones): 1 on success, 0 when another replica changed it.
 * KEYS: record, index. ARGV: record read or '', new record, ttlMs, sid, untilMs, nowMs.
 */
const SWAP_REFRESH = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
return 1`;

/** The scripts as methods of the ioredis client, keys first, then arguments; each resolves the script's integer reply. */
export type Scripts = {
  worthRevoke(key: string, untilMs: number, nowMs: number, ttlMs: number): Promise<number>;
  worthSwapFaults(key: string, version: string, list: string): Promise<number>;
  worthPushCapped(key: string, cap: number, ...values: string[]): Promise<number>;
  worthPutUser(users: string, emails: string, subs: string, order: string, seq: string, id: string, json: string, expectVersion: string): Promise<string>;
  worthGetUser(users: string, index: string, value: string): Promise<string | null>;
  worthSeed(
    users: string,
    emails: string,
    subs: string,
    order: string,
    seq: string,
    customers: string,
    customerOrder: string,
    seeded: string,
    customerList: string,
    userPairs: string,
  ): Promise<number>;
  worthSwapRefresh(record: string, index: string, expected: string, json: string, ttlMs: number, sid: string, untilMs: number, nowMs: number): Promise<number>;
  /** Keys counted first (users, sub index, revocation keys…), then nowMs and sub: `[first live revocation key's index, 1-based, or 0; the user's JSON or null]`. */
  worthSignInState(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<[number, string | null]>;
};

/** The scripts as ioredis's `scripts` option defines them: method name → Lua source and how many of its arguments are keys. */
export const SCRIPTS = {
  worthRevoke: { lua: REVOKE, numberOfKeys: 1 },
  worthSwapFaults: { lua: SWAP_FAULTS, numberOfKeys: 1 },
  worthPushCapped: { lua: PUSH_CAPPED, numberOfKeys: 1 },
  worthPutUser: { lua: PUT_USER, numberOfKeys: 5 },
  worthGetUser: { lua: GET_USER, numberOfKeys: 2 },
  worthSeed: { lua: SEED, numberOfKeys: 8 },
  worthSwapRefresh: { lua: SWAP_REFRESH, numberOfKeys: 2 },
  // As many keys as the call gives: its first argument counts them.
  worthSignInState: { lua: SIGN_IN_STATE },
};
