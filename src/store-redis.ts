import { ConfigError } from './errors.ts';
import type { Store, StoreOptions } from './store.ts';

/** The redis store (not available in this version). */
export async function createRedisStore(_options: StoreOptions & Record<string, unknown>): Promise<Store> {
  throw new ConfigError('--redis', 'the redis store is not available in this version');
}
