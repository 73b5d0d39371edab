import { Redis } from 'ioredis';
import { ConfigError } from '../errors.ts';
import { SCRIPTS, type Scripts } from './redis-scripts.ts';

/** How the Redis store connects: its URL, how long a command and the first connection may take, where notes go. */
export type RedisConnectionOptions = {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (`--redis`). */
  readonly url: string;
  /** Where connection-lost/back notes go (default: stderr). */
  readonly warn?: (message: string) => void;
  /** How long a command may take before it fails (default 2000 ms). */
  readonly commandTimeoutMs?: number;
  /** How long the first connection may take before start fails (default 5000 ms, at most 10 s). */
  readonly connectTimeoutMs?: number;
};

/**
 * Connects to Redis with the store's scripts loaded, failing fast while disconnected (no offline queue, no resend after
 * a reconnect: a logout answers the documented 500 rather than hanging or answering 200 unstored) and reconnecting in the
 * background, saying once when Redis is lost and when it is back. Resolves the client and `host:port` (never the
 * password); throws ConfigError (`--redis`) naming the address when the first connection fails.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<{ client: Redis & Scripts; where: string }> {
  const where = describe(options.url);
  const warn = options.warn ?? ((message: string) => process.stderr.write(`worth-auth-mock: ${message}\n`));
  const client = new Redis(options.url, {
    lazyConnect: true,
    // Fail fast while disconnected: a logout must answer 500 now, not wait for a Redis that may not come back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: Math.min(options.connectTimeoutMs ?? 5000, 10_000),
    // Reconnect in the background, forever, at most every 2 s.
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    protocol: 2,
    connectionName: 'worth-auth-mock',
    scripts: SCRIPTS,
  });
  let lastError: Error | undefined;
  let lost = false;
  let started = false;
  client.on('error', (error: Error) => {
    lastError = error;
    if (started && !lost) {
      lost = true;
      warn(`lost Redis at ${where} (${error.message}): logouts answer 500 until it is back`);
    }
  });
  client.on('close', () => {
    if (started && !lost && client.status !== 'end') {
      lost = true;
      warn(`lost Redis at ${where}: logouts answer 500 until it is back`);
    }
  });
  client.on('ready', () => {
    if (lost) warn(`Redis at ${where} is back`);
    lost = false;
  });

  const timeoutMs = options.connectTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    const reason = lastError?.message ?? (error as Error).message;
    throw new ConfigError('--redis', `cannot reach Redis at ${where}: ${reason}. Start Redis there, or give the right URL with --redis`);
  } finally {
    clearTimeout(timer);
  }
  started = true;
  return { client: client as Redis & Scripts, where };
}

/** `host:port` of a Redis URL, never its password. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'the given URL';
  }
}
