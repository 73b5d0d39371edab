import type { Config } from '../config/config.ts';
import { MemoryStore } from './memory-store.ts';
import type { Store } from './store.ts';

/** Builds the store the config asks for; file and Redis backends load only when asked for. */
export async function createStore(config: Pick<Config, 'stateFile' | 'redis' | 'redisPrefix' | 'journalSize' | 'outboxSize'>): Promise<Store> {
  const options = { journalSize: config.journalSize, outboxSize: config.outboxSize };
  if (config.redis) {
    const { createRedisStore } = await import('./redis-store.ts');
    return createRedisStore({ ...options, url: config.redis, prefix: config.redisPrefix });
  }
  if (config.stateFile) {
    const { createFileStore } = await import('./file-store.ts');
    return createFileStore({ ...options, path: config.stateFile });
  }
  return new MemoryStore(options);
}
