import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createFileStore } from '../../src/state/file-store.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { createRedisStore } from '../../src/state/redis-store.ts';
import type { Store, StoreOptions } from '../../src/state/store.ts';
import { type RedisServer, startRedis } from './redis.ts';

/** One of the stores the contract suite runs against. */
export type Backend = {
  name: string;
  /** A fresh namespace (a file path, a key prefix) no other test uses. */
  namespace(): string;
  open(namespace: string, options?: Partial<StoreOptions>): Promise<Store>;
  /** State outlives the store object: a new one on the same namespace sees it. */
  durable: boolean;
  /** Two live stores may share one namespace (replicas). */
  shared: boolean;
};

/**
 * The three stores of the contract suite — memory, a state file in a temp folder, a real redis-server started for the
 * test file on a loopback port — made and disposed by the file's beforeAll/afterAll (call at the top level).
 */
export function storeBackends(): Backend[] {
  let redis: RedisServer | undefined;
  let dir = '';
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wam-contract-'));
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return [
    { name: 'memory', namespace: () => '', open: async (_, o) => new MemoryStore({ journalSize: 100, ...o }), durable: false, shared: false },
    {
      name: 'file',
      namespace: () => join(dir, `state-${++n}.json`),
      open: (path, o) => createFileStore({ journalSize: 100, ...o, path, warn: () => {} }),
      durable: true,
      shared: false,
    },
    {
      name: 'redis',
      namespace: () => `contract-${process.pid}-${++n}`,
      open: (prefix, o) => createRedisStore({ journalSize: 100, ...o, url: (redis as RedisServer).url, prefix }),
      durable: true,
      shared: true,
    },
  ];
}
