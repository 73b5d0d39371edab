import { ConfigError } from './errors.ts';
import type { Io } from './cli.ts';

/** Runs the Pact Verifier (not available in this version). */
export async function runVerify(_opts: Record<string, unknown>, _io: Io): Promise<void> {
  throw new ConfigError('verify', 'verify is not available in this version');
}
