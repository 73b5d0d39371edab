import { readFile } from 'node:fs/promises';
import { ConfigError, InputError } from '../errors.ts';
import type { Fault } from './fault.ts';

/**
 * Arms the faults of a `--faults` file: a JSON array of faults, or `{ "faults": [...] }`. Throws ConfigError
 * naming `--faults`, and for a bad fault its entry index and field.
 */
export async function armFaultsFile(path: string, arm: (input: unknown) => Promise<Fault>): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('--faults', `--faults ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { faults?: unknown })?.faults;
  if (!Array.isArray(list)) throw new ConfigError('--faults', `--faults ${path} must hold a JSON array of faults (or { "faults": [...] })`);
  for (const [index, entry] of list.entries()) {
    try {
      await arm(entry);
    } catch (error) {
      if (error instanceof InputError) throw new ConfigError('--faults', `--faults ${path}: entry ${index}, field ${error.field}: ${error.message}`);
      throw error;
    }
  }
}
