import { ConfigError } from './errors.ts';
import type { Store, StoreOptions } from './store.ts';

/** The file store (not available in this version). */
export async function createFileStore(_options: StoreOptions & Record<string, unknown>): Promise<Store> {
  throw new ConfigError('--state-file', 'the file store is not available in this version');
}
