import { ConfigError } from './errors.ts';
import type { Io } from './cli.ts';

/** Checks pacts against the spec (not available in this version). */
export async function runCheck(_opts: Record<string, unknown>, _io: Io): Promise<void> {
  throw new ConfigError('check', 'check is not available in this version');
}
