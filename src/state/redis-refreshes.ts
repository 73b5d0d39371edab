/**
 * The Redis store's refresh records (redis-store.ts): `<prefix>:refresh:<sid>`, the record's JSON with a TTL of its
 * `until`, and `<prefix>:refresh-index`, a sorted set sid → `until` that lists them. A refresh reads the record,
 * applies the rules every store shares (`applyRefresh`) and swaps the result in with a compare-and-set script on the
 * JSON it read; a replica that lost the race reads again. So a refresh on one replica and one on another within the
 * window count as one storm, and of two replicas rotating one refresh token exactly one rotates it.
 */
import type { Redis } from 'ioredis';
import type { Scripts } from './redis-scripts.ts';
import { applyRefresh, bySid, type RefreshRecord, type RefreshResult, type RefreshStep } from './refresh-records.ts';

/** Where the records live: the record keys' prefix (`<prefix>:refresh:`) and the index. */
export type RefreshKeys = { readonly record: string; readonly index: string };

const SWAP_ATTEMPTS = 100;

/** One refresh step on Redis, atomic across replicas (see above). */
export async function refreshOnRedis(redis: Redis & Scripts, keys: RefreshKeys, sid: string, step: RefreshStep): Promise<RefreshResult> {
  const key = keys.record + sid;
  for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
    const read = (await redis.get(key)) ?? '';
    const held = read === '' ? undefined : (JSON.parse(read) as RefreshRecord);
    const { record, result } = applyRefresh(held !== undefined && held.until > step.nowMs ? held : undefined, sid, step);
    const ttlMs = Math.max(1, Math.ceil(record.until - step.nowMs));
    if ((await redis.worthSwapRefresh(key, keys.index, read, JSON.stringify(record), ttlMs, sid, record.until, step.nowMs)) === 1) return result;
    // Another replica refreshed the sign-in in between: spread the contenders out a little.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt + 1, 10)));
  }
  throw new Error(`sign-in ${sid.slice(0, 80)}'s refresh record kept changing under ${SWAP_ATTEMPTS} attempts`);
}

/** The records live at `nowMs` (of `sid` only, when given), ordered by sid. */
export async function listRefreshesOnRedis(redis: Redis, keys: RefreshKeys, nowMs: number, sid?: string): Promise<RefreshRecord[]> {
  const sids = sid !== undefined ? [sid] : await redis.zrangebyscore(keys.index, `(${nowMs}`, '+inf');
  if (sids.length === 0) return [];
  const values = await redis.mget(sids.map((each) => keys.record + each));
  return values
    .flatMap((json) => (json === null ? [] : [JSON.parse(json) as RefreshRecord]))
    .filter((record) => record.until > nowMs)
    .sort(bySid);
}
